/* @guest fp */
/*
 * Hardware watchpoints (DBGWVR<n>/DBGWCR<n>_EL1, all four): EC 0x35 at EL1 / 0x34 from EL0, taken
 * before the access (ELR = the instruction, re-executed after the handler disarms), FAR = the first
 * watched byte the access touches, WnR; BAS byte selection (also on a word-aligned WVR), MASK
 * regions, LSC load/store selection, PAC; every access path: single, pair (the first half of an STP
 * is stored before its watched second half faults), SIMD register and structure, exclusives,
 * load-acquire/store-release, unprivileged LDTR/STTR (match as EL0), DC ZVA (a store, CM = 0).
 */
#include "fp.h"

#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)
/* DBGWCR: E, PAC (bit 1: EL1, bit 2: EL0), LSC (bit 3: load, bit 4: store), BAS, MASK. */
#define WCR_E 1UL
#define WCR_EL1 (1UL << 1)
#define WCR_EL0 (1UL << 2)
#define WCR_LOAD (1UL << 3)
#define WCR_STORE (1UL << 4)
#define WCR_BAS(b) ((u64)(b) << 5)
#define WCR_MASK(m) ((u64)(m) << 24)
#define WCR_RW (WCR_E | WCR_EL1 | WCR_LOAD | WCR_STORE)

static u8 buf[512] __attribute__((aligned(256)));
static volatile u32 hits;

static void set_wp(int n, u64 addr, u64 ctrl)
{
	switch (n) {
	case 0: WRITE_SYSREG(dbgwvr0_el1, addr); WRITE_SYSREG(dbgwcr0_el1, ctrl); break;
	case 1: WRITE_SYSREG(dbgwvr1_el1, addr); WRITE_SYSREG(dbgwcr1_el1, ctrl); break;
	case 2: WRITE_SYSREG(dbgwvr2_el1, addr); WRITE_SYSREG(dbgwcr2_el1, ctrl); break;
	case 3: WRITE_SYSREG(dbgwvr3_el1, addr); WRITE_SYSREG(dbgwcr3_el1, ctrl); break;
	}
	ISB();
}

static void clear_all(void)
{
	for (int n = 0; n < 4; n++)
		set_wp(n, 0, 0);
}

static int on_sync(struct rt_frame *f, u64 esr, u64 far)
{
	u32 ec = (u32)(esr >> 26) & 0x3f;
	if (ec != 0x34 && ec != 0x35)
		return 0;
	rt_printf("  wp: EC=%02x ISS=%07x FAR=buf+%ld ELR=+%lx mem=%lx\n", ec, (u32)esr & 0x1ffffff,
		  (s64)(far - (u64)buf), f->elr - (u64)_start, rt_hash(buf, sizeof buf));
	hits++;
	clear_all();
	return 1;
}

static void arm(int n, u64 off, u64 ctrl)
{
	clear_all();
	hits = 0;
	set_wp(n, (u64)buf + off, ctrl);
}

static void done(const char *what)
{
	clear_all();
	rt_printf("%s: hits=%u mem=%lx\n", what, hits, rt_hash(buf, sizeof buf));
}

#define STORE(insn, reg, off) __asm__ volatile(insn " " reg ", [%0]" ::"r"(buf + (off)), "r"(0x1122334455667788UL) : "memory")

static u64 el0_store(u64 off)
{
	*(volatile u32 *)(buf + off) = 0xabcd;
	return *(volatile u32 *)(buf + off + 8);
}

