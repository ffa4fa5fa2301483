/* The virtual timer (CNTV_*) firing PPI 27 through the GICv3 and waking WFI; ISTATUS/IMASK; TVAL sign. */
#include "test.h"

static volatile int fired;
static volatile u32 fired_intid;
static volatile u64 ctl_in_irq;

static void on_irq(struct rt_frame *f)
{
	(void)f;
	u32 intid = rt_gic_ack();
	ctl_in_irq = READ_SYSREG(cntv_ctl_el0);
	WRITE_SYSREG(cntv_ctl_el0, 3UL); /* keep enabled, set IMASK: the level drops */
	ISB();
	fired_intid = intid;
	fired++;
	rt_gic_eoi(intid);
}

int main(void)
{
	rt_gic_init();
	rt_gic_enable_ppi(INTID_CNTV, 0x80);
	rt_set_irq_handler(on_irq);
	rt_printf("CNTFRQ nonzero: %s\n", READ_SYSREG(cntfrq_el0) ? "yes" : "no");
	WRITE_SYSREG(cntv_tval_el0, 2000UL);
	WRITE_SYSREG(cntv_ctl_el0, 1UL);
	ISB();
	__asm__ volatile("msr daifclr, #2");
	int waits = 0;
	while (!fired && waits < 1000000) {
		__asm__ volatile("wfi");
		waits++;
	}
	__asm__ volatile("msr daifset, #2");
	rt_printf("fired: %s intid=%u count=%d\n", fired ? "yes" : "no", fired_intid, fired);
	rt_printf("CTL in handler: ENABLE=%lu IMASK=%lu ISTATUS=%lu\n", ctl_in_irq & 1, ctl_in_irq >> 1 & 1,
		  ctl_in_irq >> 2 & 1);
	s32 tval = (s32)READ_SYSREG(cntv_tval_el0);
	rt_printf("TVAL after expiry negative: %s\n", tval < 0 ? "yes" : "no");
	u64 ctl = READ_SYSREG(cntv_ctl_el0);
	rt_printf("CTL now: ENABLE=%lu IMASK=%lu ISTATUS=%lu\n", ctl & 1, ctl >> 1 & 1, ctl >> 2 & 1);
	/* Masked timer: ISTATUS rises, no interrupt is taken. */
	fired = 0;
	WRITE_SYSREG(cntv_cval_el0, READ_SYSREG(cntvct_el0) + 100);
	WRITE_SYSREG(cntv_ctl_el0, 3UL);
	ISB();
	__asm__ volatile("msr daifclr, #2");
	while (!(READ_SYSREG(cntv_ctl_el0) & 4))
		;
	__asm__ volatile("msr daifset, #2");
	rt_printf("masked: ISTATUS=1 seen, interrupts taken=%d\n", fired);
	/* Disabled timer: ISTATUS reads 0. */
	WRITE_SYSREG(cntv_ctl_el0, 0UL);
	ISB();
	rt_printf("disabled: CTL=%lx\n", READ_SYSREG(cntv_ctl_el0));
	return 0;
}
