/* Register-offset loads/stores: LSL (scaled/unscaled), UXTW, SXTW, SXTX, with negative indices. */
#include "test.h"

static u64 buf[64] __attribute__((aligned(16)));

#define RO(insn, reg, mode, base, idx) ({ u64 __r; __asm__ volatile(insn " %" reg "0, [%1, %2" mode "]" : "=r"(__r) : "r"(base), "r"((u64)(idx)) : "memory"); __r; })

int main(void)
{
	rt_mmu_identity_on(12); /* unaligned accesses need Normal memory */
	for (int i = 0; i < 64; i++)
		buf[i] = 0x0102030405060708UL * (u64)(i + 1) ^ ((u64)i << 56);
	u8 *mid = (u8 *)&buf[32];
	rt_printf("%lx\n", RO("ldr", "", ", lsl #3", mid, 3));
	rt_printf("%lx\n", RO("ldr", "", "", mid, 13));
	rt_printf("%lx\n", RO("ldr", "", ", sxtx #3", mid, -5L));
	rt_printf("%lx\n", RO("ldr", "", ", sxtx", mid, -21L));
	rt_printf("%lx\n", RO("ldr", "w", ", lsl #2", mid, 7));
	rt_printf("%lx\n", RO("ldrh", "w", ", lsl #1", mid, 9));
	rt_printf("%lx\n", RO("ldrb", "w", "", mid, 77));
	/* W-register index forms need the index in a W register. */
	u64 r;
	__asm__ volatile("ldr %0, [%1, %w2, uxtw #3]" : "=r"(r) : "r"(buf), "r"(0x100000005UL) : "memory");
	rt_printf("uxtw3 %lx\n", r);
	__asm__ volatile("ldr %0, [%1, %w2, sxtw #3]" : "=r"(r) : "r"(mid), "r"(0xfffffffdUL) : "memory");
	rt_printf("sxtw3 %lx\n", r);
	__asm__ volatile("ldrb %w0, [%1, %w2, sxtw]" : "=r"(r) : "r"(mid), "r"(0xffffffffUL) : "memory");
	rt_printf("sxtw %lx\n", r);
	__asm__ volatile("ldrsh %0, [%1, %w2, uxtw #1]" : "=r"(r) : "r"(buf), "r"(3UL) : "memory");
	rt_printf("ldrsh uxtw1 %lx\n", r);
	__asm__ volatile("str %1, [%0, %2, lsl #3]\n\tstrh %w1, [%0, %w3, sxtw #1]\n\tstrb %w1, [%0, %2]"
			 : : "r"(mid), "r"(0xfedcba9876543210UL), "r"(2UL), "r"(0xfffffff0UL) : "memory");
	rt_show("after stores", rt_hash(buf, sizeof(buf)));
	return 0;
}
