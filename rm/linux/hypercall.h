/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Gunyah hypercalls the VM manager issues, in the native convention
 * (gunyah-abi.md §1.1, §1.5): the call number in the HVC immediate (0x6000 +
 * N), arguments and results in x0..x7, x8..x17 clobbered. Buffers are this
 * VM's virtual addresses. msgqueue_send 0x1b, msgqueue_receive 0x1c,
 * doorbell_send 0x12, doorbell_mask 0x15, vcpu_run 0x65 (§1.8).
 */
#ifndef GUNYAH_HYPERCALL_H
#define GUNYAH_HYPERCALL_H

#include <linux/types.h>

#include <linux/errno.h>

/* Gunyah error codes (§1.4) this driver tells apart. */
#define GH_ERROR_OK			0
#define GH_ERROR_UNIMPLEMENTED		(-1)
#define GH_ERROR_RETRY			(-2)
#define GH_ERROR_NOMEM			10
#define GH_ERROR_DENIED			30
#define GH_ERROR_BUSY			31
#define GH_ERROR_IDLE			32
#define GH_ERROR_VIRQ_BOUND		40
#define GH_ERROR_VIRQ_NOT_BOUND		41
#define GH_ERROR_CSPACE_CAP_NULL	50
#define GH_ERROR_CSPACE_INSUFFICIENT_RIGHTS 53
#define GH_ERROR_CSPACE_FULL		54
#define GH_ERROR_MSGQUEUE_EMPTY		60
#define GH_ERROR_MSGQUEUE_FULL		61

/* vcpu_run states (§1.7). */
#define GH_VCPU_STATE_READY		0
#define GH_VCPU_STATE_EXPECTS_WAKEUP	1
#define GH_VCPU_STATE_POWERED_OFF	2
#define GH_VCPU_STATE_BLOCKED		3
#define GH_VCPU_STATE_VMMIO_READ	4
#define GH_VCPU_STATE_VMMIO_WRITE	5
#define GH_VCPU_STATE_FAULT		6
#define GH_VCPU_STATE_SYSTEM_RESET	0x100
/* POWERED_OFF state_data_0 bit 0: the vCPU thread exited (§1.7). */
#define GH_VCPU_POWERED_OFF_EXITED	BIT(0)

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

/* Gunyah error → errno, as Linux's gunyah_error_remap does (§1.4). */
static inline int gh_error_to_errno(long err)
{
	switch (err) {
	case GH_ERROR_OK:
		return 0;
	case GH_ERROR_UNIMPLEMENTED:
		return -EOPNOTSUPP;
	case GH_ERROR_RETRY:
		return -EAGAIN;
	case GH_ERROR_NOMEM:
		return -ENOMEM;
	case GH_ERROR_DENIED:
	case GH_ERROR_CSPACE_CAP_NULL ... GH_ERROR_CSPACE_INSUFFICIENT_RIGHTS:
		return -EACCES;
	case GH_ERROR_BUSY:
	case GH_ERROR_IDLE:
	case GH_ERROR_CSPACE_FULL:
		return -EBUSY;
	case GH_ERROR_VIRQ_BOUND:
	case GH_ERROR_VIRQ_NOT_BOUND:
	case GH_ERROR_MSGQUEUE_EMPTY:
	case GH_ERROR_MSGQUEUE_FULL:
		return -EIO;
	default:
		return -EINVAL;
	}
}

/* doorbell_send (0x12): doorbell, new_flags, res0 -> err, old_flags. */
static inline long gh_hvc_bell_send(u64 cap, u64 new_flags)
{
	register u64 x0 asm("x0") = cap;
	register u64 x1 asm("x1") = new_flags;
	register u64 x2 asm("x2") = 0;
	register u64 x3 asm("x3");
	register u64 x4 asm("x4");
	register u64 x5 asm("x5");
	register u64 x6 asm("x6");
	register u64 x7 asm("x7");

	asm volatile("hvc #0x6012"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "=r"(x3), "=r"(x4),
		       "=r"(x5), "=r"(x6), "=r"(x7)
		     :
		     : GH_HVC_CLOBBERS);
	return (long)x0;
}

/* doorbell_mask (0x15): doorbell, enable_mask, ack_mask, res0 -> err. */
static inline long gh_hvc_bell_mask(u64 cap, u64 enable, u64 ack)
{
	register u64 x0 asm("x0") = cap;
	register u64 x1 asm("x1") = enable;
	register u64 x2 asm("x2") = ack;
	register u64 x3 asm("x3") = 0;
	register u64 x4 asm("x4");
	register u64 x5 asm("x5");
	register u64 x6 asm("x6");
	register u64 x7 asm("x7");

	asm volatile("hvc #0x6015"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "=r"(x4),
		       "=r"(x5), "=r"(x6), "=r"(x7)
		     :
		     : GH_HVC_CLOBBERS);
	return (long)x0;
}

struct gh_vcpu_run_result {
	u64 state;
	u64 data[3];
};

/*
 * vcpu_run (0x65): vcpu, resume_data_0..2, res0 -> err, state,
 * state_data_0..2 (§1.7). Runs the proxy-scheduled vCPU on this CPU until it
 * blocks, exits to its proxy or this CPU is interrupted.
 */
static inline long gh_hvc_vcpu_run(u64 cap, u64 resume0, u64 resume1,
				   u64 resume2, struct gh_vcpu_run_result *r)
{
	register u64 x0 asm("x0") = cap;
	register u64 x1 asm("x1") = resume0;
	register u64 x2 asm("x2") = resume1;
	register u64 x3 asm("x3") = resume2;
	register u64 x4 asm("x4") = 0;
	register u64 x5 asm("x5");
	register u64 x6 asm("x6");
	register u64 x7 asm("x7");

	asm volatile("hvc #0x6065"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4),
		       "=r"(x5), "=r"(x6), "=r"(x7)
		     :
		     : GH_HVC_CLOBBERS);
	r->state = x1;
	r->data[0] = x2;
	r->data[1] = x3;
	r->data[2] = x4;
	return (long)x0;
}

#endif /* GUNYAH_HYPERCALL_H */
