/* @guest fp */
/* FCMP/FCMPE (incl. with #0.0) NZCV and IOC, FCCMP/FCCMPE, FCSEL, FMOV (imm, general <-> FP, top half). */
#include "fp.h"

int main(void)
{
	fpcr_set(0);
	for (unsigned i = 0; i < N_FP64_EDGE; i += 1) {
		for (unsigned j = 0; j < N_FP64_EDGE; j += 3) {
			u64 a = FP64_EDGE[i], b = FP64_EDGE[j];
			u64 f1, f2, f3, f4;
			fpsr_clear();
			__asm__ volatile("fcmp %d1, %d2\n\tmrs %0, nzcv" : "=r"(f1) : "w"(u2d(a)), "w"(u2d(b)) : "cc");
			u32 s1 = fpsr_get();
			fpsr_clear();
			__asm__ volatile("fcmpe %d1, %d2\n\tmrs %0, nzcv" : "=r"(f2) : "w"(u2d(a)), "w"(u2d(b)) : "cc");
			u32 s2 = fpsr_get();
			fpsr_clear();
			__asm__ volatile("msr nzcv, xzr\n\tfccmp %d1, %d2, #0xa, eq\n\tmrs %0, nzcv" : "=r"(f3) : "w"(u2d(a)), "w"(u2d(b)) : "cc");
			__asm__ volatile("msr nzcv, xzr\n\tfccmpe %d1, %d2, #0x3, ne\n\tmrs %0, nzcv" : "=r"(f4) : "w"(u2d(a)), "w"(u2d(b)) : "cc");
			u32 s3 = fpsr_get();
			double sel;
			__asm__ volatile("fcmp %d1, %d2\n\tfcsel %d0, %d1, %d2, gt" : "=w"(sel) : "w"(u2d(a)), "w"(u2d(b)) : "cc");
			rt_printf("%lx %lx: fcmp=%lx/%x fcmpe=%lx/%x fccmp=%lx fccmpe=%lx/%x fcsel=%lx\n", a, b, f1 >> 28, s1,
				  f2 >> 28, s2, f3 >> 28, f4 >> 28, s3, d2u(sel));
		}
		u64 z;
		__asm__ volatile("fcmp %d1, #0.0\n\tmrs %0, nzcv" : "=r"(z) : "w"(u2d(FP64_EDGE[i])) : "cc");
		u64 zs;
		__asm__ volatile("fcmp %s1, #0.0\n\tmrs %0, nzcv" : "=r"(zs) : "w"(u2f(FP32_EDGE[i])) : "cc");
		rt_printf("vs zero: %lx %lx\n", z >> 28, zs >> 28);
	}
	double d;
	float f;
	__asm__ volatile("fmov %d0, #-1.25" : "=w"(d));
	__asm__ volatile("fmov %s0, #31.0" : "=w"(f));
	rt_printf("fmov imm %lx %x\n", d2u(d), f2u(f));
	u64 top, lo;
	__asm__ volatile("movi v3.2d, #0\n\tfmov v3.d[1], %2\n\tfmov %1, d3\n\tfmov %0, v3.d[1]" : "=r"(top), "=r"(lo) : "r"(0x1122334455667788UL) : "v3");
	rt_printf("fmov top half %lx low %lx\n", top, lo);
	u32 w;
	__asm__ volatile("fmov s4, %w1\n\tfmov %w0, s4" : "=r"(w) : "r"(0xdeadbeefu) : "v4");
	rt_printf("fmov w<->s %x\n", w);
	return 0;
}
