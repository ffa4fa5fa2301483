/* UDIV/SDIV including division by zero (result 0) and INT_MIN / -1 (result INT_MIN). */
#include "test.h"

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		for (unsigned j = 0; j < N_EDGE64; j++) {
			u64 a = EDGE64[i], b = EDGE64[j];
			rt_printf("%lx %lx: %lx %lx %x %x\n", a, b, X2("udiv", a, b), X2("sdiv", a, b),
				  W2("udiv", a, b), W2("sdiv", a, b));
		}
	}
	rt_show("sdiv -7/2", X2("sdiv", -7L, 2));
	rt_show("sdiv 7/-2", X2("sdiv", 7L, -2L));
	rt_show("sdivw -7/2", W2("sdiv", -7, 2));
	return 0;
}
