/*
 * C side of the fuzz guest (the generated assembly calls these): scratch
 * memory set-up, the per-sequence report line, and main().
 *
 * Full report line: "<index> <x0> ... <x30> n<NZCV> m<scratch hash>" and,
 * for FP batches, " f<FPSR> <v0> ... <v7>" (each V register as 32 hex digits,
 * high half first). Digest report line (bulk runs): "<index> d<digest>", a
 * 64-bit hash of exactly the same state, 25 bytes instead of ~600, so a
 * million-instruction comparison spends its time in the random instructions
 * rather than in printing; a digest mismatch is re-run in full mode by the
 * host. All hex, no timing-dependent values.
 */
#include "rt.h"

#define FUZZ_SCRATCH_SIZE 1024 /* tests/diff/fuzz/layout.ts SCRATCH_SIZE */

u8 fuzz_scratch[FUZZ_SCRATCH_SIZE] __attribute__((aligned(64)));
/* x0..x30, NZCV, FPSR, padding, then V0..V7 as 16 u64 (low, high). Filled by fuzz_exit (template.ts). */
u64 fuzz_state[31 + 3 + 16] __attribute__((aligned(16)));

void fuzz_main(void);
extern const int fuzz_with_fp;
extern const int fuzz_full_report;

static void hex(u64 v, int digits)
{
	static const char xd[] = "0123456789abcdef";
	for (int s = (digits - 1) * 4; s >= 0; s -= 4)
		rt_putc(xd[(v >> s) & 15]);
}

/** Fill the scratch buffer from the sequence's seed (seed[27]): a Weyl sequence, cheap and varied. */
void fuzz_fill(const u64 *seed)
{
	u64 x = seed[27];
	u64 *p = (u64 *)fuzz_scratch;
	for (int i = 0; i < FUZZ_SCRATCH_SIZE / 8; i++) {
		p[i] = x;
		x += 0x9e3779b97f4a7c15UL;
	}
}

/** Mix one 64-bit word into a running hash (multiply-xorshift). */
static u64 mix(u64 h, u64 w)
{
	h ^= w;
	h *= 0xbf58476d1ce4e5b9UL;
	return h ^ (h >> 31);
}

static u64 scratch_hash(void)
{
	const u64 *p = (const u64 *)fuzz_scratch;
	u64 h = 0x243f6a8885a308d3UL;
	for (int i = 0; i < FUZZ_SCRATCH_SIZE / 8; i++)
		h = mix(h, p[i]);
	return h;
}

void fuzz_report(const u64 *seed)
{
	hex(seed[28], 5);
	if (!fuzz_full_report) {
		u64 h = scratch_hash();
		h = mix(h, fuzz_state[31] >> 28);
		for (int i = 0; i < 31; i++)
			h = mix(h, fuzz_state[i]);
		if (fuzz_with_fp)
			for (int i = 32; i < 50; i++)
				h = mix(h, fuzz_state[i]);
		rt_puts(" d");
		hex(h, 16);
		rt_putc('\n');
		return;
	}
	for (int i = 0; i < 31; i++) {
		rt_putc(' ');
		hex(fuzz_state[i], 16);
	}
	rt_puts(" n");
	hex(fuzz_state[31] >> 28, 1);
	rt_puts(" m");
	hex(scratch_hash(), 16);
	if (fuzz_with_fp) {
		rt_puts(" f");
		hex(fuzz_state[32], 8);
		for (int i = 0; i < 8; i++) {
			rt_putc(' ');
			hex(fuzz_state[34 + 2 * i + 1], 16);
			hex(fuzz_state[34 + 2 * i], 16);
		}
	}
	rt_putc('\n');
}

int main(void)
{
	/* Normal memory, so the random unaligned accesses are architecturally allowed. */
	rt_mmu_identity_on(12);
	fuzz_main();
	return 0;
}
