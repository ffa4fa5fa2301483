/* @guest fp */
/* AdvSIMD integer arithmetic, compares, reductions, saturation, multiply, logic and bit counts. */
#include "fp.h"

int main(void)
{
	VOP("add v2.16b, v0.16b, v1.16b");
	VOP("add v2.8h, v0.8h, v1.8h");
	VOP("sub v2.4s, v0.4s, v1.4s");
	VOP("sub v2.2d, v0.2d, v1.2d");
	VOP("add v2.8b, v0.8b, v1.8b");
	VOP("addp v2.16b, v0.16b, v1.16b");
	VOP("addp v2.4s, v0.4s, v1.4s");
	VOP("addp d2, v0.2d");
	VOP("cmeq v2.16b, v0.16b, v1.16b");
	VOP("cmhi v2.16b, v0.16b, v1.16b");
	VOP("cmhs v2.8h, v0.8h, v1.8h");
	VOP("cmgt v2.16b, v0.16b, v1.16b");
	VOP("cmge v2.4s, v0.4s, v1.4s");
	VOP("cmtst v2.16b, v0.16b, v1.16b");
	VOP("cmeq v2.16b, v0.16b, #0");
	VOP("cmle v2.8h, v0.8h, #0");
	VOP("cmlt v2.16b, v0.16b, #0");
	VOP("cmgt v2.2d, v0.2d, #0");
	VOP("umaxv b2, v0.16b");
	VOP("uminv b2, v0.16b");
	VOP("smaxv h2, v0.8h");
	VOP("sminv s2, v0.4s");
	VOP("addv b2, v0.16b");
	VOP("uaddlv h2, v0.16b");
	VOP("saddlv s2, v0.8h");
	VOP("umaxp v2.16b, v0.16b, v1.16b");
	VOP("uminp v2.8h, v0.8h, v1.8h");
	VOP("umax v2.16b, v0.16b, v1.16b");
	VOP("umin v2.4s, v0.4s, v1.4s");
	VOP("smax v2.16b, v0.16b, v1.16b");
	VOP("smin v2.8h, v0.8h, v1.8h");
	VOP("uqadd v2.16b, v0.16b, v1.16b");
	VOP("uqsub v2.16b, v0.16b, v1.16b");
	VOP("sqadd v2.8h, v0.8h, v1.8h");
	VOP("sqsub v2.16b, v0.16b, v1.16b");
	VOP("uabd v2.16b, v0.16b, v1.16b");
	VOP("sabd v2.8h, v0.8h, v1.8h");
	VOP("mul v2.16b, v0.16b, v1.16b");
	VOP("mul v2.4s, v0.4s, v1.4s");
	VOP("mla v2.8h, v0.8h, v1.8h");
	VOP("mls v2.4s, v0.4s, v1.4s");
	VOP("mul v2.8h, v0.8h, v1.h[3]");
	VOP("mla v2.4s, v0.4s, v1.s[2]");
	VOP("umull v2.8h, v0.8b, v1.8b");
	VOP("umull2 v2.4s, v0.8h, v1.8h");
	VOP("smull v2.2d, v0.2s, v1.2s");
	VOP("umlal v2.8h, v0.8b, v1.8b");
	VOP("uaddw v2.8h, v2.8h, v0.8b");
	VOP("usubw2 v2.4s, v2.4s, v0.8h");
	VOP("addhn v2.8b, v0.8h, v1.8h");
	VOP("neg v2.16b, v0.16b");
	VOP("abs v2.8h, v0.8h");
	VOP("cnt v2.16b, v0.16b");
	VOP("clz v2.16b, v0.16b");
	VOP("cls v2.4s, v0.4s");
	VOP("and v2.16b, v0.16b, v1.16b");
	VOP("orr v2.16b, v0.16b, v1.16b");
	VOP("eor v2.16b, v0.16b, v1.16b");
	VOP("bic v2.16b, v0.16b, v1.16b");
	VOP("orn v2.16b, v0.16b, v1.16b");
	VOP("bsl v2.16b, v0.16b, v1.16b");
	VOP("bit v2.16b, v0.16b, v1.16b");
	VOP("bif v2.16b, v0.16b, v1.16b");
	VOP("not v2.16b, v0.16b");
	VOP("add d2, d0, d1");
	VOP("sub d2, d0, d1");
	VOP("cmeq d2, d0, d1");
	return 0;
}
