/* RBIT/REV/REV16/REV32/CLZ/CLS, 64- and 32-bit. */
#include "test.h"

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		u64 a = EDGE64[i];
		rt_printf("%lx: %lx %lx %lx %lx %lx %lx | %x %x %x %x %x\n", a, X1("rbit", a), X1("rev", a),
			  X1("rev16", a), X1("rev32", a), X1("clz", a), X1("cls", a), W1("rbit", a), W1("rev", a),
			  W1("rev16", a), W1("clz", a), W1("cls", a));
	}
	for (unsigned s = 0; s < 64; s++) {
		u64 v = 1UL << s;
		rt_printf("%u:%lx,%lx,%x ", s, X1("clz", v), X1("cls", v), W1("cls", ~(u32)v));
	}
	rt_printf("\n");
	return 0;
}
