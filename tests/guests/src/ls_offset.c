/* LDR/STR (unsigned offset) and LDUR/STUR (unscaled, negative) for B/H/W/X. */
#include "test.h"

static u8 buf[256] __attribute__((aligned(16)));

static void fill(void)
{
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 37 + 11);
}

int main(void)
{
	rt_mmu_identity_on(12); /* unaligned accesses need Normal memory */
	fill();
	u8 *b = buf + 64;
	u64 r[8];
	__asm__ volatile("ldrb %w0, [%8, #3]\n\tldrh %w1, [%8, #6]\n\tldr %w2, [%8, #12]\n\tldr %3, [%8, #24]\n\t"
			 "ldurb %w4, [%8, #-1]\n\tldurh %w5, [%8, #-3]\n\tldur %w6, [%8, #-7]\n\tldur %7, [%8, #-13]"
			 : "=&r"(r[0]), "=&r"(r[1]), "=&r"(r[2]), "=&r"(r[3]), "=&r"(r[4]), "=&r"(r[5]), "=&r"(r[6]),
			   "=&r"(r[7])
			 : "r"(b)
			 : "memory");
	for (int i = 0; i < 8; i++)
		rt_printf("load%d=%lx\n", i, r[i]);
	u64 v = 0x8899aabbccddeeffUL;
	__asm__ volatile("strb %w1, [%0, #1]\n\tstrh %w1, [%0, #4]\n\tstr %w1, [%0, #8]\n\tstr %1, [%0, #16]\n\t"
			 "sturb %w1, [%0, #-2]\n\tsturh %w1, [%0, #-5]\n\tstur %w1, [%0, #-11]\n\tstur %1, [%0, #-27]\n\t"
			 "str %1, [%0, #4088 - 64 - 0xf00]"
			 :
			 : "r"(b), "r"(v)
			 : "memory");
	for (unsigned i = 0; i < sizeof(buf); i += 16) {
		rt_printf("%02x:", i);
		for (unsigned j = 0; j < 16; j++)
			rt_printf(" %02x", buf[i + j]);
		rt_printf("\n");
	}
	/* Large scaled offsets. */
	u64 big[600];
	for (int i = 0; i < 600; i++)
		big[i] = (u64)i * 0x0101010101010101UL;
	u64 x;
	__asm__ volatile("ldr %0, [%1, #4096]" : "=r"(x) : "r"(big) : "memory");
	rt_show("ldr #4096", x);
	__asm__ volatile("ldr %w0, [%1, #16380]" : "=r"(x) : "r"((u8 *)big - 16380 + 8) : "memory");
	rt_show("ldr w #16380", x);
	return 0;
}
