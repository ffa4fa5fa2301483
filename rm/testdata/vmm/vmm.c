/*
 * A bare-metal VMM guest for gunyah-ts (rm/testdata/vmm), run in the primary
 * VM. Entered with x0 = its devicetree, MMU off. It finds its RM channel
 * under /hypervisor and then, ROUNDS times, builds a secondary VM purely by
 * RM RPC over native msgqueue hypercalls (gunyah-abi.md §5.7, v14 sequence):
 *
 *   VM_ALLOCATE → copy the secondary's image and devicetree into a 1 MiB
 *   window of its own RAM → MEM_LEND it to the new VM → VM_CONFIG_IMAGE →
 *   VM_INIT → VM_GET_HYP_RESOURCES (the vCPU cap) → VM_START
 *
 * runs the secondary's proxy-scheduled vCPU with vcpu_run (hvc #0x6065),
 * emulating a PL011 for it from the VMMIO exits (writes to UARTDR go to its
 * own UART, UARTFR reads 0: TX FIFO never full), and when the vCPU waits
 * for interrupts: VM_STOP (force) → vcpu_run until it reports the vCPU
 * exited → VM_RESET → VM_DEALLOCATE → MEM_RECLAIM, then checks its window is
 * its own again (reading it would fault otherwise) and that the next round
 * gets the same VMID.
 */
#include "../rm_guest.h"

#define ROUNDS 20
#define UART_BASE 0x09000000UL
#define UARTFR 0x18
#define WINDOW 0x41000000UL	     /* the 1 MiB of its RAM the VMM lends */
#define WINDOW_SIZE 0x100000UL
#define DTB_OFFSET 0x10000UL
#define DTB_ROOM 0x2000UL	     /* room for the RM's /hypervisor overlay */

/* RM message IDs (gunyah-abi.md §5.4). */
#define VM_ALLOCATE 0x56000001
#define VM_DEALLOCATE 0x56000002
#define VM_START 0x56000004
#define VM_STOP 0x56000005
#define VM_RESET 0x56000006
#define VM_CONFIG_IMAGE 0x56000009
#define VM_INIT 0x5600000b
#define VM_GET_HYP_RESOURCES 0x56000020
#define MEM_LEND 0x51000012
#define MEM_RECLAIM 0x51000015
/* vcpu_run states (gunyah-abi.md §1.7). */
#define RUN_READY 0
#define RUN_EXPECTS_WAKEUP 1
#define RUN_POWERED_OFF 2
#define RUN_BLOCKED 3
#define RUN_VMMIO_READ 4
#define RUN_VMMIO_WRITE 5

extern const u8 secondary_image[], secondary_image_end[], secondary_dtb[], secondary_dtb_end[];

static u8 buf[RPC_MSG_SIZE] __attribute__((aligned(16)));
static u8 req[64] __attribute__((aligned(8)));

/* vcpu_run(cap, resume0, resume1, resume2): error, state, state data 0..2. */
static u64 hvc_vcpu_run(u64 cap, u64 resume0, u64 *state, u64 *d0, u64 *d1, u64 *d2) {
	register u64 x0 __asm__("x0") = cap;
	register u64 x1 __asm__("x1") = resume0;
	register u64 x2 __asm__("x2") = 0;
	register u64 x3 __asm__("x3") = 0;
	register u64 x4 __asm__("x4") = 0;
	__asm__ volatile("hvc #0x6065" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4) : : HVC_CLOBBER);
	*state = x1;
	*d0 = x2;
	*d1 = x3;
	*d2 = x4;
	return x0;
}

static u64 rm_tx, rm_rx;
static u16 seq;
static u32 reply_len;

/* One single-fragment request; returns the reply's error word (its data at buf+12). */
static u32 call(u32 msg_id, const u8 *payload, u32 len) {
	seq++;
	buf[0] = 0x21;
	buf[1] = 1; /* REQUEST, no continuation */
	put16(buf + 2, seq);
	put32(buf + 4, msg_id);
	for (u32 i = 0; i < len; i++) buf[8 + i] = payload[i];
	if (hvc_send(rm_tx, 8 + len, (u64)buf, 1 /* PUSH */) != 0) return 0xdead;
	for (;;) {
		u64 size;
		u64 err = hvc_receive(rm_rx, (u64)buf, RPC_MSG_SIZE, &size);
		if (err == ERROR_MSGQUEUE_EMPTY) continue;
		if (err != 0) return 0xbeef;
		/* Notifications (VM exited, status, parcels) are not waited for: skipped. */
		if ((buf[1] & 3) == 2 && (u16)(buf[2] | buf[3] << 8) == seq) {
			reply_len = (u32)size - 12;
			return le32(buf + 8);
		}
	}
}

static u32 vmid_call(u32 msg_id, u32 vmid) {
	put32(req, vmid);
	return call(msg_id, req, 4);
}

static int check(const char *what, u32 err) {
	if (err == 0) return 1;
	puts_("vmm: ");
	puts_(what);
	puts_(" failed with RM error ");
	puthex(err);
	putc_('\n');
	return 0;
}

