/* LDAR/STLR (B/H/W/X), LDAXR/STLXR acquire/release forms as ordinary accesses in one CPU. */
#include "test.h"

static u64 cell[4] __attribute__((aligned(16)));

int main(void)
{
	u64 v = 0x0123456789abcdefUL, a, b, c, d;
	__asm__ volatile("stlr %1, [%0]\n\tstlr %w1, [%2]" : : "r"(&cell[0]), "r"(v), "r"(&cell[1]) : "memory");
	__asm__ volatile("add x9, %1, #16\n\tstlrh %w2, [x9]\n\tadd x9, x9, #4\n\tstlrb %w2, [x9]" : "=m"(cell[2]) : "r"(cell), "r"(v) : "x9", "memory");
	__asm__ volatile("ldar %0, [%4]\n\tadd x9, %4, #8\n\tldar %w1, [x9]\n\tadd x9, %4, #16\n\tldarh %w2, [x9]\n\tadd x9, x9, #4\n\tldarb %w3, [x9]"
			 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(cell) : "x9", "memory");
	rt_printf("ldar %lx %lx %lx %lx\n", a, b, c, d);
	for (int i = 0; i < 4; i++)
		rt_printf("cell[%d]=%lx\n", i, cell[i]);
	/* Release/acquire message passing within one CPU. */
	u64 flag = 0, data = 0, seen;
	__asm__ volatile("mov x9, #42\n\tstr x9, [%1]\n\tmov x9, #1\n\tstlr x9, [%2]\n\tldar x9, [%2]\n\tcbz x9, 1f\n\tldr %0, [%1]\n1:"
			 : "=r"(seen) : "r"(&data), "r"(&flag) : "x9", "memory");
	rt_printf("message=%lu\n", seen);
	return 0;
}
