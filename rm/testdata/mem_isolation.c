/*
 * Memory-parcel isolation between two bare-metal guests (rm/testdata). The
 * same program runs in two VMs; it asks the RM for its VMID over RM RPC
 * (native msgqueue hypercalls, CapIDs from the /hypervisor devicetree node)
 * and plays:
 *
 * - the lender (VMID 3): fills a page with a pattern, MEM_LENDs it to VM
 *   0x80 and tells it (MEM_NOTIFY SHARED); reads the page (must fault:
 *   stage-2 has no RAM there); waits for MEM_RELEASED; MEM_RECLAIMs with
 *   SANITIZE and reads zeros. Then MEM_SHAREs a second page (both RW), waits
 *   for MEM_ACCEPTED, reads the word the borrower wrote, waits for
 *   MEM_RELEASED and reclaims.
 * - the borrower (any other VMID): waits for MEM_SHARED, reads its chosen
 *   IPA (faults before acceptance), MEM_ACCEPTs the page there, checks the
 *   lender's pattern, MEM_RELEASEs it, reads again (faults), notifies
 *   RELEASED. Then accepts the shared page at an IPA the RM picks, checks the
 *   pattern, writes a word, notifies ACCEPTED, releases, notifies RELEASED.
 *
 * Faults are counted by the data-abort vector in mem_start.S. Output goes to
 * the PL011; the test compares it exactly.
 */
#include "rm_guest.h"


#define VM_GET_VMID 0x56000024u
#define MEM_ACCEPT 0x51000011u
#define MEM_LEND 0x51000012u
#define MEM_SHARE 0x51000013u
#define MEM_RELEASE 0x51000014u
#define MEM_RECLAIM 0x51000015u
#define MEM_NOTIFY 0x51000017u
#define MEM_SHARED 0x51100011u
#define MEM_RELEASED 0x51100012u
#define MEM_ACCEPTED 0x51100013u
#define NOTIFY_SHARED 1
#define NOTIFY_RELEASED 2
#define NOTIFY_ACCEPTED 4
#define TRANS_LEND 1
#define TRANS_SHARE 2
#define RIGHTS_RW 6
#define ACCEPT_DONE 0x80
#define SANITIZE 1

#define LENDER 3
#define BORROWER 0x80
#define LENT_PAGE 0x40400000UL
#define SHARED_PAGE 0x40401000UL
#define BORROW_IPA 0x60000000UL
#define WORDS 1024

volatile u32 mem_faults;
volatile u64 mem_fault_far;

static u8 buf[RPC_MSG_SIZE] __attribute__((aligned(16)));
static u8 req[RPC_MSG_SIZE] __attribute__((aligned(16)));
static u64 tx, rx;

/* Notifications that arrived while waiting for a reply. */
#define MAX_NOTES 8
static struct { u32 id; u8 data[48]; } notes[MAX_NOTES];
static u32 n_notes;

static void zero(u8 *p, u32 n) { while (n--) *p++ = 0; }
/* Receive one message into buf; returns 0 when one arrived; notifications are queued. */
static int receive_one(u64 *size) {
	u64 err = hvc_receive(rx, (u64)buf, RPC_MSG_SIZE, size);
	if (err == ERROR_MSGQUEUE_EMPTY) return 1;
	if (err != 0) {
		puts_("receive failed\n");
		return 1;
	}
	if ((buf[1] & 3) == 3 && n_notes < MAX_NOTES) {
		notes[n_notes].id = le32(buf + 4);
		for (u32 i = 0; i < 48 && 8 + i < *size; i++) notes[n_notes].data[i] = buf[8 + i];
		n_notes++;
	}
	return 0;
}

static u16 seq;

/* One single-fragment request; returns the reply's error word; reply data at buf + 12. */
static u32 call(u32 msg_id, u32 len) {
	seq++;
	buf[0] = 0x21;
	buf[1] = 1;
	put16(buf + 2, seq);
	put32(buf + 4, msg_id);
	for (u32 i = 0; i < len; i++) buf[8 + i] = req[i];
	if (hvc_send(tx, 8 + len, (u64)buf, 1) != 0) return 0xdead;
	for (;;) {
		u64 size;
		if (receive_one(&size)) continue;
		if ((buf[1] & 3) == 2 && (u16)(buf[2] | buf[3] << 8) == seq) return le32(buf + 8);
	}
}

