/* SMULL/UMULL/SMADDL/UMADDL/SMSUBL/UMSUBL/SMNEGL/UMNEGL (32x32 -> 64). */
#include "test.h"

#define L2(insn, a, b) ({ u64 __r; __asm__ volatile(insn " %0, %w1, %w2" : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b))); __r; })
#define L3(insn, a, b, c) ({ u64 __r; __asm__ volatile(insn " %0, %w1, %w2, %3" : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b)), "r"((u64)(c))); __r; })

int main(void)
{
	u64 c = 0xfedcba9876543210UL;
	for (unsigned i = 0; i < N_EDGE64; i++) {
		for (unsigned j = 0; j < N_EDGE64; j++) {
			u64 a = EDGE64[i], b = EDGE64[j];
			rt_printf("%lx %lx: %lx %lx %lx %lx %lx %lx %lx %lx\n", a, b, L2("smull", a, b),
				  L2("umull", a, b), L3("smaddl", a, b, c), L3("umaddl", a, b, c),
				  L3("smsubl", a, b, c), L3("umsubl", a, b, c), L2("smnegl", a, b),
				  L2("umnegl", a, b));
		}
	}
	return 0;
}
