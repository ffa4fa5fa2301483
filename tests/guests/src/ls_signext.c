/* LDRSB/LDRSH/LDRSW to W and X, and zero-extending LDRB/LDRH/LDR W. */
#include "test.h"

static const u8 data[16] __attribute__((aligned(16))) = {0x7f, 0x80, 0xff, 0x01, 0x00, 0x80, 0xff, 0x7f,
							 0x12, 0x34, 0x56, 0x88, 0x9a, 0xbc, 0xde, 0xf0};

int main(void)
{
	rt_mmu_identity_on(12); /* unaligned accesses need Normal memory */
	for (int off = 0; off < 8; off++) {
		u64 r[7];
		const u8 *p = data + off;
		__asm__ volatile("ldrsb %0, [%7]\n\tldrsb %w1, [%7]\n\tldrb %w2, [%7]" : "=&r"(r[0]), "=&r"(r[1]), "=&r"(r[2]),
				 "=&r"(r[3]), "=&r"(r[4]), "=&r"(r[5]), "=&r"(r[6]) : "r"(p) : "memory");
		rt_printf("b+%d: %lx %lx %lx\n", off, r[0], r[1], r[2]);
	}
	for (int off = 0; off < 8; off += 2) {
		u64 a, b, c;
		const u8 *p = data + off;
		__asm__ volatile("ldrsh %0, [%3]\n\tldrsh %w1, [%3]\n\tldrh %w2, [%3]" : "=&r"(a), "=&r"(b), "=&r"(c) : "r"(p) : "memory");
		rt_printf("h+%d: %lx %lx %lx\n", off, a, b, c);
	}
	for (int off = 0; off < 16; off += 4) {
		u64 a, b;
		const u8 *p = data + off;
		__asm__ volatile("ldrsw %0, [%2]\n\tldr %w1, [%2]" : "=&r"(a), "=&r"(b) : "r"(p) : "memory");
		rt_printf("w+%d: %lx %lx\n", off, a, b);
	}
	u64 a, b;
	__asm__ volatile("ldrsw %0, [%2, #-4]!\n\tldursh %w1, [%2, #-1]" : "=&r"(a), "=&r"(b) : "r"(data + 12) : "memory");
	rt_printf("misc: %lx %lx\n", a, b);
	return 0;
}
