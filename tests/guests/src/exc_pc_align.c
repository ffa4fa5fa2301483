/* PC alignment faults: BR/BLR/RET to an address with bits [1:0] nonzero (EC 0x22, FAR = target). */
#include "test.h"

int main(void)
{
	rt_set_sync_handler(report_and_return);
	__asm__ volatile("adr x30, 1f\n\tadd x9, x30, #2\n\tbr x9\n1:" ::: "x9", "x30", "memory");
	__asm__ volatile("adr x30, 1f\n\tadd x9, x30, #1\n\tret x9\n1:" ::: "x9", "x30", "memory");
	__asm__ volatile("adr x10, 1f\n\tadd x9, x10, #3\n\tmov x30, x10\n\tblr x9\n1:" ::: "x9", "x10", "x30", "memory");
	rt_puts("pc alignment done\n");
	return 0;
}
