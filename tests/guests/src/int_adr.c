/* ADR and ADRP: PC-relative results, printed relative to the image base (same binary on both sides). */
#include "test.h"

static char data_far[8192] __attribute__((aligned(4096)));

int main(void)
{
	u64 a, b, here;
	__asm__ volatile("adr %0, 1f\n1:\tadr %1, .\n\tadr %2, . + 0x7fc" : "=r"(a), "=r"(here), "=r"(b));
	rt_show("adr delta", here - a);
	rt_show("adr fwd", b - here);
	__asm__ volatile("adr %0, . - 0x100000" : "=r"(b));
	rt_show("adr back", (u64)_start - b);
	__asm__ volatile("adrp %0, data_far" : "=r"(a));
	rt_show("adrp page", (u64)data_far - a);
	rt_show("adrp low12", a & 0xfff);
	__asm__ volatile("adrp %0, data_far + 4096\n\tadd %0, %0, :lo12:data_far + 4096" : "=r"(a));
	rt_show("adrp+add", a - (u64)data_far);
	__asm__ volatile("adrp %0, . + 0x40000000" : "=r"(a));
	__asm__ volatile("adrp %0, ." : "=r"(b));
	rt_show("adrp 1G", a - b);
	return 0;
}
