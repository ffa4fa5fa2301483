/*
 * A bare-metal RM client guest for gunyah-ts (rm/testdata). Entered at the
 * RAM base with x0 = the devicetree, MMU off. It finds the RM RPC node under
 * /hypervisor (compatible "gunyah-resource-manager"), takes the TX and RX
 * message-queue CapIDs from its reg property, and asks the RM over native
 * Gunyah hypercalls (hvc #0x6000 + N): VM_GET_VMID, then its own
 * VM_GET_HYP_RESOURCES, then an unknown msg_id. It prints what it got on the
 * PL011 and powers off with PSCI SYSTEM_OFF.
 *
 * Only runs under gunyah-ts (QEMU has no RM), so it is not one of
 * tests/guests.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;

#define UART_DR ((volatile u32 *)0x09000000UL) /* PL011 data register, QEMU virt */
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define ERROR_MSGQUEUE_EMPTY 60
#define RPC_MSG_SIZE 240

static u8 buf[RPC_MSG_SIZE] __attribute__((aligned(16)));

static void putc_(char c) { *UART_DR = (u32)c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(u64 v) {
	puts_("0x");
	for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 0xf]);
}
static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }
static u32 le32(const u8 *p) { return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }
static int has_prefix(const char *s, const char *p) {
	while (*p) if (*s++ != *p++) return 0;
	return 1;
}
static int strlist_has(const u8 *v, u32 len, const char *want) {
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

/* Find the node compatible with "gunyah-resource-manager"; return its reg. */
static int find_rm(const u8 *fdt, u64 *tx, u64 *rx) {
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

static u64 hvc_send(u64 cap, u64 size, u64 addr, u64 flags) {
	register u64 x0 __asm__("x0") = cap;
	register u64 x1 __asm__("x1") = size;
	register u64 x2 __asm__("x2") = addr;
	register u64 x3 __asm__("x3") = flags;
	register u64 x4 __asm__("x4") = 0;
	__asm__ volatile("hvc #0x601b" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4)
			 : : "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
			   "x16", "x17", "memory");
	return x0;
}

static u64 hvc_receive(u64 cap, u64 addr, u64 size, u64 *got) {
	register u64 x0 __asm__("x0") = cap;
	register u64 x1 __asm__("x1") = addr;
	register u64 x2 __asm__("x2") = size;
	register u64 x3 __asm__("x3") = 0;
	__asm__ volatile("hvc #0x601c" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 : : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
			   "x15", "x16", "x17", "memory");
	*got = x1;
	return x0;
}

static u16 seq;

/* One single-fragment request; returns the reply's error word, its payload in buf+12. */
static u32 call(u64 tx, u64 rx, u32 msg_id, const u8 *payload, u32 len, u32 *reply_len) {
	seq++;
	buf[0] = 0x21;
	buf[1] = 1; /* REQUEST, no continuation */
	buf[2] = (u8)seq;
	buf[3] = (u8)(seq >> 8);
	buf[4] = (u8)msg_id;
	buf[5] = (u8)(msg_id >> 8);
	buf[6] = (u8)(msg_id >> 16);
	buf[7] = (u8)(msg_id >> 24);
	for (u32 i = 0; i < len; i++) buf[8 + i] = payload[i];
	if (hvc_send(tx, 8 + len, (u64)buf, 1 /* PUSH */) != 0) return 0xdead;
	for (;;) {
		u64 size;
		u64 err = hvc_receive(rx, (u64)buf, RPC_MSG_SIZE, &size);
		if (err == ERROR_MSGQUEUE_EMPTY) continue;
		if (err != 0) return 0xbeef;
		if ((buf[1] & 3) == 2 && (u16)(buf[2] | buf[3] << 8) == seq) {
			*reply_len = (u32)size - 12;
			return le32(buf + 8);
		}
	}
}

void rm_client_main(const u8 *fdt) {
	u64 tx, rx;
	u32 n;
	if (!find_rm(fdt, &tx, &rx)) {
		puts_("rm-client: no gunyah-resource-manager node\n");
		return;
	}
	u32 err = call(tx, rx, 0x56000024, 0, 0, &n); /* VM_GET_VMID */
	puts_("rm-client: VM_GET_VMID err=");
	puthex(err);
	puts_(" vmid=");
	puthex(n == 4 ? le32(buf + 12) : 0xffffffff);
	putc_('\n');
	u32 vmid = le32(buf + 12);
	u8 req[4] = {(u8)vmid, (u8)(vmid >> 8), 0, 0};
	err = call(tx, rx, 0x56000020, req, 4, &n); /* VM_GET_HYP_RESOURCES (self) */
	puts_("rm-client: VM_GET_HYP_RESOURCES err=");
	puthex(err);
	puts_(" entries=");
	puthex(le32(buf + 12));
	puts_(" first-cap-is-tx=");
	putc_(((u64)le32(buf + 16 + 12) | (u64)le32(buf + 16 + 16) << 32) == tx ? 'y' : 'n');
	putc_('\n');
	err = call(tx, rx, 0x560000ff, 0, 0, &n);
	puts_("rm-client: unknown msg err=");
	puthex(err);
	putc_('\n');
}

void rm_client_trap(u64 esr, u64 elr, u64 far) {
	puts_("rm-client: exception ESR ");
	puthex(esr);
	puts_(" ELR ");
	puthex(elr);
	puts_(" FAR ");
	puthex(far);
	putc_('\n');
}
