/* @guest fp */
/* String and memory routines written the way glibc's AdvSIMD versions work (CMEQ, UMAXV, ADDP, SHRN masks, TBL). */
#include "fp.h"

static const char text[] __attribute__((aligned(16))) =
	"The quick brown fox jumps over the lazy dog; 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ!";

/* strlen: 16 bytes at a time, CMEQ against zero, UMAXV to test, then the SHRN nibble-mask trick. */
static u64 simd_strlen(const char *s)
{
	u64 n = 0;
	for (;;) {
		u64 mask, any;
		__asm__ volatile("ld1 {v0.16b}, [%2]\n\tcmeq v0.16b, v0.16b, #0\n\tumaxv b1, v0.16b\n\tfmov %w1, s1\n\t"
				 "shrn v0.8b, v0.8h, #4\n\tfmov %0, d0"
				 : "=r"(mask), "=r"(any) : "r"(s + n) : "v0", "v1", "memory");
		if (any)
			return n + (u64)__builtin_ctzl(mask) / 4;
		n += 16;
	}
}

/* memchr-like: position of the first byte equal to c within 16-byte blocks, or -1. */
static s64 simd_memchr(const char *s, u8 c, u64 len)
{
	for (u64 off = 0; off < len; off += 16) {
		u64 mask;
		__asm__ volatile("dup v2.16b, %w2\n\tld1 {v0.16b}, [%1]\n\tcmeq v0.16b, v0.16b, v2.16b\n\t"
				 "addp v0.16b, v0.16b, v0.16b\n\taddp v0.16b, v0.16b, v0.16b\n\tfmov %0, d0"
				 : "=r"(mask) : "r"(s + off), "r"((u32)c) : "v0", "v2", "memory");
		(void)mask;
		u64 m2;
		__asm__ volatile("dup v2.16b, %w2\n\tld1 {v0.16b}, [%1]\n\tcmeq v0.16b, v0.16b, v2.16b\n\tshrn v0.8b, v0.8h, #4\n\tfmov %0, d0"
				 : "=r"(m2) : "r"(s + off), "r"((u32)c) : "v0", "v2", "memory");
		if (m2) {
			u64 pos = off + (u64)__builtin_ctzl(m2) / 4;
			return pos < len ? (s64)pos : -1;
		}
	}
	return -1;
}

/* strcmp-like over equal-length blocks: first differing index via CMEQ + NOT + UMAXV. */
static s64 simd_first_diff(const char *a, const char *b, u64 len)
{
	for (u64 off = 0; off < len; off += 16) {
		u64 m;
		__asm__ volatile("ld1 {v0.16b}, [%1]\n\tld1 {v1.16b}, [%2]\n\tcmeq v0.16b, v0.16b, v1.16b\n\tnot v0.16b, v0.16b\n\t"
				 "shrn v0.8b, v0.8h, #4\n\tfmov %0, d0"
				 : "=r"(m) : "r"(a + off), "r"(b + off) : "v0", "v1", "memory");
		if (m)
			return (s64)(off + (u64)__builtin_ctzl(m) / 4);
	}
	return -1;
}

/* Upper-casing with compares and masks (like a vectorised toupper). */
static void simd_upper(char *dst, const char *src, u64 len)
{
	for (u64 off = 0; off < len; off += 16) {
		__asm__ volatile("ld1 {v0.16b}, [%1]\n\tmovi v1.16b, #0x61\n\tmovi v2.16b, #0x7a\n\t"
				 "cmhs v3.16b, v0.16b, v1.16b\n\tcmhs v4.16b, v2.16b, v0.16b\n\tand v3.16b, v3.16b, v4.16b\n\t"
				 "movi v5.16b, #0x20\n\tand v3.16b, v3.16b, v5.16b\n\teor v0.16b, v0.16b, v3.16b\n\tst1 {v0.16b}, [%0]"
				 : : "r"(dst + off), "r"(src + off) : "v0", "v1", "v2", "v3", "v4", "v5", "memory");
	}
}

static char buf[128] __attribute__((aligned(16)));
static char buf2[128] __attribute__((aligned(16)));

int main(void)
{
	rt_mmu_identity_on(12);
	u64 len = simd_strlen(text);
	rt_printf("strlen=%lu\n", len);
	for (int i = 0; i < 5; i++) {
		static const char *const probes = "qz;!#";
		rt_printf("memchr('%c')=%ld\n", probes[i], simd_memchr(text, (u8)probes[i], len));
	}
	memcpy(buf, text, sizeof(text));
	memcpy(buf2, text, sizeof(text));
	buf2[77] = 'X';
	rt_printf("first diff=%ld, same=%ld\n", simd_first_diff(buf, buf2, 112), simd_first_diff(buf, buf, 112));
	simd_upper(buf2, text, 112);
	buf2[len] = 0;
	rt_printf("upper: %s\n", buf2);
	return 0;
}