/* Wait for notification `id` (about parcel `handle` unless ~0); its payload. */
static const u8 *wait_note(u32 id, u32 handle) {
	for (;;) {
		for (u32 i = 0; i < n_notes; i++) {
			if (notes[i].id == id && (handle == ~0u || le32(notes[i].data) == handle)) {
				notes[i].id = 0;
				return notes[i].data;
			}
		}
		u64 size;
		receive_one(&size);
	}
}

/* Read a word; reports whether it faulted. */
static int faults_on_read(u64 ipa, u32 *value) {
	u32 before = mem_faults;
	*value = *(volatile u32 *)ipa;
	return mem_faults != before;
}

static void say(const char *who, const char *what) {
	puts_(who);
	puts_(": ");
	puts_(what);
}

static void say_err(const char *who, const char *what, u32 err) {
	say(who, what);
	puts_(" err=");
	puthex(err);
	putc_('\n');
}

static void say_read(const char *who, const char *what, u64 ipa) {
	u32 v;
	int f = faults_on_read(ipa, &v);
	say(who, what);
	if (f) {
		puts_(" -> fault at ");
		puthex(mem_fault_far);
	} else {
		puts_(" -> ");
		puthex(v);
	}
	putc_('\n');
}

/* create request: header, ACL of n entries, one SGL entry, empty attribute list. */
static u32 create(u32 msg_id, u32 flags, u32 label, const u16 *vmids, u32 n, u64 ipa) {
	zero(req, 64);
	req[2] = (u8)flags;
	put32(req + 4, label);
	put16(req + 8, n);
	u32 at = 12;
	for (u32 i = 0; i < n; i++, at += 4) {
		put16(req + at, vmids[i]);
		req[at + 2] = RIGHTS_RW;
	}
	put16(req + at, 1);
	put64(req + at + 4, ipa);
	put64(req + at + 12, 4096);
	at += 20;
	put16(req + at, 0);
	return call(msg_id, at + 4);
}

static u32 handle_flags(u32 msg_id, u32 handle, u32 flags) {
	zero(req, 8);
	put32(req, handle);
	req[4] = (u8)flags;
	return call(msg_id, 8);
}

static u32 notify(u32 handle, u32 flags, u32 tag, int to_borrower) {
	zero(req, 20);
	put32(req, handle);
	req[4] = (u8)flags;
	put32(req + 8, tag);
	if (!to_borrower) return call(MEM_NOTIFY, 12);
	put16(req + 12, 1);
	put16(req + 16, BORROWER);
	return call(MEM_NOTIFY, 20);
}

/* accept request; sgl_ipa 0 = let the RM choose. */
static u32 accept(u32 handle, u32 trans, u64 sgl_ipa) {
	zero(req, 64);
	put32(req, handle);
	req[4] = 0;
	req[5] = (u8)trans;
	req[6] = ACCEPT_DONE;
	put16(req + 12, 0); /* ACL: none */
	u32 at = 16;
	if (sgl_ipa) {
		put16(req + at, 1);
		put64(req + at + 4, sgl_ipa);
		put64(req + at + 12, 4096);
		at += 20;
	} else {
		at += 4;
	}
	put16(req + at, 0);
	return call(MEM_ACCEPT, at + 4);
}

