/* UNDEFINED instructions at EL1: UDF, LSE atomics (not implemented on this CPU), an unallocated system register, FP with CPACR trap. */
#include "test.h"

int main(void)
{
	rt_set_sync_handler(report_and_skip);
	__asm__ volatile("udf #0x1234");
	__asm__ volatile(".inst 0x00000000");
	__asm__ volatile(".inst 0xf8200020" ::: "memory"); /* LDADD x0, x0, [x1]: needs FEAT_LSE */
	__asm__ volatile(".inst 0xd503201f"); /* NOP: must not trap */
	__asm__ volatile("mrs x0, s3_0_c0_c0_7" ::: "x0"); /* op0=3 op1=0 CRn=0 CRm=0 op2=7: unallocated */
	/* CPACR_EL1.FPEN = 0: FP/AdvSIMD instructions trap with EC 0x07. */
	WRITE_SYSREG(cpacr_el1, 0);
	ISB();
	__asm__ volatile(".inst 0x9e670020"); /* fmov d0, x1 */
	__asm__ volatile(".inst 0x4ea01c00"); /* mov v0.16b, v0.16b */
	WRITE_SYSREG(cpacr_el1, 3UL << 20);
	ISB();
	__asm__ volatile(".inst 0x9e670020" ::: "memory"); /* now allowed */
	rt_puts("undefined tests done\n");
	return 0;
}
