/* LSL/LSR/ASR/ROR immediate aliases (UBFM/SBFM/EXTR) at 0, 1, 31, 32, 63. */
#include "test.h"

#define SI(insn, a, n) ({ u64 __r; __asm__ volatile(insn " %0, %1, #" n : "=r"(__r) : "r"((u64)(a))); rt_printf(" %lx", __r); })
#define SIW(insn, a, n) ({ u32 __r; __asm__ volatile(insn " %w0, %w1, #" n : "=r"(__r) : "r"((u32)(a))); rt_printf(" %x", __r); })

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		u64 a = EDGE64[i];
		rt_printf("%lx:", a);
		SI("lsl", a, "1"); SI("lsl", a, "31"); SI("lsl", a, "32"); SI("lsl", a, "63");
		SI("lsr", a, "0"); SI("lsr", a, "1"); SI("lsr", a, "32"); SI("lsr", a, "63");
		SI("asr", a, "1"); SI("asr", a, "31"); SI("asr", a, "63");
		SI("ror", a, "1"); SI("ror", a, "32"); SI("ror", a, "63");
		SIW("lsl", a, "1"); SIW("lsl", a, "31"); SIW("lsr", a, "1"); SIW("lsr", a, "31");
		SIW("asr", a, "1"); SIW("asr", a, "31"); SIW("ror", a, "1"); SIW("ror", a, "31");
		rt_printf("\n");
	}
	return 0;
}
