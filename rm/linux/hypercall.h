/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah message-queue hypercalls in the native convention (gunyah-abi.md
 * §1.1, §1.5): the call number in the HVC immediate, arguments and results
 * in x0..x7, x8..x17 clobbered. Buffers are this VM's virtual addresses.
 */
#ifndef GUNYAH_HYPERCALL_H
#define GUNYAH_HYPERCALL_H

#include <linux/types.h>

/* Gunyah error codes (§1.4) this driver tells apart. */
#define GH_ERROR_OK			0
#define GH_ERROR_RETRY			(-2)
#define GH_ERROR_MSGQUEUE_EMPTY		60
#define GH_ERROR_MSGQUEUE_FULL		61

/* msgqueue_send flags: raise the receiver's VIRQ now (§1.5). */
#define GH_MSGQ_SEND_PUSH		BIT(0)

#define GH_HVC_CLOBBERS "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", \
	"x16", "x17", "memory"

/* msgqueue_send (0x1b): mq, size, buf, flags, res0 -> err, not_full. */
static inline long gh_hvc_msgq_send(u64 cap, size_t size, const void *buf,
				    u64 flags, bool *ready)
{
	register u64 x0 asm("x0") = cap;
	register u64 x1 asm("x1") = size;
	register u64 x2 asm("x2") = (u64)(uintptr_t)buf;
	register u64 x3 asm("x3") = flags;
	register u64 x4 asm("x4") = 0;
	register u64 x5 asm("x5");
	register u64 x6 asm("x6");
	register u64 x7 asm("x7");

	asm volatile("hvc #0x601b"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4),
		       "=r"(x5), "=r"(x6), "=r"(x7)
		     :
		     : GH_HVC_CLOBBERS);
	*ready = x1 != 0;
	return (long)x0;
}

/* msgqueue_receive (0x1c): mq, buf, buf_size, res0 -> err, size, not_empty. */
static inline long gh_hvc_msgq_recv(u64 cap, void *buf, size_t max,
				    size_t *size, bool *ready)
{
	register u64 x0 asm("x0") = cap;
	register u64 x1 asm("x1") = (u64)(uintptr_t)buf;
	register u64 x2 asm("x2") = max;
	register u64 x3 asm("x3") = 0;
	register u64 x4 asm("x4");
	register u64 x5 asm("x5");
	register u64 x6 asm("x6");
	register u64 x7 asm("x7");

	asm volatile("hvc #0x601c"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3),
		       "=r"(x4), "=r"(x5), "=r"(x6), "=r"(x7)
		     :
		     : GH_HVC_CLOBBERS);
	*size = x1;
	*ready = x2 != 0;
	return (long)x0;
}

#endif /* GUNYAH_HYPERCALL_H */