static void lender(void) {
	const char *me = "lender";
	volatile u32 *lent = (volatile u32 *)LENT_PAGE;
	volatile u32 *shared = (volatile u32 *)SHARED_PAGE;
	for (u32 i = 0; i < WORDS; i++) lent[i] = 0xa5000000u | i;
	u16 acl[2] = {BORROWER, LENDER};
	u32 err = create(MEM_LEND, 0, 0x4c454e44, acl, 1, LENT_PAGE);
	u32 h = le32(buf + 12);
	say_err(me, "MEM_LEND", err);
	say_err(me, "MEM_NOTIFY(SHARED)", notify(h, NOTIFY_SHARED, 1, 1));
	say_read(me, "read lent page", LENT_PAGE);
	wait_note(MEM_RELEASED, h);
	say(me, "got MEM_RELEASED\n");
	say_err(me, "MEM_RECLAIM(SANITIZE)", handle_flags(MEM_RECLAIM, h, SANITIZE));
	say_read(me, "read reclaimed page", LENT_PAGE + 4 * 7);

	for (u32 i = 0; i < WORDS; i++) shared[i] = 0x5a000000u | i;
	u16 both[2] = {LENDER, BORROWER};
	err = create(MEM_SHARE, 0, 0x53484152, both, 2, SHARED_PAGE);
	u32 h2 = le32(buf + 12);
	say_err(me, "MEM_SHARE", err);
	say_err(me, "MEM_NOTIFY(SHARED)", notify(h2, NOTIFY_SHARED, 2, 1));
	wait_note(MEM_ACCEPTED, h2);
	say(me, "got MEM_ACCEPTED\n");
	say_read(me, "read word the borrower wrote", SHARED_PAGE + 4);
	wait_note(MEM_RELEASED, h2);
	say(me, "got MEM_RELEASED\n");
	say_err(me, "MEM_RECLAIM", handle_flags(MEM_RECLAIM, h2, 0));
	say_read(me, "read shared page", SHARED_PAGE + 8);
}

static int pattern_ok(u64 ipa, u32 tag) {
	u32 v;
	for (u32 i = 0; i < WORDS; i += 31) {
		if (faults_on_read(ipa + 4 * i, &v) || v != (tag | i)) return 0;
	}
	return 1;
}

static void borrower(void) {
	const char *me = "borrower";
	const u8 *n = wait_note(MEM_SHARED, ~0u);
	u32 h = le32(n);
	say(me, "got MEM_SHARED trans_type=");
	puthex(n[5]);
	puts_(" label=");
	puthex(le32(n + 12));
	putc_('\n');
	say_read(me, "read before accept", BORROW_IPA);
	say_err(me, "MEM_ACCEPT", accept(h, TRANS_LEND, BORROW_IPA));
	say(me, pattern_ok(BORROW_IPA, 0xa5000000u) ? "lender's pattern: yes\n" : "lender's pattern: NO\n");
	say_err(me, "MEM_RELEASE", handle_flags(MEM_RELEASE, h, 0));
	say_read(me, "read after release", BORROW_IPA);
	say_err(me, "MEM_NOTIFY(RELEASED)", notify(h, NOTIFY_RELEASED, 1, 0));

	n = wait_note(MEM_SHARED, ~0u);
	u32 h2 = le32(n);
	say(me, "got MEM_SHARED trans_type=");
	puthex(n[5]);
	putc_('\n');
	u32 err = accept(h2, TRANS_SHARE, 0);
	u64 ipa = le64(buf + 16);
	say_err(me, "MEM_ACCEPT (RM picks the IPA)", err);
	say(me, "IPA ");
	puthex(ipa);
	putc_('\n');
	say(me, pattern_ok(ipa, 0x5a000000u) ? "lender's pattern: yes\n" : "lender's pattern: NO\n");
	*(volatile u32 *)(ipa + 4) = 0xb0b0b0b0u;
	say_err(me, "MEM_NOTIFY(ACCEPTED)", notify(h2, NOTIFY_ACCEPTED, 2, 0));
	say_err(me, "MEM_RELEASE", handle_flags(MEM_RELEASE, h2, 0));
	say_read(me, "read after release", ipa);
	say_err(me, "MEM_NOTIFY(RELEASED)", notify(h2, NOTIFY_RELEASED, 2, 0));
}

void guest_main(const u8 *fdt) {
	if (!find_rm(fdt, &tx, &rx)) {
		puts_("no gunyah-resource-manager node\n");
		return;
	}
	if (call(VM_GET_VMID, 0) != 0) {
		puts_("VM_GET_VMID failed\n");
		return;
	}
	if (le32(buf + 12) == LENDER) lender();
	else borrower();
}

void guest_trap(u64 esr, u64 elr, u64 far) {
	puts_("exception ESR ");
	puthex(esr);
	puts_(" ELR ");
	puthex(elr);
	puts_(" FAR ");
	puthex(far);
	putc_('\n');
}
