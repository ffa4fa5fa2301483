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
#include "rm_guest.h"

#define FDT_END 9

static u8 buf[RPC_MSG_SIZE] __attribute__((aligned(16)));

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
	puthex16(err);
	puts_(" vmid=");
	puthex16(n == 4 ? le32(buf + 12) : 0xffffffff);
	putc_('\n');
	u32 vmid = le32(buf + 12);
	u8 req[4] = {(u8)vmid, (u8)(vmid >> 8), 0, 0};
	err = call(tx, rx, 0x56000020, req, 4, &n); /* VM_GET_HYP_RESOURCES (self) */
	puts_("rm-client: VM_GET_HYP_RESOURCES err=");
	puthex16(err);
	puts_(" entries=");
	puthex16(le32(buf + 12));
	puts_(" first-cap-is-tx=");
	putc_(((u64)le32(buf + 16 + 12) | (u64)le32(buf + 16 + 16) << 32) == tx ? 'y' : 'n');
	putc_('\n');
	err = call(tx, rx, 0x560000ff, 0, 0, &n);
	puts_("rm-client: unknown msg err=");
	puthex16(err);
	putc_('\n');
}

void rm_client_trap(u64 esr, u64 elr, u64 far) {
	puts_("rm-client: exception ESR ");
	puthex16(esr);
	puts_(" ELR ");
	puthex16(elr);
	puts_(" FAR ");
	puthex16(far);
	putc_('\n');
}
