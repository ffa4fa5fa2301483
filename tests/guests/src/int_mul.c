/* MUL/MADD/MSUB/MNEG, 64- and 32-bit. */
#include "test.h"

#define M3(insn, a, b, c) ({ u64 __r; __asm__ volatile(insn " %0, %1, %2, %3" : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b)), "r"((u64)(c))); __r; })
#define M3W(insn, a, b, c) ({ u32 __r; __asm__ volatile(insn " %w0, %w1, %w2, %w3" : "=r"(__r) : "r"((u32)(a)), "r"((u32)(b)), "r"((u32)(c))); __r; })

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		for (unsigned j = 0; j < N_EDGE64; j++) {
			u64 a = EDGE64[i], b = EDGE64[j], c = 0x0102030405060708UL;
			rt_printf("%lx %lx: %lx %lx %lx %lx %x %x %x\n", a, b, X2("mul", a, b), M3("madd", a, b, c),
				  M3("msub", a, b, c), X2("mneg", a, b), W2("mul", a, b), M3W("madd", a, b, c),
				  M3W("msub", a, b, c));
		}
	}
	return 0;
}
