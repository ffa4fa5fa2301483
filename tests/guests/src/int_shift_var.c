/* LSLV/LSRV/ASRV/RORV with amounts 0..65 (the amount is taken modulo the register size). */
#include "test.h"

static const u64 amounts[] = {0, 1, 4, 31, 32, 33, 63, 64, 65, 0xffffffffffffffc1UL};

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i += 2) {
		for (unsigned j = 0; j < sizeof(amounts) / sizeof(amounts[0]); j++) {
			u64 a = EDGE64[i], n = amounts[j];
			rt_printf("%lx %lx: %lx %lx %lx %lx %x %x %x %x\n", a, n, X2("lslv", a, n), X2("lsrv", a, n),
				  X2("asrv", a, n), X2("rorv", a, n), W2("lslv", a, n), W2("lsrv", a, n),
				  W2("asrv", a, n), W2("rorv", a, n));
		}
	}
	return 0;
}