int main(void)
{
	rt_set_sync_handler(on_sync);
	WRITE_SYSREG(oslar_el1, 0UL);
	WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
	__asm__ volatile("msr daifclr, #8");
	ISB();
	/* With the MMU off (EL0 may access everything; LDTR/STTR are permitted at EL1). */
	/* EL0 (KDE and PSTATE.D do not matter). */
	WRITE_SYSREG(mdscr_el1, MDSCR_MDE);
	__asm__ volatile("msr daifset, #8");
	ISB();
	u8 *stack = rt_alloc(4096, 16);
	arm(2, 400, WCR_E | WCR_EL0 | WCR_STORE | WCR_BAS(0x01));
	u64 r = rt_run_el0(el0_store, 400, stack + 4096);
	done("EL0 store");
	rt_printf("r=%lx\n", r);
	arm(2, 408, WCR_E | WCR_EL0 | WCR_LOAD | WCR_BAS(0x0c));
	r = rt_run_el0(el0_store, 400, stack + 4096);
	done("EL0 load");
	arm(2, 400, WCR_E | WCR_EL1 | WCR_STORE | WCR_BAS(0x01));
	r = rt_run_el0(el0_store, 400, stack + 4096);
	done("EL1-only wp, EL0 store");
	WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
	__asm__ volatile("msr daifclr, #8");
	ISB();

	/* Unprivileged: LDTR/STTR at EL1 match an EL0-only watchpoint; LDR does not. */
	arm(0, 256, WCR_E | WCR_EL0 | WCR_LOAD | WCR_STORE | WCR_BAS(0xff));
	(void)*(volatile u64 *)(buf + 256);
	done("EL0-only wp, LDR at EL1");
	arm(0, 256, WCR_E | WCR_EL0 | WCR_LOAD | WCR_STORE | WCR_BAS(0xff));
	{
		u64 v;
		__asm__ volatile("ldtr %0, [%1]" : "=r"(v) : "r"(buf + 256) : "memory");
	}
	done("EL0-only wp, LDTR at EL1");
	arm(0, 256, WCR_E | WCR_EL0 | WCR_LOAD | WCR_STORE | WCR_BAS(0xff));
	STORE("sttr", "%1", 256);
	done("EL0-only wp, STTR at EL1");


	rt_mmu_identity_on(12); /* Normal memory: unaligned accesses allowed, DC ZVA permitted */

	for (int n = 0; n < 4; n++) {
		arm(n, 8 * n, WCR_RW | WCR_BAS(0xff));
		*(volatile u64 *)(buf + 8 * n) = 0x100 + n;
		done("wp n store 8");
	}
	arm(0, 0, WCR_E | WCR_EL1 | WCR_STORE | WCR_BAS(0xff));
	(void)*(volatile u64 *)buf;
	done("store-only wp, load");
	arm(0, 0, WCR_E | WCR_EL1 | WCR_LOAD | WCR_BAS(0xff));
	(void)*(volatile u64 *)buf;
	done("load-only wp, load");
	arm(1, 0, WCR_E | WCR_EL1 | WCR_LOAD | WCR_BAS(0xff));
	*(volatile u64 *)buf = 5;
	done("load-only wp, store");

	/* BAS selects bytes: byte 3 only. */
	arm(2, 0, WCR_RW | WCR_BAS(0x08));
	*(volatile u8 *)(buf + 2) = 1;
	done("BAS byte3, byte 2 store");
	arm(2, 0, WCR_RW | WCR_BAS(0x08));
	*(volatile u8 *)(buf + 3) = 1;
	done("BAS byte3, byte 3 store");
	arm(2, 0, WCR_RW | WCR_BAS(0x08));
	*(volatile u32 *)(buf + 0) = 0x77;
	done("BAS byte3, word store");
	arm(3, 0, WCR_RW | WCR_BAS(0x30));
	(void)*(volatile u64 *)(buf + 0);
	done("BAS bytes 4-5, dword load");
	arm(3, 0, WCR_RW | WCR_BAS(0x30));
	(void)*(volatile u16 *)(buf + 6);
	done("BAS bytes 4-5, halfword at 6");
	arm(3, 0, WCR_RW | WCR_BAS(0x30));
	(void)*(volatile u64 *)(buf + 3);
	done("BAS bytes 4-5, unaligned dword at 3");
	/* Word-aligned WVR: BAS[3:0] select bytes 4..7. */
	arm(0, 4, WCR_RW | WCR_BAS(0x2));
	(void)*(volatile u64 *)(buf + 0);
	done("WVR+4 BAS 0x2, dword load");
	/* MASK: a 32-byte region (BAS all ones). */
	arm(1, 32, WCR_RW | WCR_BAS(0xff) | WCR_MASK(5));
	*(volatile u8 *)(buf + 63) = 9;
	done("MASK 5, byte 63");
	arm(1, 32, WCR_RW | WCR_BAS(0xff) | WCR_MASK(5));
	*(volatile u8 *)(buf + 64) = 9;
	done("MASK 5, byte 64");
	arm(1, 40, WCR_RW | WCR_BAS(0xff) | WCR_MASK(5)); /* low WVR bits ignored */
	*(volatile u8 *)(buf + 33) = 9;
	done("MASK 5 with WVR+40, byte 33");

	/* Pairs: the second half. */
	arm(0, 16 + 8, WCR_RW | WCR_BAS(0x01));
	__asm__ volatile("stp %1, %1, [%0]" ::"r"(buf + 16), "r"(0x5555555566666666UL) : "memory");
	done("STP second half");
	arm(0, 16 + 4, WCR_RW | WCR_BAS(0xff));
	{
		u64 a, b;
		__asm__ volatile("ldp %0, %1, [%2]" : "=r"(a), "=r"(b) : "r"(buf + 16) : "memory");
		rt_printf("ldp %lx %lx\n", a, b);
	}
	done("LDP (WVR+4: BAS[3:0] only -> bytes 20..23)");
	arm(0, 16 + 4, WCR_RW | WCR_BAS(0x0f));
	__asm__ volatile("stp %w1, %w1, [%0]" ::"r"(buf + 16), "r"(0x99UL) : "memory");
	done("STP W second half");

	/* Acquire/release and exclusives. */
	arm(1, 128, WCR_E | WCR_EL1 | WCR_LOAD | WCR_BAS(0xff));
	{
		u64 v;
		__asm__ volatile("ldar %0, [%1]" : "=r"(v) : "r"(buf + 128) : "memory");
	}
	done("LDAR");
	arm(1, 128, WCR_E | WCR_EL1 | WCR_STORE | WCR_BAS(0x80));
	STORE("stlr", "%1", 128);
	done("STLR");
	arm(2, 136, WCR_E | WCR_EL1 | WCR_LOAD | WCR_BAS(0xff));
	{
		u64 v;
		__asm__ volatile("ldxr %0, [%1]\n\tclrex" : "=r"(v) : "r"(buf + 136) : "memory");
	}
	done("LDXR");
	arm(2, 144, WCR_E | WCR_EL1 | WCR_LOAD | WCR_BAS(0xff));
	{
		u64 a, b;
		__asm__ volatile("ldaxp %0, %1, [%2]\n\tclrex" : "=r"(a), "=r"(b) : "r"(buf + 144) : "memory");
	}
	done("LDAXP first");
	arm(2, 160, WCR_E | WCR_EL1 | WCR_STORE | WCR_BAS(0xff));
	{
		u32 st;
		u64 v;
		__asm__ volatile("ldxr %1, [%2]\n\tstxr %w0, %3, [%2]"
				 : "=&r"(st), "=&r"(v)
				 : "r"(buf + 160), "r"(0x1234UL)
				 : "memory");
	}
	done("STXR after LDXR");

	/* SIMD: register and structure forms, a byte in the upper half. */
	arm(3, 192 + 8, WCR_RW | WCR_BAS(0x10));
	__asm__ volatile("movi v0.16b, #0x42\n\tstr q0, [%0]" ::"r"(buf + 192) : "v0", "memory");
	done("STR Q, byte 12");
	arm(3, 192 + 8, WCR_RW | WCR_BAS(0x10));
	{
		u64 lo;
		__asm__ volatile("ld1 {v1.16b}, [%1]\n\tumov %0, v1.d[0]" : "=r"(lo) : "r"(buf + 192) : "v1", "memory");
	}
	done("LD1 {v.16b}, byte 12");
	arm(3, 224, WCR_RW | WCR_BAS(0x01));
	__asm__ volatile("movi v2.16b, #1\n\tmovi v3.16b, #2\n\tst2 {v2.16b, v3.16b}, [%0]" ::"r"(buf + 208)
			 : "v2", "v3", "memory");
	done("ST2 two registers, byte 16");

	/* DC ZVA: a store to the whole 64-byte block. */
	memset(buf + 320, 0xee, 64);
	arm(1, 320 + 40, WCR_E | WCR_EL1 | WCR_STORE | WCR_BAS(0x04));
	__asm__ volatile("dc zva, %0" ::"r"(buf + 320 + 8) : "memory");
	done("DC ZVA");
	arm(1, 320 + 40, WCR_E | WCR_EL1 | WCR_LOAD | WCR_BAS(0x04));
	__asm__ volatile("dc zva, %0" ::"r"(buf + 320) : "memory");
	done("DC ZVA, load-only wp");

	/* Not generated: PSTATE.D set, KDE clear, MDE clear. */
	__asm__ volatile("msr daifset, #8");
	ISB();
	arm(0, 0, WCR_RW | WCR_BAS(0xff));
	*(volatile u64 *)buf = 1;
	done("PSTATE.D set");
	__asm__ volatile("msr daifclr, #8");
	WRITE_SYSREG(mdscr_el1, MDSCR_MDE);
	ISB();
	arm(0, 0, WCR_RW | WCR_BAS(0xff));
	*(volatile u64 *)buf = 2;
	done("KDE clear");
	WRITE_SYSREG(mdscr_el1, MDSCR_KDE);
	ISB();
	arm(0, 0, WCR_RW | WCR_BAS(0xff));
	*(volatile u64 *)buf = 3;
	done("MDE clear");

	WRITE_SYSREG(mdscr_el1, 0UL);
	return 0;
}
