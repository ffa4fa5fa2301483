/* SMULH/UMULH: the high 64 bits of the 128-bit product. */
#include "test.h"

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		for (unsigned j = 0; j < N_EDGE64; j++) {
			u64 a = EDGE64[i], b = EDGE64[j];
			rt_printf("%lx %lx: %lx %lx\n", a, b, X2("smulh", a, b), X2("umulh", a, b));
		}
	}
	u64 x = 0xdeadbeefcafebabeUL;
	for (int k = 0; k < 16; k++) {
		x = X2("umulh", x, 0x9e3779b97f4a7c15UL) ^ X2("mul", x, 0xbf58476d1ce4e5b9UL);
		rt_printf("chain %lx\n", x);
	}
	return 0;
}
