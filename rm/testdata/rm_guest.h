/*
 * What every bare-metal RM test guest of rm/testdata shares: fixed-width
 * types, the PL011 console of QEMU virt, little/big-endian field access, the
 * RM RPC node lookup in the devicetree the guest is booted with, and the
 * native msgqueue hypercalls (gunyah-abi.md §1.1, §1.5: msgqueue_send 0x1b,
 * msgqueue_receive 0x1c as `hvc #0x6000+N`). Header-only (static inline), so
 * each guest stays one C file plus its start code.
 */
#ifndef RM_GUEST_H
#define RM_GUEST_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;

#define UART_DR ((volatile u32 *)0x09000000UL) /* PL011 data register, QEMU virt */
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define ERROR_MSGQUEUE_EMPTY 60 /* Gunyah error code */
#define RPC_MSG_SIZE 240	/* the RM's message size (gunyah-abi.md §5.1) */

static inline void putc_(char c) { *UART_DR = (u32)c; }
static inline void puts_(const char *s) { while (*s) putc_(*s++); }
/* 0x and the hexadecimal digits, without leading zeros. */
static inline void puthex(u64 v)
{
	puts_("0x");
	int i = 60;
	while (i > 0 && ((v >> i) & 0xf) == 0) i -= 4;
	for (; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 0xf]);
}
/* 0x and all 16 hexadecimal digits. */
static inline void puthex16(u64 v)
{
	puts_("0x");
	for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 0xf]);
}
static inline void putdec(u32 v)
{
	char d[10];
	int n = 0;
	do d[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
	while (n) putc_(d[--n]);
}

static inline u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }
static inline u32 le32(const u8 *p) { return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }
static inline u64 le64(const u8 *p) { return (u64)le32(p) | (u64)le32(p + 4) << 32; }
static inline void put16(u8 *p, u32 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); }
static inline void put32(u8 *p, u32 v) { put16(p, v); put16(p + 2, v >> 16); }
static inline void put64(u8 *p, u64 v) { put32(p, (u32)v); put32(p + 4, (u32)(v >> 32)); }

static inline int has_prefix(const char *s, const char *p)
{
	while (*p) if (*s++ != *p++) return 0;
	return 1;
}

/* Whether the devicetree string list `v` (`len` bytes) holds `want`. */
static inline int strlist_has(const u8 *v, u32 len, const char *want)
{
	u32 i = 0;
	while (i < len) {
		const char *s = (const char *)v + i;
		const char *w = want;
		while (*w && *s == *w) { s++; w++; }
		if (!*w && !*s) return 1;
		while (i < len && v[i]) i++;
		i++;
	}
	return 0;
}

/*
 * The child of /hypervisor compatible with "gunyah-resource-manager": its reg
 * holds the TX and RX message-queue CapIDs (two cells each). 0 if absent.
 */
static inline int find_rm(const u8 *fdt, u64 *tx, u64 *rx)
{
	const u8 *st = fdt + be32(fdt + 8);
	const char *strs = (const char *)fdt + be32(fdt + 12);
	u32 off = 0, depth = 0, in_hyp_depth = 0;
	const u8 *reg = 0;
	int match = 0;
	for (;;) {
		u32 tok = be32(st + off);
		off += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)st + off;
			u32 n = 0;
			while (name[n]) n++;
			off += (n + 4) & ~3u;
			depth++;
			if (depth == 2 && has_prefix(name, "hypervisor")) in_hyp_depth = depth;
			reg = 0;
			match = 0;
		} else if (tok == FDT_END_NODE) {
			if (in_hyp_depth && depth == in_hyp_depth + 1 && match && reg) {
				*tx = (u64)be32(reg) << 32 | be32(reg + 4);
				*rx = (u64)be32(reg + 8) << 32 | be32(reg + 12);
				return 1;
			}
			if (depth == in_hyp_depth) in_hyp_depth = 0;
			depth--;
			match = 0;
		} else if (tok == FDT_PROP) {
			u32 len = be32(st + off), nameoff = be32(st + off + 4);
			const u8 *val = st + off + 8;
			const char *pname = strs + nameoff;
			if (in_hyp_depth && depth == in_hyp_depth + 1) {
				if (has_prefix(pname, "compatible") && !pname[10] &&
				    strlist_has(val, len, "gunyah-resource-manager"))
					match = 1;
				if (has_prefix(pname, "reg") && !pname[3] && len == 16) reg = val;
			}
			off += 8 + ((len + 3) & ~3u);
		} else if (tok == FDT_NOP) {
		} else {
			return 0;
		}
	}
}

#define HVC_CLOBBER "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory"

/* msgqueue_send(cap, size, buffer, flags): the Gunyah error code. */
static inline u64 hvc_send(u64 cap, u64 size, u64 addr, u64 flags)
{
	register u64 x0 __asm__("x0") = cap;
	register u64 x1 __asm__("x1") = size;
	register u64 x2 __asm__("x2") = addr;
	register u64 x3 __asm__("x3") = flags;
	register u64 x4 __asm__("x4") = 0;
	__asm__ volatile("hvc #0x601b" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4) : : HVC_CLOBBER);
	return x0;
}

/* msgqueue_receive(cap, buffer, size): the error code; the message size in *got. */
static inline u64 hvc_receive(u64 cap, u64 addr, u64 size, u64 *got)
{
	register u64 x0 __asm__("x0") = cap;
	register u64 x1 __asm__("x1") = addr;
	register u64 x2 __asm__("x2") = size;
	register u64 x3 __asm__("x3") = 0;
	register u64 x4 __asm__("x4") = 0;
	__asm__ volatile("hvc #0x601c" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4) : : HVC_CLOBBER);
	*got = x1;
	return x0;
}

#endif
