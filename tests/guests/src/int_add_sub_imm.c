/* ADD/SUB/ADDS/SUBS (immediate, with and without LSL #12), CMP/CMN immediate, SP as operand. */
#include "test.h"

#define IMM(insn, a, imm) ({ u64 __r, __f; __asm__ volatile(insn " %0, %2, " imm "\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u64)(a)) : "cc"); (__r << 4) ^ NZCV_BITS(__f); })
#define IMMW(insn, a, imm) ({ u32 __r; u64 __f; __asm__ volatile(insn " %w0, %w2, " imm "\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u32)(a)) : "cc"); ((u64)__r << 4) ^ NZCV_BITS(__f); })

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		u64 a = EDGE64[i];
		rt_printf("%lx: %lx %lx %lx %lx %lx %lx %lx %lx\n", a, IMM("adds", a, "#1"),
			  IMM("subs", a, "#1"), IMM("adds", a, "#4095"), IMM("subs", a, "#0xfff, lsl #12"),
			  IMMW("adds", a, "#1"), IMMW("subs", a, "#1"), IMMW("adds", a, "#0x800, lsl #12"),
			  IMMW("subs", a, "#0"));
		u64 f;
		__asm__ volatile("cmp %1, #17\n\tmrs %0, nzcv" : "=r"(f) : "r"(a) : "cc");
		rt_printf(" cmp17=%x", NZCV_BITS(f));
		__asm__ volatile("cmn %1, #1\n\tmrs %0, nzcv" : "=r"(f) : "r"(a) : "cc");
		rt_printf(" cmn1=%x", NZCV_BITS(f));
		__asm__ volatile("cmp %w1, #0\n\tmrs %0, nzcv" : "=r"(f) : "r"(a) : "cc");
		rt_printf(" cmpw0=%x\n", NZCV_BITS(f));
	}
	u64 sp0, sp1, sp2;
	__asm__ volatile("mov %0, sp\n\tsub sp, sp, #0x40\n\tmov %1, sp\n\tadd sp, sp, #0x40\n\tadd %2, sp, #0x123"
			 : "=r"(sp0), "=r"(sp1), "=r"(sp2));
	rt_printf("sp delta=%lx add=%lx\n", sp0 - sp1, sp2 - sp0);
	return 0;
}
