/* B.cond for all 16 conditions (incl. AL and NV, which both branch) under every NZCV value. */
#include "test.h"

#define BC(cond) ({ u64 __r; __asm__ volatile("mov %0, #0\n\tb." cond " 1f\n\tmov %0, #1\n1:" : "=&r"(__r)); (unsigned)!__r; })

int main(void)
{
	for (unsigned n = 0; n < 16; n++) {
		SET_NZCV(n);
		unsigned m = BC("eq") | BC("ne") << 1 | BC("cs") << 2 | BC("cc") << 3 | BC("mi") << 4 |
			     BC("pl") << 5 | BC("vs") << 6 | BC("vc") << 7 | BC("hi") << 8 | BC("ls") << 9 |
			     BC("ge") << 10 | BC("lt") << 11 | BC("gt") << 12 | BC("le") << 13 |
			     BC("al") << 14 | BC("nv") << 15;
		rt_printf("nzcv=%x taken=%04x\n", n, m);
	}
	/* A backward conditional loop. */
	u64 count;
	__asm__ volatile("mov %0, #0\n\tmov x9, #100\n1:\tadd %0, %0, #3\n\tsubs x9, x9, #1\n\tb.ne 1b"
			 : "=&r"(count) : : "x9", "cc");
	rt_show("loop", count);
	return 0;
}
