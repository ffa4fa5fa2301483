/* PSCI through HVC #0 (Arm DEN0022): VERSION, FEATURES, MIGRATE_INFO_TYPE, AFFINITY_INFO, CPU_ON errors. */
#include "test.h"

static s64 psci(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fn;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (s64)x0;
}

int main(void)
{
	rt_printf("PSCI_VERSION=%lx\n", psci(0x84000000, 0, 0, 0));
	rt_printf("FEATURES(SYSTEM_OFF)=%ld\n", psci(0x8400000a, 0x84000008, 0, 0));
	rt_printf("FEATURES(CPU_ON64)=%ld\n", psci(0x8400000a, 0xc4000003, 0, 0));
	rt_printf("FEATURES(unknown)=%ld\n", psci(0x8400000a, 0x84000077, 0, 0));
	rt_printf("MIGRATE_INFO_TYPE=%ld\n", psci(0x84000006, 0, 0, 0));
	rt_printf("AFFINITY_INFO(0)=%ld\n", psci(0xc4000004, 0, 0, 0));
	rt_printf("CPU_ON(self)=%ld\n", psci(0xc4000003, 0, (u64)_start, 0));
	rt_printf("CPU_ON(absent)=%ld\n", psci(0xc4000003, 0x100, (u64)_start, 0));
	rt_printf("unknown=%ld\n", psci(0x84000077, 0, 0, 0));
	return 0;
}
