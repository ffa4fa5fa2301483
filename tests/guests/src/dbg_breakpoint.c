/*
 * Hardware breakpoints (DBGBVR<n>/DBGBCR<n>_EL1, all six ID_AA64DFR0_EL1 advertises): EC 0x31 at
 * EL1 (MDSCR_EL1.MDE + KDE, PSTATE.D clear), EC 0x30 from EL0 (KDE and PSTATE.D do not matter),
 * none without MDE, KDE, with PSTATE.D set, the wrong PMC, E = 0 or BAS = 0; a breakpoint linked to
 * a context breakpoint (CONTEXTIDR_EL1) fires only for the matching context. ELR = the instruction.
 * (The OS lock masks these too; QEMU 7.2 ignores it, so the guest unlocks first.)
 */
#include "test.h"

#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)
/* DBGBCR: E, PMC (bit 1: EL1, bit 2: EL0), BAS = 0b1111, BT, LBN. */
#define BCR_E 1UL
#define BCR_EL1 (1UL << 1)
#define BCR_EL0 (1UL << 2)
#define BCR_BAS (0xfUL << 5)
#define BCR_BT(t) ((u64)(t) << 20)
#define BCR_LBN(n) ((u64)(n) << 16)

static volatile u32 hits;

static void set_bp(int n, u64 addr, u64 ctrl)
{
	switch (n) {
	case 0: WRITE_SYSREG(dbgbvr0_el1, addr); WRITE_SYSREG(dbgbcr0_el1, ctrl); break;
	case 1: WRITE_SYSREG(dbgbvr1_el1, addr); WRITE_SYSREG(dbgbcr1_el1, ctrl); break;
	case 2: WRITE_SYSREG(dbgbvr2_el1, addr); WRITE_SYSREG(dbgbcr2_el1, ctrl); break;
	case 3: WRITE_SYSREG(dbgbvr3_el1, addr); WRITE_SYSREG(dbgbcr3_el1, ctrl); break;
	case 4: WRITE_SYSREG(dbgbvr4_el1, addr); WRITE_SYSREG(dbgbcr4_el1, ctrl); break;
	case 5: WRITE_SYSREG(dbgbvr5_el1, addr); WRITE_SYSREG(dbgbcr5_el1, ctrl); break;
	}
	ISB();
}

static void clear_all(void)
{
	for (int n = 0; n < 6; n++)
		set_bp(n, 0, 0);
}

static int on_sync(struct rt_frame *f, u64 esr, u64 far)
{
	u32 ec = (u32)(esr >> 26) & 0x3f;
	if (ec != 0x30 && ec != 0x31)
		return 0;
	rt_report_fault("bp", esr, far, f->elr, (u64)_start);
	rt_printf("  spsr=%lx\n", f->spsr);
	hits++;
	clear_all(); /* resume at the same instruction without the breakpoint */
	return 1;
}

__attribute__((noinline)) static u64 target(u64 x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

__attribute__((noinline)) static u64 user_fn(u64 x)
{
	__asm__ volatile("" ::: "memory");
	return x ^ 0x5a;
}

static void attempt(const char *what, int n, u64 ctrl)
{
	hits = 0;
	set_bp(n, (u64)target, ctrl);
	u64 r = target(n + 10);
	clear_all();
	rt_printf("%s: bp%d hits=%u r=%lu\n", what, n, hits, r);
}

int main(void)
{
	rt_set_sync_handler(on_sync);
	u64 dfr0 = READ_SYSREG(id_aa64dfr0_el1);
	rt_printf("DebugVer=%lu BRPs=%lu WRPs=%lu CTX_CMPs=%lu\n", dfr0 & 0xf, ((dfr0 >> 12) & 0xf) + 1,
		  ((dfr0 >> 20) & 0xf) + 1, ((dfr0 >> 28) & 0xf) + 1);
	rt_printf("OSLSR=%lx\n", READ_SYSREG(oslsr_el1));
	WRITE_SYSREG(oslar_el1, 0UL);
	ISB();
	rt_printf("OSLSR after unlock=%lx\n", READ_SYSREG(oslsr_el1));
	clear_all();

	WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
	__asm__ volatile("msr daifclr, #8");
	ISB();
	for (int n = 0; n < 6; n++)
		attempt("EL1", n, BCR_E | BCR_EL1 | BCR_BAS);
	attempt("EL1 both PMC", 2, BCR_E | BCR_EL1 | BCR_EL0 | BCR_BAS);
	attempt("EL0-only PMC at EL1", 0, BCR_E | BCR_EL0 | BCR_BAS);
	attempt("E=0", 1, BCR_EL1 | BCR_BAS);
	attempt("BAS=0", 1, BCR_E | BCR_EL1);

	__asm__ volatile("msr daifset, #8");
	ISB();
	attempt("PSTATE.D set", 0, BCR_E | BCR_EL1 | BCR_BAS);
	__asm__ volatile("msr daifclr, #8");
	WRITE_SYSREG(mdscr_el1, MDSCR_MDE);
	ISB();
	attempt("KDE=0", 0, BCR_E | BCR_EL1 | BCR_BAS);
	WRITE_SYSREG(mdscr_el1, MDSCR_KDE);
	ISB();
	attempt("MDE=0", 0, BCR_E | BCR_EL1 | BCR_BAS);

	/* Linked: bp0 (linked address match) -> bp4 (linked CONTEXTIDR_EL1 match, 0x55). */
	WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
	for (u64 ctx = 0x55; ctx <= 0x56; ctx++) {
		WRITE_SYSREG(contextidr_el1, ctx);
		set_bp(4, 0x55, BCR_E | BCR_EL1 | BCR_BAS | BCR_BT(3));
		hits = 0;
		set_bp(0, (u64)target, BCR_E | BCR_EL1 | BCR_BAS | BCR_BT(1) | BCR_LBN(4));
		u64 r = target(7);
		clear_all();
		rt_printf("linked, CONTEXTIDR=%lx: hits=%u r=%lu\n", ctx, hits, r);
	}

	/* EL0: KDE clear and PSTATE.D do not matter for exceptions taken from EL0 to EL1. */
	WRITE_SYSREG(mdscr_el1, MDSCR_MDE);
	__asm__ volatile("msr daifset, #8");
	u8 *stack = rt_alloc(4096, 16);
	for (int n = 3; n <= 5; n++) {
		hits = 0;
		set_bp(n, (u64)user_fn, BCR_E | BCR_EL0 | BCR_BAS);
		u64 r = rt_run_el0(user_fn, n, stack + 4096);
		clear_all();
		rt_printf("EL0 bp%d: hits=%u r=%lx\n", n, hits, r);
	}
	hits = 0;
	set_bp(1, (u64)user_fn, BCR_E | BCR_EL1 | BCR_BAS);
	u64 r = rt_run_el0(user_fn, 1, stack + 4096);
	clear_all();
	rt_printf("EL1-only PMC at EL0: hits=%u r=%lx\n", hits, r);
	WRITE_SYSREG(mdscr_el1, 0UL);
	return 0;
}
