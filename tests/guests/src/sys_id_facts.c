/* Architecture-invariant facts only (never raw ID values that differ between CPU models). */
#include "test.h"

#define FIELD(v, lo) (((v) >> (lo)) & 0xf)

int main(void)
{
	u64 el = READ_SYSREG(CurrentEL), mpidr = READ_SYSREG(mpidr_el1);
	rt_printf("CurrentEL=%lu\n", el >> 2);
	rt_printf("MPIDR.M=%lu Aff0=%lu\n", mpidr >> 31 & 1, mpidr & 0xff);
	u64 pfr0 = READ_SYSREG(id_aa64pfr0_el1);
	rt_printf("PFR0: EL0 AArch64=%s EL1 AArch64=%s FP=%lu AdvSIMD=%lu GICv3 sysregs=%s\n",
		  FIELD(pfr0, 0) ? "yes" : "no", FIELD(pfr0, 4) ? "yes" : "no", FIELD(pfr0, 16), FIELD(pfr0, 20),
		  FIELD(pfr0, 24) ? "yes" : "no");
	u64 isar0 = READ_SYSREG(id_aa64isar0_el1);
	rt_printf("ISAR0: CRC32=%lu atomics(LSE)=%s\n", FIELD(isar0, 16), FIELD(isar0, 20) ? "yes" : "no");
	u64 mmfr0 = READ_SYSREG(id_aa64mmfr0_el1);
	rt_printf("MMFR0: 4K=%s 64K=%s PARange>=36bits=%s\n", FIELD(mmfr0, 28) == 0 ? "yes" : "no",
		  FIELD(mmfr0, 24) == 0 ? "yes" : "no", FIELD(mmfr0, 0) >= 1 ? "yes" : "no");
	u64 dczid = READ_SYSREG(dczid_el0);
	rt_printf("DCZID: DZP=%lu\n", dczid >> 4 & 1);
	rt_printf("CNTFRQ nonzero=%s\n", READ_SYSREG(cntfrq_el0) ? "yes" : "no");
	u64 ctr = READ_SYSREG(ctr_el0);
	rt_printf("CTR_EL0 bit31 RES1=%lu\n", ctr >> 31 & 1);
	return 0;
}
