/* EXTR (64- and 32-bit) at several lsb positions. */
#include "test.h"

#define EX(a, b, n) ({ u64 __r; __asm__ volatile("extr %0, %1, %2, #" n : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b))); rt_printf(" %lx", __r); })
#define EXW(a, b, n) ({ u32 __r; __asm__ volatile("extr %w0, %w1, %w2, #" n : "=r"(__r) : "r"((u32)(a)), "r"((u32)(b))); rt_printf(" %x", __r); })

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		for (unsigned j = 0; j < N_EDGE64; j += 4) {
			u64 a = EDGE64[i], b = EDGE64[j] ^ 0x5a5a5a5a00000000UL;
			rt_printf("%lx %lx:", a, b);
			EX(a, b, "0"); EX(a, b, "1"); EX(a, b, "32"); EX(a, b, "63");
			EXW(a, b, "0"); EXW(a, b, "1"); EXW(a, b, "16"); EXW(a, b, "31");
			rt_printf("\n");
		}
	}
	return 0;
}
