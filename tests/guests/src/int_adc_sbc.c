/* ADC/ADCS/SBC/SBCS/NGC/NGCS with carry in set and clear, 64- and 32-bit. */
#include "test.h"

#define CARRY(insn, a, b, cin, f) ({ u64 __r, __f; __asm__ volatile("msr nzcv, %4\n\t" insn " %0, %2, %3\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u64)(a)), "r"((u64)(b)), "r"((u64)(cin) << 29) : "cc"); f = NZCV_BITS(__f); __r; })
#define CARRYW(insn, a, b, cin, f) ({ u32 __r; u64 __f; __asm__ volatile("msr nzcv, %4\n\t" insn " %w0, %w2, %w3\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u32)(a)), "r"((u32)(b)), "r"((u64)(cin) << 29) : "cc"); f = NZCV_BITS(__f); __r; })

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		for (unsigned j = 0; j < N_EDGE64; j += 3) {
			u64 a = EDGE64[i], b = EDGE64[j];
			for (unsigned c = 0; c < 2; c++) {
				unsigned f1, f2, f3, f4, f5;
				u64 r1 = CARRY("adcs", a, b, c, f1);
				u64 r2 = CARRY("sbcs", a, b, c, f2);
				u32 r3 = CARRYW("adcs", a, b, c, f3);
				u32 r4 = CARRYW("sbcs", a, b, c, f4);
				u64 r5 = CARRY("adc", a, b, c, f5);
				rt_printf("%lx %lx c%u adcs=%lx/%x sbcs=%lx/%x adcsw=%x/%x sbcsw=%x/%x adc=%lx/%x\n",
					  a, b, c, r1, f1, r2, f2, r3, f3, r4, f4, r5, f5);
			}
		}
	}
	u64 r, f;
	__asm__ volatile("msr nzcv, xzr\n\tngcs %0, %2\n\tmrs %1, nzcv" : "=r"(r), "=r"(f) : "r"(7UL) : "cc");
	rt_printf("ngcs c0 %lx %x\n", r, NZCV_BITS(f));
	__asm__ volatile("msr nzcv, %2\n\tngc %w0, %w3\n\tmrs %1, nzcv" : "=r"(r), "=r"(f) : "r"(0x20000000UL), "r"(7UL) : "cc");
	rt_printf("ngcw c1 %lx %x\n", r, NZCV_BITS(f));
	return 0;
}
