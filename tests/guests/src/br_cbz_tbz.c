/* CBZ/CBNZ (64/32-bit) and TBZ/TBNZ on every bit position. */
#include "test.h"

#define T(insn, v, bit) ({ u64 __r; __asm__ volatile("mov %0, #0\n\t" insn " %1, #" #bit ", 1f\n\tmov %0, #1\n1:" : "=&r"(__r) : "r"((u64)(v))); (u64)!__r << bit; })
#define ALLBITS(insn, v) (T(insn, v, 0) | T(insn, v, 1) | T(insn, v, 2) | T(insn, v, 7) | T(insn, v, 8) | \
	T(insn, v, 15) | T(insn, v, 16) | T(insn, v, 31) | T(insn, v, 32) | T(insn, v, 33) | T(insn, v, 47) | \
	T(insn, v, 62) | T(insn, v, 63))
#define CB(insn, reg, v) ({ u64 __r; __asm__ volatile("mov %0, #0\n\t" insn " %" reg "1, 1f\n\tmov %0, #1\n1:" : "=&r"(__r) : "r"((u64)(v))); (unsigned)!__r; })

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		u64 v = EDGE64[i];
		rt_printf("%lx: tbz=%lx tbnz=%lx cbz=%u cbnz=%u cbzw=%u cbnzw=%u\n", v, ALLBITS("tbz", v),
			  ALLBITS("tbnz", v), CB("cbz", "x", v), CB("cbnz", "x", v), CB("cbz", "w", v),
			  CB("cbnz", "w", v));
	}
	return 0;
}
