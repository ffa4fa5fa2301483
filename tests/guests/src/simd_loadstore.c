/* @guest fp */
/* SIMD&FP loads/stores: LDR/STR B/H/S/D/Q (all modes), LDUR, literal, LDP/STP/LDNP of S/D/Q, LD1-LD4/ST1-ST4, LD1R, lanes. */
#include "fp.h"

static u8 mem[512] __attribute__((aligned(64)));

static void fill(void)
{
	for (unsigned i = 0; i < sizeof(mem); i++)
		mem[i] = (u8)(i * 7 + 3);
}

static void dump(const char *what)
{
	rt_printf("%-30s mem hash=%016lx\n", what, rt_hash(mem, sizeof(mem)));
}

#define SHOWV(n) do { u64 __o[2]; __asm__ volatile("str q" #n ", [%0]" : : "r"(__o) : "memory"); rt_printf("  v" #n "=%016lx:%016lx\n", __o[1], __o[0]); } while (0)

int main(void)
{
	rt_mmu_identity_on(12); /* unaligned vector accesses need Normal memory */
	fill();
	u8 *p = mem + 64;
	__asm__ volatile("ldr q0, [%0]\n\tldr d1, [%0, #24]\n\tldr s2, [%0, #-4]!\n\tldr h3, [%0], #6\n\tldr b4, [%0, #1]"
			 : "+r"(p) : : "v0", "v1", "v2", "v3", "v4", "memory");
	rt_printf("ldr forms, base now +%lx\n", p - mem);
	SHOWV(0); SHOWV(1); SHOWV(2); SHOWV(3); SHOWV(4);
	__asm__ volatile("ldur q5, [%0, #-13]\n\tldr q6, [%0, %1, lsl #4]\n\tldr d7, [%0, %1]" : : "r"(mem + 128), "r"(3UL) : "v5", "v6", "v7", "memory");
	SHOWV(5); SHOWV(6); SHOWV(7);
	__asm__ volatile("ldr q8, 1f\n\tb 2f\n\t.balign 16\n1:\t.quad 0x0123456789abcdef, 0xfedcba9876543210\n2:" : : : "v8");
	SHOWV(8);
	__asm__ volatile("ldp q9, q10, [%0, #32]\n\tldp d11, d12, [%0, #-16]\n\tldnp s13, s14, [%0, #8]" : : "r"(mem + 256) : "v9", "v10", "v11", "v12", "v13", "v14", "memory");
	SHOWV(9); SHOWV(10); SHOWV(11); SHOWV(12); SHOWV(13); SHOWV(14);
	__asm__ volatile("str q8, [%0, #16]\n\tstp q8, q0, [%0, #48]\n\tstr d8, [%0, #-8]\n\tstur s8, [%0, #3]\n\tstr h8, [%0, #100]\n\tstr b8, [%0, #111]\n\tstnp d0, d8, [%0, #200]"
			 : : "r"(mem + 128) : "memory");
	dump("after scalar stores");
	/* Structure loads and stores. */
	fill();
	p = mem;
	__asm__ volatile("ld1 {v16.16b}, [%0], #16\n\tld1 {v17.8h, v18.8h}, [%0], #32\n\tld1 {v19.4s, v20.4s, v21.4s}, [%0]"
			 : "+r"(p) : : "v16", "v17", "v18", "v19", "v20", "v21", "memory");
	SHOWV(16); SHOWV(17); SHOWV(18); SHOWV(21);
	__asm__ volatile("ld1 {v22.2d, v23.2d, v24.2d, v25.2d}, [%0], %1" : "+r"(p) : "r"(64UL) : "v22", "v23", "v24", "v25", "memory");
	SHOWV(22); SHOWV(25);
	rt_printf("post-index reg: +%lx\n", p - mem);
	__asm__ volatile("ld2 {v16.16b, v17.16b}, [%0]\n\tld3 {v18.8h, v19.8h, v20.8h}, [%0]\n\tld4 {v21.4s, v22.4s, v23.4s, v24.4s}, [%0]"
			 : : "r"(mem + 7) : "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "memory");
	SHOWV(16); SHOWV(17); SHOWV(18); SHOWV(20); SHOWV(21); SHOWV(24);
	__asm__ volatile("ld1r {v26.8h}, [%0]\n\tld1r {v27.2d}, [%0]\n\tmovi v28.16b, #0\n\tld1 {v28.b}[5], [%0]\n\tld1 {v28.s}[3], [%0]"
			 : : "r"(mem + 33) : "v26", "v27", "v28", "memory");
	SHOWV(26); SHOWV(27); SHOWV(28);
	__asm__ volatile("st1 {v16.16b, v17.16b}, [%0]\n\tadd x9, %0, #64\n\tst2 {v18.8h, v19.8h}, [x9]\n\tst1 {v28.h}[6], [%1], #2\n\tst1 {v26.d}[1], [%1]"
			 : : "r"(mem + 128), "r"(mem + 300) : "x9", "memory");
	__asm__ volatile("add x9, %0, #400\n\tst4 {v20.8b, v21.8b, v22.8b, v23.8b}, [x9], #32\n\tst3 {v24.4h, v25.4h, v26.4h}, [x9]"
			 : : "r"(mem) : "x9", "memory");
	dump("after structure stores");
	return 0;
}
