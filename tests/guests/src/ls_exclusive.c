/*
 * LDXR/STXR (B/H/W/X), LDAXR/STLXR, LDXP/STXP, CLREX: status results for the
 * architecturally defined cases only (pair with matching address succeeds;
 * after CLREX, or with no prior load-exclusive, the store-exclusive fails).
 */
#include "test.h"

static u64 word[4] __attribute__((aligned(16))) = {0x1111111111111111UL, 0x2222222222222222UL, 0, 0};

#define LLSC(ld, st, reg, p, val) ({ u64 __v; u32 __s; __asm__ volatile(ld " %" reg "0, [%2]\n\t" st " %w1, %" reg "3, [%2]" : "=&r"(__v), "=&r"(__s) : "r"(p), "r"((u64)(val)) : "memory"); rt_printf(ld "/" st ": old=%lx status=%u now=%lx\n", __v, __s, *(volatile u64 *)(p)); })

int main(void)
{
	u8 *p = (u8 *)word;
	LLSC("ldxr", "stxr", "", p, 0xaaaaaaaaaaaaaaaaUL);
	LLSC("ldxr", "stxr", "w", p, 0x12345678);
	LLSC("ldxrh", "stxrh", "w", p, 0xbeef);
	LLSC("ldxrb", "stxrb", "w", p, 0x5a);
	LLSC("ldaxr", "stlxr", "", p, 0x0102030405060708UL);
	LLSC("ldaxrb", "stlxrb", "w", p + 3, 0x77);
	/* CLREX between the pair: the store must fail and memory stay unchanged. */
	u64 v;
	u32 s;
	__asm__ volatile("ldxr %0, [%2]\n\tclrex\n\tstxr %w1, %3, [%2]" : "=&r"(v), "=&r"(s) : "r"(p), "r"(0xdeadUL) : "memory");
	rt_printf("clrex: status=%u now=%lx\n", s, word[0]);
	/* No load-exclusive at all. */
	__asm__ volatile("clrex\n\tstxr %w0, %1, [%2]" : "=&r"(s) : "r"(0xbeefUL), "r"(p) : "memory");
	rt_printf("no monitor: status=%u now=%lx\n", s, word[0]);
	/* Pairs. */
	u64 a, b;
	__asm__ volatile("ldxp %0, %1, [%3]\n\tstxp %w2, %4, %5, [%3]" : "=&r"(a), "=&r"(b), "=&r"(s)
			 : "r"(p), "r"(0x3333UL), "r"(0x4444UL) : "memory");
	rt_printf("ldxp/stxp: %lx %lx status=%u now=%lx %lx\n", a, b, s, word[0], word[1]);
	__asm__ volatile("ldaxp %w0, %w1, [%3]\n\tstlxp %w2, %w4, %w5, [%3]" : "=&r"(a), "=&r"(b), "=&r"(s)
			 : "r"(p + 16), "r"(0x55UL), "r"(0x66UL) : "memory");
	rt_printf("ldaxp/stlxp w: %lx %lx status=%u now=%lx\n", a, b, s, word[2]);
	/* An atomic increment loop. */
	u64 n = 0;
	for (int i = 0; i < 100; i++) {
		__asm__ volatile("1:\tldxr %0, [%2]\n\tadd %0, %0, #3\n\tstxr %w1, %0, [%2]\n\tcbnz %w1, 1b"
				 : "=&r"(v), "=&r"(s) : "r"(&word[3]) : "memory");
		n += s;
	}
	rt_printf("counter=%lx final-status-sum=%lx\n", word[3], n);
	return 0;
}
