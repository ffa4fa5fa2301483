/* Every condition code evaluated after SUBS/ADDS on edge pairs (CSET per condition). */
#include "test.h"

#define C1(cond) ({ u64 __r; __asm__ volatile("cset %0, " cond : "=r"(__r)); (unsigned)__r; })
/* CSET cannot name AL/NV; CSINC with those conditions always selects the first operand. */
#define CSINC_AL() ({ u64 __r; __asm__ volatile("csinc %0, xzr, xzr, al" : "=r"(__r)); (unsigned)__r; })
#define CSINC_NV() ({ u64 __r; __asm__ volatile("csinc %0, xzr, xzr, nv" : "=r"(__r)); (unsigned)__r; })
static unsigned all_conds(void)
{
	return C1("eq") | C1("ne") << 1 | C1("cs") << 2 | C1("cc") << 3 | C1("mi") << 4 | C1("pl") << 5 |
	       C1("vs") << 6 | C1("vc") << 7 | C1("hi") << 8 | C1("ls") << 9 | C1("ge") << 10 |
	       C1("lt") << 11 | C1("gt") << 12 | C1("le") << 13 | CSINC_AL() << 14 | CSINC_NV() << 15;
}

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		for (unsigned j = 0; j < N_EDGE64; j++) {
			u64 a = EDGE64[i], b = EDGE64[j];
			unsigned f;
			(void)f;
			(void)X2F("subs", a, b, f);
			unsigned c1 = all_conds();
			(void)W2F("adds", a, b, f);
			unsigned c2 = all_conds();
			rt_printf("%lx %lx %04x %04x\n", a, b, c1, c2);
		}
	}
	return 0;
}
