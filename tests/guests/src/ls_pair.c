/* LDP/STP (32/64-bit; offset, pre- and post-index), LDPSW, LDNP/STNP. */
#include "test.h"

static u64 buf[32] __attribute__((aligned(16)));

int main(void)
{
	rt_mmu_identity_on(12); /* the pairs below include unaligned ones: Normal memory needed */
	for (int i = 0; i < 32; i++)
		buf[i] = 0xfedcba9876543210UL ^ ((u64)i * 0x0011223344556677UL);
	u64 a, b, c, d, p = (u64)&buf[8];
	__asm__ volatile("ldp %0, %1, [%4, #16]\n\tldp %w2, %w3, [%4, #-8]" : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(p) : "memory");
	rt_printf("ldp %lx %lx %lx %lx\n", a, b, c, d);
	__asm__ volatile("ldp %0, %1, [%2, #-32]!" : "=&r"(a), "=&r"(b), "+r"(p) : : "memory");
	rt_printf("ldp pre %lx %lx at %lx\n", a, b, p - (u64)buf);
	__asm__ volatile("ldp %w0, %w1, [%2], #24" : "=&r"(a), "=&r"(b), "+r"(p) : : "memory");
	rt_printf("ldp post %lx %lx at %lx\n", a, b, p - (u64)buf);
	__asm__ volatile("ldpsw %0, %1, [%2, #8]" : "=&r"(a), "=&r"(b) : "r"(p) : "memory");
	rt_printf("ldpsw %lx %lx\n", a, b);
	__asm__ volatile("ldnp %0, %1, [%2, #-504]" : "=&r"(a), "=&r"(b) : "r"(&buf[31]) : "memory");
	rt_printf("ldnp %lx %lx\n", a, b);
	p = (u64)&buf[16];
	__asm__ volatile("stp %1, %2, [%0, #8]\n\tstp %w2, %w1, [%0, #-4]!\n\tstp %1, %2, [%0], #32\n\tstnp %w1, %w2, [%0, #4]"
			 : "+r"(p) : "r"(0x1111222233334444UL), "r"(0x5555666677778888UL) : "memory");
	rt_printf("stp end %lx\n", p - (u64)buf);
	for (int i = 14; i < 24; i++)
		rt_printf("buf[%d]=%lx\n", i, buf[i]);
	/* Stack-style frame push/pop. */
	__asm__ volatile("mov x9, #0x99\n\tmov x10, #0xaa\n\tstp x9, x10, [sp, #-16]!\n\tmov x9, #0\n\tmov x10, #0\n\tldp x10, x9, [sp], #16\n\tmov %0, x9\n\tmov %1, x10"
			 : "=r"(a), "=r"(b) : : "x9", "x10", "memory");
	rt_printf("swap %lx %lx\n", a, b);
	return 0;
}
