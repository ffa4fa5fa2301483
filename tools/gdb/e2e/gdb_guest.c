/*
 * The bare-metal guest the GDB stub's e2e test debugs (gdb_multiarch_test.ts):
 * built with -g -O0 so gdb-multiarch finds the function, its argument and the
 * global by name. main calls gdb_bump five times; each call adds its argument
 * to gdb_counter, so a write watchpoint on gdb_counter hits once per call.
 */
#include "rt.h"

volatile unsigned long gdb_counter;

__attribute__((noinline)) unsigned long gdb_bump(unsigned long by)
{
	gdb_counter += by;
	return gdb_counter;
}

int main(void)
{
	unsigned long sum = 0;
	for (unsigned long i = 1; i <= 5; i++)
		sum += gdb_bump(i);
	rt_printf("gdb guest: sum %lu counter %lu\n", sum, gdb_counter);
	return 0;
}
