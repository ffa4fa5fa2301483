/* @guest fp */
/* AdvSIMD data movement: DUP, INS, UMOV/SMOV, EXT, TBL/TBX, ZIP/UZP/TRN, REV, XTN, MOVI/MVNI/ORR/BIC imm, FMOV vector imm. */
#include "fp.h"

int main(void)
{
	VOP("dup v2.16b, v0.b[13]");
	VOP("dup v2.8h, v1.h[7]");
	VOP("dup v2.2d, v0.d[1]");
	VOP("mov x9, #0x1234\n\tdup v2.4s, w9");
	VOP("mov x9, #-7\n\tdup v2.2d, x9");
	VOP("ins v2.b[3], v0.b[9]");
	VOP("ins v2.s[1], v1.s[3]");
	VOP("mov x9, #0xab\n\tins v2.b[15], w9");
	VOP("mov x9, #-1\n\tins v2.d[0], x9");
	VOPX("umov w9, v0.b[2]");
	VOPX("umov w9, v0.h[5]");
	VOPX("mov x9, v0.d[1]");
	VOPX("smov x9, v0.b[3]");
	VOPX("smov w9, v0.h[6]");
	VOPX("smov x9, v1.s[2]");
	VOP("ext v2.16b, v0.16b, v1.16b, #5");
	VOP("ext v2.8b, v0.8b, v1.8b, #3");
	VOP("movi v3.16b, #0x0e\n\tand v3.16b, v3.16b, v1.16b\n\ttbl v2.16b, {v0.16b}, v3.16b");
	VOP("tbl v2.16b, {v0.16b}, v1.16b");
	VOP("tbx v2.16b, {v0.16b}, v1.16b");
	VOP("mov v3.16b, v1.16b\n\tmovi v4.16b, #0x1f\n\tand v4.16b, v4.16b, v1.16b\n\ttbl v2.16b, {v0.16b, v1.16b}, v4.16b");
	VOP("zip1 v2.16b, v0.16b, v1.16b");
	VOP("zip2 v2.8h, v0.8h, v1.8h");
	VOP("uzp1 v2.16b, v0.16b, v1.16b");
	VOP("uzp2 v2.4s, v0.4s, v1.4s");
	VOP("trn1 v2.16b, v0.16b, v1.16b");
	VOP("trn2 v2.8h, v0.8h, v1.8h");
	VOP("rev16 v2.16b, v0.16b");
	VOP("rev32 v2.8h, v0.8h");
	VOP("rev64 v2.16b, v0.16b");
	VOP("xtn v2.8b, v0.8h");
	VOP("xtn2 v2.8h, v0.4s");
	VOP("movi v2.16b, #0xa5");
	VOP("movi v2.4s, #0x12, lsl #16");
	VOP("movi v2.8h, #0x34, lsl #8");
	VOP("movi v2.2d, #0xff00ff0000ffff00");
	VOP("movi v2.4s, #0x56, msl #8");
	VOP("mvni v2.4s, #0x78, lsl #24");
	VOP("orr v2.4s, #0x80, lsl #8");
	VOP("bic v2.8h, #0xff");
	VOP("fmov v2.4s, #1.5");
	VOP("fmov v2.2d, #-0.125");
	VOP("mov v2.16b, v1.16b");
	VOP("mov v2.d[1], v0.d[0]");
	return 0;
}
