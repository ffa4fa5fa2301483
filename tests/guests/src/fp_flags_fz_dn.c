/* @guest fp */
/* FPSR cumulative flags (IOC DZC OFC UFC IXC IDC) and FPCR.FZ (flush-to-zero) and FPCR.DN (default NaN). */
#include "fp.h"

static void run(const char *label)
{
	struct { const char *name; u64 a, b; } cases[] = {
		{"0/0", 0, 0},
		{"1/0", 0x3ff0000000000000UL, 0},
		{"max*max", 0x7fefffffffffffffUL, 0x7fefffffffffffffUL},
		{"tiny*tiny", 0x0010000000000000UL, 0x3fe0000000000000UL},
		{"denorm+0", 0x000fffffffffffffUL, 0},
		{"denorm*1", 0x0000000000000001UL, 0x3ff0000000000000UL},
		{"1/3", 0x3ff0000000000000UL, 0x4008000000000000UL},
		{"snan+1", 0x7ff0000000000001UL, 0x3ff0000000000000UL},
		{"qnan+snan", 0x7ff8000000000123UL, 0xfff0000000000456UL},
		{"inf-inf", 0x7ff0000000000000UL, 0x7ff0000000000000UL},
	};
	rt_printf("%s\n", label);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		u64 r1, r2, r3;
		u32 f1, f2, f3;
		fpsr_clear(); r1 = D2("fdiv", cases[i].a, cases[i].b); f1 = fpsr_get();
		fpsr_clear(); r2 = D2("fmul", cases[i].a, cases[i].b); f2 = fpsr_get();
		fpsr_clear(); r3 = D2("fsub", cases[i].a, cases[i].b); f3 = fpsr_get();
		rt_printf(" %-10s div=%lx/%x mul=%lx/%x sub=%lx/%x\n", cases[i].name, r1, f1, r2, f2, r3, f3);
	}
	u32 fs;
	fpsr_clear();
	u32 s = S2("fmul", 0x00800000, 0x3f000000);
	fs = fpsr_get();
	rt_printf(" single min*0.5=%x/%x\n", s, fs);
	/* Cumulative: flags accumulate until cleared. */
	fpsr_clear();
	(void)D2("fdiv", 0x3ff0000000000000UL, 0);
	(void)D2("fdiv", 0x3ff0000000000000UL, 0x4008000000000000UL);
	rt_printf(" cumulative=%x\n", fpsr_get());
}

int main(void)
{
	fpcr_set(0);
	run("default");
	fpcr_set(FPCR_FZ);
	run("FZ");
	fpcr_set(FPCR_DN);
	run("DN");
	fpcr_set(FPCR_FZ | FPCR_DN | FPCR_RMODE_RZ);
	run("FZ+DN+RZ");
	fpcr_set(0);
	return 0;
}
