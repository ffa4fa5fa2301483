/*
 * Code written at run time (a JIT's pattern): store instructions, clean the
 * data cache and invalidate the instruction cache to the point of
 * unification (DC CVAU, DSB, IC IVAU, DSB, ISB), then call them; rewrite and
 * call again. Results are printed only after the required maintenance.
 */
#include "test.h"

static u32 code[64] __attribute__((aligned(64)));

static void sync_code(void *p, size_t n)
{
	for (u64 a = (u64)p & ~63UL; a < (u64)p + n; a += 64)
		__asm__ volatile("dc cvau, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb ish" ::: "memory");
	for (u64 a = (u64)p & ~63UL; a < (u64)p + n; a += 64)
		__asm__ volatile("ic ivau, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");
}

/* MOVZ X0, #imm16; ADD X0, X0, X1; RET. */
static void emit(u32 *p, u16 imm)
{
	p[0] = 0xd2800000u | ((u32)imm << 5);
	p[1] = 0x8b010000u;
	p[2] = 0xd65f03c0u;
}

static u64 call(u32 *p, u64 arg)
{
	register u64 x1 __asm__("x1") = arg;
	register u64 x0 __asm__("x0");
	__asm__ volatile("blr %2" : "=r"(x0), "+r"(x1) : "r"(p) : "x30", "memory");
	return x0;
}

static void round_trip(const char *label)
{
	emit(code, 0x1234);
	sync_code(code, 12);
	u64 a = call(code, 1);
	emit(code, 0x4321);
	sync_code(code, 12);
	u64 b = call(code, 2);
	/* A longer routine: a loop summing 1..n in code that is then patched to multiply. */
	static const u32 loop[] = {
		0xd2800000u, /* mov x0, #0 */
		0x8b010000u, /* 1: add x0, x0, x1 */
		0xf1000421u, /* subs x1, x1, #1 */
		0x54ffffc1u, /* b.ne 1b */
		0xd65f03c0u, /* ret */
	};
	memcpy(code + 16, loop, sizeof(loop));
	sync_code(code + 16, sizeof(loop));
	u64 c = call(code + 16, 100);
	code[17] = 0x9b017c00u; /* mul x0, x0, x1 (x0 starts at 0: result 0) */
	code[16] = 0xd2800020u; /* mov x0, #1: factorial instead */
	sync_code(code + 16, sizeof(loop));
	u64 d = call(code + 16, 10);
	rt_printf("%s: %lx %lx sum=%lu fact=%lu\n", label, a, b, c, d);
}

int main(void)
{
	round_trip("MMU off");
	rt_mmu_identity_on(12);
	round_trip("MMU on");
	return 0;
}
