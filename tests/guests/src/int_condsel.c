/* CSEL/CSINC/CSINV/CSNEG and CSET/CSETM/CINC/CNEG under all 16 condition codes and all NZCV values. */
#include "test.h"

#define CS(insn, cond, a, b) ({ u64 __r; __asm__ volatile(insn " %0, %1, %2, " cond : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b))); __r; })
#define CSW(insn, cond, a, b) ({ u32 __r; __asm__ volatile(insn " %w0, %w1, %w2, " cond : "=r"(__r) : "r"((u32)(a)), "r"((u32)(b))); __r; })
#define ALL(insn) do { rt_printf(" " insn); \
	rt_printf(" %lx", CS(insn, "eq", a, b)); rt_printf(" %lx", CS(insn, "ne", a, b)); \
	rt_printf(" %lx", CS(insn, "cs", a, b)); rt_printf(" %lx", CS(insn, "cc", a, b)); \
	rt_printf(" %lx", CS(insn, "mi", a, b)); rt_printf(" %lx", CS(insn, "pl", a, b)); \
	rt_printf(" %lx", CS(insn, "vs", a, b)); rt_printf(" %lx", CS(insn, "vc", a, b)); \
	rt_printf(" %lx", CS(insn, "hi", a, b)); rt_printf(" %lx", CS(insn, "ls", a, b)); \
	rt_printf(" %lx", CS(insn, "ge", a, b)); rt_printf(" %lx", CS(insn, "lt", a, b)); \
	rt_printf(" %lx", CS(insn, "gt", a, b)); rt_printf(" %lx", CS(insn, "le", a, b)); \
	rt_printf(" %lx", CS(insn, "al", a, b)); rt_printf(" %lx", CS(insn, "nv", a, b)); } while (0)

int main(void)
{
	u64 a = 0x1111, b = 0x8000000000000002UL;
	for (unsigned n = 0; n < 16; n++) {
		SET_NZCV(n);
		rt_printf("nzcv=%x", n);
		ALL("csel");
		ALL("csinc");
		ALL("csinv");
		ALL("csneg");
		rt_printf(" w %x %x", CSW("csneg", "lt", a, b), CSW("csinc", "hi", a, b));
		u64 s, m, i, g;
		__asm__ volatile("cset %0, gt\n\tcsetm %1, ls\n\tcinc %2, %4, vs\n\tcneg %3, %4, mi"
				 : "=&r"(s), "=&r"(m), "=&r"(i), "=&r"(g) : "r"(a));
		rt_printf(" aliases %lx %lx %lx %lx nzcv-after=%x\n", s, m, i, g, GET_NZCV());
	}
	return 0;
}
