/* Pre-index and post-index writeback for B/H/W/X loads and stores. */
#include "test.h"

static u64 buf[32] __attribute__((aligned(16)));

int main(void)
{
	rt_mmu_identity_on(12); /* unaligned accesses need Normal memory */
	for (int i = 0; i < 32; i++)
		buf[i] = 0x1111111111111111UL * (u64)(i & 15) + (u64)i;
	u64 p = (u64)&buf[8], q, a, b, c, d;
	__asm__ volatile("mov %0, %6\n\tldr %1, [%0, #8]!\n\tldr %2, [%0], #-16\n\tldrb %w3, [%0, #-3]!\n\tldrh %w4, [%0], #5\n\tldr %w5, [%0, #1]!"
			 : "=&r"(q), "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "=&r"(p) : "5"(p) : "memory");
	rt_printf("pre/post loads: %lx %lx %lx %lx %lx end=%lx\n", a, b, c, d, p, q - (u64)buf);
	q = (u64)&buf[20];
	__asm__ volatile("str %1, [%0, #-8]!\n\tstr %w1, [%0], #12\n\tstrb %w1, [%0, #1]!\n\tstrh %w1, [%0], #-255"
			 : "+r"(q) : "r"(0xa1b2c3d4e5f60718UL) : "memory");
	rt_printf("store end=%lx\n", q - (u64)buf);
	for (int i = 16; i < 24; i++)
		rt_printf("buf[%d]=%lx\n", i, buf[i]);
	/* A copy loop in post-index style. */
	u64 src = (u64)&buf[0], dst = (u64)&buf[24], n = 8, t;
	__asm__ volatile("1:\tldr %3, [%0], #8\n\tstr %3, [%1], #8\n\tsubs %2, %2, #1\n\tb.ne 1b"
			 : "+r"(src), "+r"(dst), "+r"(n), "=&r"(t) : : "memory", "cc");
	rt_show("copied hash", rt_hash(&buf[24], 64));
	return 0;
}
