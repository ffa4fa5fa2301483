/* @guest fp */
/* Vector FP on 4S and 2D: arithmetic, fused multiply-add, compares, conversions, abs/neg/sqrt. */
#include "fp.h"

static void setup(void)
{
	static const u32 fa[4] = {0x3f800000, 0xc0490fdb, 0x7f800000, 0x00000001};
	static const u32 fb[4] = {0x40000000, 0x3eaaaaab, 0xff800000, 0x7fc00000};
	static const u64 da[2] = {0x3ff0000000000001UL, 0xc3e0000000000000UL};
	static const u64 db[2] = {0x3fd5555555555555UL, 0x8000000000000000UL};
	memcpy(VA, fa, 16);
	memcpy(VB, fb, 16);
	memcpy(VC, da, 16);
	(void)db;
}

int main(void)
{
	setup();
	VOP("fadd v2.4s, v0.4s, v1.4s");
	VOP("fsub v2.4s, v0.4s, v1.4s");
	VOP("fmul v2.4s, v0.4s, v1.4s");
	VOP("fdiv v2.4s, v0.4s, v1.4s");
	VOP("fmla v2.4s, v0.4s, v1.4s");
	VOP("fmls v2.4s, v0.4s, v1.4s");
	VOP("fmax v2.4s, v0.4s, v1.4s");
	VOP("fmin v2.4s, v0.4s, v1.4s");
	VOP("fcmeq v2.4s, v0.4s, v1.4s");
	VOP("fcmgt v2.4s, v0.4s, v1.4s");
	VOP("fcmge v2.4s, v0.4s, v1.4s");
	VOP("fabs v2.4s, v1.4s");
	VOP("fneg v2.4s, v0.4s");
	VOP("fsqrt v2.4s, v0.4s");
	VOP("scvtf v2.4s, v0.4s");
	VOP("ucvtf v2.4s, v1.4s");
	VOP("fcvtzs v2.4s, v0.4s");
	VOP("fcvtzu v2.4s, v1.4s");
	VOP("fadd v2.2d, v2.2d, v2.2d");
	VOP("fmul v2.2d, v2.2d, v0.2d");
	VOP("fmla v2.2d, v2.2d, v2.2d");
	VOP("fdiv v2.2d, v2.2d, v1.2d");
	VOP("fsqrt v2.2d, v2.2d");
	VOP("fcvtzs v2.2d, v2.2d");
	VOP("scvtf v2.2d, v2.2d");
	VOP("fcmeq v2.2d, v2.2d, v2.2d");
	VOP("fabs v2.2d, v2.2d");
	VOP("fneg v2.2d, v2.2d");
	VOP("fmax v2.2d, v2.2d, v0.2d");
	VOP("fmin v2.2d, v2.2d, v1.2d");
	return 0;
}
