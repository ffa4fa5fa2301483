/* AND/ORR/EOR/BIC/ORN/EON/ANDS/BICS (shifted register incl. ROR), MVN, TST, 64/32-bit. */
#include "test.h"

#define SH(insn, a, b, sh) ({ u64 __r, __f; __asm__ volatile(insn " %0, %2, %3, " sh "\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u64)(a)), "r"((u64)(b)) : "cc"); __r ^ NZCV_BITS(__f); })
#define SHW(insn, a, b, sh) ({ u32 __r; u64 __f; __asm__ volatile(insn " %w0, %w2, %w3, " sh "\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u32)(a)), "r"((u32)(b)) : "cc"); (u64)__r ^ NZCV_BITS(__f); })

int main(void)
{
	SET_NZCV(0x3);
	for (unsigned i = 0; i < N_EDGE64; i += 1) {
		for (unsigned j = 0; j < N_EDGE64; j += 2) {
			u64 a = EDGE64[i], b = EDGE64[j];
			rt_printf("%lx %lx", a, b);
			rt_printf(" %lx", SH("and", a, b, "lsl #0"));
			rt_printf(" %lx", SH("orr", a, b, "lsl #7"));
			rt_printf(" %lx", SH("eor", a, b, "lsr #13"));
			rt_printf(" %lx", SH("bic", a, b, "asr #63"));
			rt_printf(" %lx", SH("orn", a, b, "ror #1"));
			rt_printf(" %lx", SH("eon", a, b, "ror #33"));
			rt_printf(" %lx", SH("ands", a, b, "lsl #0"));
			rt_printf(" %lx", SH("bics", a, b, "ror #63"));
			rt_printf(" %lx", SHW("ands", a, b, "lsl #1"));
			rt_printf(" %lx", SHW("bics", a, b, "ror #31"));
			rt_printf(" %lx", SHW("eon", a, b, "asr #4"));
			rt_printf(" %lx\n", SHW("orr", a, b, "ror #16"));
		}
		rt_printf("mvn %lx %x\n", X1("mvn", EDGE64[i]), W1("mvn", EDGE64[i]));
	}
	return 0;
}
