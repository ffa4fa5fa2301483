/* ADD/SUB/ADDS/SUBS (shifted register), 64- and 32-bit, over edge values; NZCV printed. */
#include "test.h"

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		for (unsigned j = 0; j < N_EDGE64; j++) {
			u64 a = EDGE64[i], b = EDGE64[j];
			unsigned f1, f2, f3, f4;
			u64 r1 = X2F("adds", a, b, f1);
			u64 r2 = X2F("subs", a, b, f2);
			u32 r3 = W2F("adds", a, b, f3);
			u32 r4 = W2F("subs", a, b, f4);
			rt_printf("%lx %lx adds=%lx/%x subs=%lx/%x addsw=%x/%x subsw=%x/%x\n", a, b, r1, f1,
				  r2, f2, r3, f3, r4, f4);
		}
	}
	u64 a = 0x0123456789abcdefUL, b = 0xf0f0f0f00f0f0f0fUL;
	rt_show("add lsl1", ({ u64 r; __asm__("add %0, %1, %2, lsl #1" : "=r"(r) : "r"(a), "r"(b)); r; }));
	rt_show("add lsr63", ({ u64 r; __asm__("add %0, %1, %2, lsr #63" : "=r"(r) : "r"(a), "r"(b)); r; }));
	rt_show("sub asr17", ({ u64 r; __asm__("sub %0, %1, %2, asr #17" : "=r"(r) : "r"(a), "r"(b)); r; }));
	rt_show("addw lsl31", ({ u32 r; __asm__("add %w0, %w1, %w2, lsl #31" : "=r"(r) : "r"(a), "r"(b)); r; }));
	rt_show("subw asr5", ({ u32 r; __asm__("sub %w0, %w1, %w2, asr #5" : "=r"(r) : "r"(a), "r"(b)); r; }));
	rt_show("neg", X1("neg", a));
	rt_show("negw", W1("neg", a));
	unsigned f;
	u64 r = X2F("subs", 5, 5, f);
	rt_printf("cmp equal r=%lx nzcv=%x\n", r, f);
	return 0;
}
