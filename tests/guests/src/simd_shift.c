/* @guest fp */
/* AdvSIMD shifts: SHL, USHR/SSHR, USRA/SSRA, SRI/SLI, USHL/SSHL, SHRN/RSHRN, USHLL/SSHLL (UXTL/SXTL). */
#include "fp.h"

int main(void)
{
	VOP("shl v2.16b, v0.16b, #3");
	VOP("shl v2.2d, v0.2d, #63");
	VOP("ushr v2.16b, v0.16b, #1");
	VOP("ushr v2.8h, v0.8h, #16");
	VOP("sshr v2.16b, v0.16b, #7");
	VOP("sshr v2.4s, v0.4s, #32");
	VOP("sshr d2, d0, #5");
	VOP("usra v2.16b, v0.16b, #2");
	VOP("ssra v2.8h, v0.8h, #3");
	VOP("sri v2.16b, v0.16b, #4");
	VOP("sli v2.4s, v0.4s, #9");
	VOP("ushl v2.16b, v0.16b, v1.16b");
	VOP("sshl v2.8h, v0.8h, v1.8h");
	VOP("ushl v2.2d, v0.2d, v1.2d");
	VOP("sshl d2, d0, d1");
	VOP("shrn v2.8b, v0.8h, #4");
	VOP("shrn2 v2.16b, v0.8h, #8");
	VOP("rshrn v2.4h, v0.4s, #7");
	VOP("rshrn2 v2.4s, v0.2d, #32");
	VOP("ushll v2.8h, v0.8b, #0");
	VOP("ushll2 v2.4s, v0.8h, #3");
	VOP("sshll v2.2d, v0.2s, #1");
	VOP("sshll2 v2.8h, v0.16b, #0");
	VOP("uxtl v2.4s, v1.4h");
	VOP("sxtl2 v2.2d, v1.4s");
	return 0;
}
