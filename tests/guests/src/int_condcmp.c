/* CCMP/CCMN (register and immediate forms, 64/32-bit) under every condition outcome. */
#include "test.h"

#define CC(insn, cond, a, b) ({ u64 __f; __asm__ volatile(insn " %1, %2, #0xa, " cond "\n\tmrs %0, nzcv" : "=r"(__f) : "r"((u64)(a)), "r"((u64)(b)) : "cc"); NZCV_BITS(__f); })
#define CCI(insn, cond, a) ({ u64 __f; __asm__ volatile(insn " %1, #31, #0x5, " cond "\n\tmrs %0, nzcv" : "=r"(__f) : "r"((u64)(a)) : "cc"); NZCV_BITS(__f); })
#define CCW(insn, cond, a, b) ({ u64 __f; __asm__ volatile(insn " %w1, %w2, #0x3, " cond "\n\tmrs %0, nzcv" : "=r"(__f) : "r"((u64)(a)), "r"((u64)(b)) : "cc"); NZCV_BITS(__f); })

int main(void)
{
	for (unsigned n = 0; n < 16; n++) {
		for (unsigned i = 0; i < N_EDGE64; i += 3) {
			u64 a = EDGE64[i], b = EDGE64[(i + 5) % N_EDGE64];
			unsigned r[10];
			SET_NZCV(n); r[0] = CC("ccmp", "eq", a, b);
			SET_NZCV(n); r[1] = CC("ccmp", "ne", a, b);
			SET_NZCV(n); r[2] = CC("ccmn", "ge", a, b);
			SET_NZCV(n); r[3] = CC("ccmn", "hi", a, b);
			SET_NZCV(n); r[4] = CCI("ccmp", "vs", a);
			SET_NZCV(n); r[5] = CCI("ccmn", "cc", a);
			SET_NZCV(n); r[6] = CCW("ccmp", "le", a, b);
			SET_NZCV(n); r[7] = CCW("ccmn", "mi", a, b);
			SET_NZCV(n); r[8] = CC("ccmp", "al", a, b);
			SET_NZCV(n); r[9] = CCI("ccmp", "nv", a);
			rt_printf("%x %lx %lx:", n, a, b);
			for (int k = 0; k < 10; k++)
				rt_printf(" %x", r[k]);
			rt_printf("\n");
		}
	}
	return 0;
}
