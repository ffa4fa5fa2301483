/* ADD/SUB/ADDS/SUBS (extended register): UXTB..SXTX with shifts 0-4, SP as base. */
#include "test.h"

#define EXT(insn, a, b, ext) ({ u64 __r, __f; __asm__ volatile(insn " %0, %2, %w3, " ext "\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u64)(a)), "r"((u64)(b)) : "cc"); __r ^ NZCV_BITS(__f); })
#define EXTX(insn, a, b, ext) ({ u64 __r, __f; __asm__ volatile(insn " %0, %2, %3, " ext "\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u64)(a)), "r"((u64)(b)) : "cc"); __r ^ NZCV_BITS(__f); })
#define EXTW(insn, a, b, ext) ({ u32 __r; u64 __f; __asm__ volatile(insn " %w0, %w2, %w3, " ext "\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u32)(a)), "r"((u32)(b)) : "cc"); (u64)__r ^ NZCV_BITS(__f); })

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i += 2) {
		for (unsigned j = 0; j < N_EDGE64; j++) {
			u64 a = EDGE64[i], b = EDGE64[j] ^ 0x80818283UL;
			rt_printf("%lx %lx", a, b);
			rt_printf(" %lx", EXT("adds", a, b, "uxtb"));
			rt_printf(" %lx", EXT("adds", a, b, "uxth #1"));
			rt_printf(" %lx", EXT("subs", a, b, "uxtw #2"));
			rt_printf(" %lx", EXT("adds", a, b, "sxtb #3"));
			rt_printf(" %lx", EXT("subs", a, b, "sxth #4"));
			rt_printf(" %lx", EXT("adds", a, b, "sxtw"));
			rt_printf(" %lx", EXTX("subs", a, b, "sxtx #1"));
			rt_printf(" %lx", EXTX("adds", a, b, "uxtx #4"));
			rt_printf(" %lx", EXTW("adds", a, b, "sxtb"));
			rt_printf(" %lx", EXTW("subs", a, b, "uxth #2"));
			rt_printf(" %lx\n", EXTW("adds", a, b, "sxth #1"));
		}
	}
	u64 r;
	__asm__ volatile("mov x9, sp\n\tadd sp, sp, %w1, uxtw #4\n\tmov %0, sp\n\tmov sp, x9\n\tsub %0, %0, x9"
			 : "=&r"(r) : "r"(3UL) : "x9");
	rt_show("sp uxtw4", r);
	__asm__ volatile("add %0, sp, %1, lsl #2\n\tmov x9, sp\n\tsub %0, %0, x9" : "=&r"(r) : "r"(5UL) : "x9");
	rt_show("sp lsl2", r);
	return 0;
}
