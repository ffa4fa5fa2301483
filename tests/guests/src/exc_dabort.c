/* External aborts on loads, stores and instruction fetches to an address no device decodes. */
#include "test.h"

#define HOLE 0x09100000UL /* unassigned in QEMU virt's memory map */

int main(void)
{
	rt_set_sync_handler(report_and_skip);
	u64 v = 0;
	__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(HOLE + 0x40) : "memory");
	__asm__ volatile("str %w0, [%1, #8]" : : "r"(v), "r"(HOLE) : "memory");
	__asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(HOLE + 3) : "memory");
	rt_set_sync_handler(report_and_return);
	__asm__ volatile("adr x30, 1f\n\tblr %0\n1:" : : "r"(HOLE + 0x100) : "x30", "memory");
	rt_printf("after aborts v=%lx\n", v);
	return 0;
}
