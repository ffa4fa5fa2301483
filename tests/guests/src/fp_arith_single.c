/* @guest fp */
/* Single-precision arithmetic on edge values, plus FSQRT/FABS/FNEG in both precisions, with FPSR. */
#include "fp.h"

int main(void)
{
	fpcr_set(0);
	for (unsigned i = 0; i < N_FP32_EDGE; i++) {
		for (unsigned j = 0; j < N_FP32_EDGE; j++) {
			u32 a = FP32_EDGE[i], b = FP32_EDGE[j];
			rt_printf("%x %x:", a, b);
			fpsr_clear(); rt_printf(" add=%x/%x", S2("fadd", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" sub=%x/%x", S2("fsub", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" mul=%x/%x", S2("fmul", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" div=%x/%x", S2("fdiv", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" maxnm=%x/%x", S2("fmaxnm", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" msub=%x/%x\n", S3("fmsub", a, b, 0x3f800001), fpsr_get());
		}
	}
	for (unsigned i = 0; i < N_FP64_EDGE; i++) {
		u64 a = FP64_EDGE[i];
		u32 s = FP32_EDGE[i];
		fpsr_clear();
		u64 sq = D1("fsqrt", a);
		u32 f1 = fpsr_get();
		fpsr_clear();
		u32 sqs = S1("fsqrt", s);
		u32 f2 = fpsr_get();
		rt_printf("sqrt %lx=%lx/%x %x=%x/%x abs=%lx neg=%lx abss=%x negs=%x\n", a, sq, f1, s, sqs, f2,
			  D1("fabs", a), D1("fneg", a), S1("fabs", s), S1("fneg", s));
	}
	return 0;
}
