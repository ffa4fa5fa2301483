/*
 * A guest that faults for good (gdb_multiarch_test.ts): its vector table is
 * moved to address 0, which is not RAM, so the UDF's exception entry aborts
 * again and again until the hypervisor gives up on the vCPU (a vCPU fault).
 * The stub stops the VM there and reports SIGSEGV.
 */
#include "rt.h"

int main(void)
{
	rt_puts("gdb fault guest: about to fault\n");
	__asm__ volatile("msr vbar_el1, xzr\n\tisb\n\tudf #0" ::: "memory");
	return 0;
}
