/* Logical (immediate) with many DecodeBitMasks patterns (element sizes 2..64, rotations), TST. */
#include "test.h"

#define LI(insn, a, imm) ({ u64 __r, __f; __asm__ volatile(insn " %0, %2, #" imm "\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u64)(a)) : "cc"); rt_printf(" %lx/%x", __r, NZCV_BITS(__f)); })
#define LIW(insn, a, imm) ({ u32 __r; u64 __f; __asm__ volatile(insn " %w0, %w2, #" imm "\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u32)(a)) : "cc"); rt_printf(" %x/%x", __r, NZCV_BITS(__f)); })

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		u64 a = EDGE64[i];
		rt_printf("%lx:", a);
		LI("and", a, "0x5555555555555555");
		LI("orr", a, "0xaaaaaaaaaaaaaaaa");
		LI("eor", a, "0x3333333333333333");
		LI("ands", a, "0x0f0f0f0f0f0f0f0f");
		LI("and", a, "0x00ff00ff00ff00ff");
		LI("orr", a, "0x0000ffff0000ffff");
		LI("eor", a, "0x00000000ffffffff");
		LI("ands", a, "0x8000000000000000");
		LI("and", a, "0x7ffffffffffffffe");
		LI("orr", a, "0xfffffffffffffff0");
		LI("eor", a, "0x1");
		LI("ands", a, "0xc000000000000003");
		LI("and", a, "0x0ff00ff00ff00ff0");
		LI("orr", a, "0xe00000000000003f");
		LIW("and", a, "0x55555555");
		LIW("orr", a, "0x80000001");
		LIW("eor", a, "0xfffffffe");
		LIW("ands", a, "0x0003fff0");
		LIW("ands", a, "0x80000000");
		u64 f;
		__asm__ volatile("tst %1, #0xff\n\tmrs %0, nzcv" : "=r"(f) : "r"(a) : "cc");
		rt_printf(" tst=%x", NZCV_BITS(f));
		__asm__ volatile("tst %w1, #0x80000000\n\tmrs %0, nzcv" : "=r"(f) : "r"(a) : "cc");
		rt_printf(" tstw=%x\n", NZCV_BITS(f));
	}
	u64 r;
	__asm__ volatile("mov %0, #0x00ff00ff00ff00ff" : "=r"(r));
	rt_show("mov bitmask", r);
	__asm__ volatile("orr %0, xzr, #0x1e1e1e1e1e1e1e1e" : "=r"(r));
	rt_show("orr xzr", r);
	return 0;
}
