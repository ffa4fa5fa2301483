/* @guest fp */
/* Double-precision FADD/FSUB/FMUL/FDIV/FNMUL/FMAX/FMIN/FMAXNM/FMINNM/FMADD on edge values, with FPSR. */
#include "fp.h"

int main(void)
{
	fpcr_set(0);
	for (unsigned i = 0; i < N_FP64_EDGE; i++) {
		for (unsigned j = 0; j < N_FP64_EDGE; j++) {
			u64 a = FP64_EDGE[i], b = FP64_EDGE[j];
			rt_printf("%lx %lx:", a, b);
			fpsr_clear(); rt_printf(" add=%lx/%x", D2("fadd", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" sub=%lx/%x", D2("fsub", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" mul=%lx/%x", D2("fmul", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" div=%lx/%x", D2("fdiv", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" nmul=%lx/%x", D2("fnmul", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" max=%lx/%x", D2("fmax", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" min=%lx/%x", D2("fmin", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" maxnm=%lx/%x", D2("fmaxnm", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" minnm=%lx/%x", D2("fminnm", a, b), fpsr_get());
			fpsr_clear(); rt_printf(" madd=%lx/%x", D3("fmadd", a, b, 0x3cb0000000000000UL), fpsr_get());
			fpsr_clear(); rt_printf(" nmsub=%lx/%x\n", D3("fnmsub", a, b, a), fpsr_get());
		}
	}
	return 0;
}