/* Run the secondary's vCPU until it waits for interrupts (1) or is off (0); -1 on error. */
static int run_vcpu(u64 cap, int until_off) {
	u64 resume = 0;
	for (;;) {
		u64 state, d0, d1, d2;
		u64 err = hvc_vcpu_run(cap, resume, &state, &d0, &d1, &d2);
		resume = 0;
		if (err == 5 /* ERROR_BUSY */) continue;
		if (err != 0) {
			puts_("vmm: vcpu_run error ");
			puthex(err);
			putc_('\n');
			return -1;
		}
		switch (state) {
		case RUN_VMMIO_WRITE:
			if (d0 == UART_BASE) putc_((char)d2);
			break;
		case RUN_VMMIO_READ:
			resume = 0; /* UARTFR: TX FIFO not full; other registers read 0 */
			(void)d1;
			break;
		case RUN_EXPECTS_WAKEUP:
			if (!until_off) return 1;
			break;
		case RUN_POWERED_OFF:
			return 0;
		case RUN_READY:
		case RUN_BLOCKED:
			break;
		default:
			puts_("vmm: vcpu_run state ");
			puthex(state);
			putc_('\n');
			return -1;
		}
	}
}

static int round_(u32 n, u32 *vmid_out) {
	/* 1. A VMID. */
	put32(req, 0);
	if (!check("VM_ALLOCATE", call(VM_ALLOCATE, req, 4))) return 0;
	u32 vmid = le32(buf + 12);
	*vmid_out = vmid;
	/* 2. The image and devicetree into the window, then lend it. */
	u8 *win = (u8 *)WINDOW;
	u64 img = (u64)(secondary_image_end - secondary_image);
	u64 dtb = (u64)(secondary_dtb_end - secondary_dtb);
	for (u64 i = 0; i < img; i++) win[i] = secondary_image[i];
	for (u64 i = 0; i < DTB_ROOM; i++) win[DTB_OFFSET + i] = i < dtb ? secondary_dtb[i] : 0;
	u8 *p = req;
	for (int i = 0; i < 40; i++) p[i] = 0;
	put32(p + 4, n);	     /* label */
	put16(p + 8, 1);	     /* ACL: one entry */
	put16(p + 12, vmid);
	p[14] = 7;		     /* RWX */
	put16(p + 16, 1);	     /* SGL: one entry */
	put64(p + 20, WINDOW);
	put64(p + 28, WINDOW_SIZE);
	/* attributes: none (count 0 at p + 36) */
	if (!check("MEM_LEND", call(MEM_LEND, req, 40))) return 0;
	u32 handle = le32(buf + 12);
	/* 3. Where the image and devicetree are. */
	for (int i = 0; i < 40; i++) p[i] = 0;
	put16(p, vmid);
	put32(p + 4, handle);
	put64(p + 16, img);
	put64(p + 24, DTB_OFFSET);
	put64(p + 32, DTB_ROOM);
	if (!check("VM_CONFIG_IMAGE", call(VM_CONFIG_IMAGE, req, 40))) return 0;
	if (!check("VM_INIT", vmid_call(VM_INIT, vmid))) return 0;
	/* 4. The vCPU. */
	if (!check("VM_GET_HYP_RESOURCES", vmid_call(VM_GET_HYP_RESOURCES, vmid))) return 0;
	u64 vcpu = 0;
	u32 count = le32(buf + 12);
	for (u32 i = 0; i < count; i++) {
		const u8 *e = buf + 16 + 44 * i;
		if (e[0] == 4 /* VIRTUAL_CPU */ && le32(e + 8) == 0)
			vcpu = (u64)le32(e + 12) | (u64)le32(e + 16) << 32;
	}
	if (!vcpu) {
		puts_("vmm: no vCPU resource\n");
		return 0;
	}
	/* 5. Start it and be its CPU and UART. */
	if (!check("VM_START", vmid_call(VM_START, vmid))) return 0;
	if (run_vcpu(vcpu, 0) != 1) return 0;
	/* 6. Stop, reset, deallocate, take the memory back. */
	for (int i = 0; i < 8; i++) req[i] = 0;
	put16(req, vmid);
	req[2] = 1; /* FORCE */
	if (!check("VM_STOP", call(VM_STOP, req, 8))) return 0;
	if (run_vcpu(vcpu, 1) != 0) return 0;
	if (!check("VM_RESET", vmid_call(VM_RESET, vmid))) return 0;
	if (!check("VM_DEALLOCATE", vmid_call(VM_DEALLOCATE, vmid))) return 0;
	put32(req, handle);
	put32(req + 4, 0);
	if (!check("MEM_RECLAIM", call(MEM_RECLAIM, req, 8))) return 0;
	/* The window is the VMM's again (a fault here would end the guest). */
	if (win[DTB_OFFSET] != 0xd0) {
		puts_("vmm: the window does not hold the devicetree any more\n");
		return 0;
	}
	return 1;
}

void vmm_main(const u8 *fdt) {
	if (!find_rm(fdt, &rm_tx, &rm_rx)) {
		puts_("vmm: no gunyah-resource-manager node\n");
		return;
	}
	u32 first = 0;
	for (u32 n = 1; n <= ROUNDS; n++) {
		u32 vmid = 0;
		if (!round_(n, &vmid)) {
			puts_("vmm: round ");
			putdec(n);
			puts_(" failed\n");
			return;
		}
		if (n == 1) first = vmid;
		puts_("vmm: round ");
		putdec(n);
		puts_(" VM ");
		puthex(vmid);
		puts_(vmid == first ? " built, run, stopped, reset, deallocated\n" : " has a new VMID: one was lost\n");
		if (vmid != first) return;
	}
	puts_("vmm: done\n");
}

void vmm_trap(u64 esr, u64 elr, u64 far) {
	puts_("vmm: exception ESR ");
	puthex(esr);
	puts_(" ELR ");
	puthex(elr);
	puts_(" FAR ");
	puthex(far);
	putc_('\n');
}
