/* Counter relations: CNTVCT/CNTPCT monotonic, CNTVOFF = 0 view, TVAL counts down, CNTP polled expiry. */
#include "test.h"

int main(void)
{
	u64 v1 = READ_SYSREG(cntvct_el0);
	u64 p1 = READ_SYSREG(cntpct_el0);
	for (volatile int i = 0; i < 2000; i++)
		;
	u64 v2 = READ_SYSREG(cntvct_el0);
	u64 p2 = READ_SYSREG(cntpct_el0);
	rt_printf("CNTVCT monotonic: %s, advanced: %s\n", v2 >= v1 ? "yes" : "no", v2 > v1 ? "yes" : "no");
	rt_printf("CNTPCT monotonic: %s, CNTPCT >= CNTVCT: %s\n", p2 >= p1 ? "yes" : "no", p1 >= v1 ? "yes" : "no");
	WRITE_SYSREG(cntp_tval_el0, 1000000UL);
	WRITE_SYSREG(cntp_ctl_el0, 3UL);
	ISB();
	s32 t1 = (s32)READ_SYSREG(cntp_tval_el0);
	rt_printf("TVAL in (0, 1000000]: %s\n", t1 > 0 && t1 <= 1000000 ? "yes" : "no");
	u64 cval = READ_SYSREG(cntp_cval_el0);
	rt_printf("CVAL - CNTPCT in (0, 1000000]: %s\n",
		  cval - READ_SYSREG(cntpct_el0) <= 1000000 ? "yes" : "no");
	WRITE_SYSREG(cntp_tval_el0, 200UL);
	ISB();
	u64 polls = 0;
	while (!(READ_SYSREG(cntp_ctl_el0) & 4))
		polls++;
	rt_printf("CNTP ISTATUS set after polling: yes (polled: %s)\n", polls ? "yes" : "no");
	rt_printf("TVAL negative after expiry: %s\n", (s32)READ_SYSREG(cntp_tval_el0) <= 0 ? "yes" : "no");
	WRITE_SYSREG(cntp_ctl_el0, 0UL);
	return 0;
}
