/* UBFX/UBFIZ/SBFX/SBFIZ/BFI/BFXIL and SXTB/SXTH/SXTW/UXTB/UXTH (the xBFM family). */
#include "test.h"

#define BF(insn, a, l, w) ({ u64 __r; __asm__ volatile(insn " %0, %1, #" l ", #" w : "=r"(__r) : "r"((u64)(a))); rt_printf(" %lx", __r); })
#define BFW(insn, a, l, w) ({ u32 __r; __asm__ volatile(insn " %w0, %w1, #" l ", #" w : "=r"(__r) : "r"((u32)(a))); rt_printf(" %x", __r); })
#define BIN(insn, d, a, l, w) ({ u64 __r = (d); __asm__ volatile(insn " %0, %1, #" l ", #" w : "+r"(__r) : "r"((u64)(a))); rt_printf(" %lx", __r); })
#define BINW(insn, d, a, l, w) ({ u64 __r = (d); __asm__ volatile(insn " %w0, %w1, #" l ", #" w : "+r"(__r) : "r"((u32)(a))); rt_printf(" %lx", __r); })

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		u64 a = EDGE64[i] ^ 0x00c3a5f0UL;
		rt_printf("%lx:", a);
		BF("ubfx", a, "0", "1"); BF("ubfx", a, "4", "12"); BF("ubfx", a, "60", "4"); BF("ubfx", a, "0", "64");
		BF("sbfx", a, "3", "5"); BF("sbfx", a, "31", "2"); BF("sbfx", a, "63", "1"); BF("sbfx", a, "8", "40");
		BF("ubfiz", a, "4", "8"); BF("ubfiz", a, "63", "1"); BF("sbfiz", a, "5", "7"); BF("sbfiz", a, "32", "32");
		BFW("ubfx", a, "7", "9"); BFW("sbfx", a, "28", "4"); BFW("ubfiz", a, "31", "1"); BFW("sbfiz", a, "1", "30");
		BIN("bfi", 0x1111111111111111UL, a, "8", "16"); BIN("bfi", ~0UL, a, "60", "4");
		BIN("bfxil", 0x2222222222222222UL, a, "12", "20"); BIN("bfxil", 0UL, a, "0", "64");
		BINW("bfi", ~0UL, a, "30", "2"); BINW("bfxil", 0x3333333333333333UL, a, "1", "31");
		u64 sb, sh, sw;
		__asm__ volatile("sxtb %0, %w3\n\tsxth %1, %w3\n\tsxtw %2, %w3" : "=&r"(sb), "=&r"(sh), "=&r"(sw) : "r"(a));
		rt_printf(" %lx %lx %lx %x %x %x", sb, sh, sw, W1("uxtb", a), W1("uxth", a), W1("sxtb", a));
		rt_printf("\n");
	}
	return 0;
}
