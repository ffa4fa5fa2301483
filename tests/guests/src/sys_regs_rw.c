/* Writable EL0/EL1 system registers round-trip (values within architecturally defined fields). */
#include "test.h"

#define RT(reg, val) do { u64 __old = READ_SYSREG(reg); WRITE_SYSREG(reg, (val)); ISB(); u64 __got = READ_SYSREG(reg); \
	WRITE_SYSREG(reg, __old); ISB(); rt_printf("%-16s wrote %016lx read %016lx\n", #reg, (u64)(val), __got); } while (0)

int main(void)
{
	RT(tpidr_el0, 0x0123456789abcdefUL);
	RT(tpidrro_el0, 0xfedcba9876543210UL);
	RT(tpidr_el1, 0x8000000000000001UL);
	RT(contextidr_el1, 0xdeadbeefUL);
	RT(elr_el1, 0xffff000012345678UL);
	RT(spsr_el1, 0xf00003c5UL);
	RT(sp_el0, 0x00007ffffffff000UL);
	RT(far_el1, 0xffffffffffff1234UL);
	RT(esr_el1, 0x96000045UL);
	RT(mair_el1, 0x004404ff00bb44ffUL);
	RT(tcr_el1, 0x00000032b5193519UL);
	RT(ttbr0_el1, 0x0001000040100000UL);
	RT(ttbr1_el1, 0x00020000401ff000UL);
	RT(vbar_el1, 0x0000000040300800UL);
	RT(cntkctl_el1, 0x3UL);
	RT(cntv_cval_el0, 0x7fffffffffffffffUL);
	RT(cntp_cval_el0, 0x123456789UL);
	RT(fpcr, 0x03c00000UL);
	RT(fpsr, 0x9fUL);
	RT(cpacr_el1, 0x300000UL);
	RT(nzcv, 0xa0000000UL);
	/* CNTV_CTL_EL0: ENABLE=0, IMASK=1 reads back as written (ISTATUS is 0 while disabled). */
	RT(cntv_ctl_el0, 2UL);
	/* PSTATE fields through MSR immediate forms. */
	__asm__ volatile("msr daifclr, #0xf");
	rt_show("daif after clr", READ_SYSREG(daif));
	__asm__ volatile("msr daifset, #0x5");
	rt_show("daif after set 5", READ_SYSREG(daif));
	__asm__ volatile("msr daifset, #0xf");
	__asm__ volatile("msr spsel, #0");
	u64 spsel0 = READ_SYSREG(spsel);
	__asm__ volatile("msr spsel, #1");
	rt_printf("spsel: %lx -> %lx\n", spsel0, READ_SYSREG(spsel));
	WRITE_SYSREG(daif, 0x140UL);
	rt_show("daif msr reg", READ_SYSREG(daif));
	WRITE_SYSREG(daif, 0x3c0UL);
	return 0;
}
