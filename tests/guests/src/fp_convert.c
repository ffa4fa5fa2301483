/* @guest fp */
/* FCVT* to integers (all rounding variants, saturation, IOC/IXC), SCVTF/UCVTF, FCVT between H/S/D, fixed point. */
#include "fp.h"

#define CVT(insn, reg, a) ({ u64 __r; __asm__ volatile(insn " %" reg "0, %d1" : "=r"(__r) : "w"(u2d(a))); __r; })
#define CVTS(insn, reg, a) ({ u64 __r; __asm__ volatile(insn " %" reg "0, %s1" : "=r"(__r) : "w"(u2f(a))); __r; })

static const u64 conv_in[] = {
	0x3fe0000000000000UL, 0xbfe0000000000000UL, 0x3ff8000000000000UL, 0xc004000000000000UL,
	0x41dfffffffc00000UL, 0x41e0000000000000UL, 0xc1e0000000200000UL, 0x43e0000000000000UL,
	0xc3e0000000000000UL, 0x7ff0000000000000UL, 0x7ff8000000000000UL, 0x0000000000000001UL,
	0x4415af1d78b58c40UL, 0xbff0000000000001UL, 0x4002000000000000UL, 0x8000000000000000UL,
};

int main(void)
{
	fpcr_set(0);
	for (unsigned i = 0; i < sizeof(conv_in) / sizeof(conv_in[0]); i++) {
		u64 a = conv_in[i];
		rt_printf("%lx:", a);
		fpsr_clear(); rt_printf(" zsw=%lx", CVT("fcvtzs", "w", a));
		rt_printf(" zsx=%lx", CVT("fcvtzs", "x", a));
		rt_printf(" zuw=%lx", CVT("fcvtzu", "w", a));
		rt_printf(" zux=%lx", CVT("fcvtzu", "x", a));
		rt_printf(" nsx=%lx", CVT("fcvtns", "x", a));
		rt_printf(" nuw=%lx", CVT("fcvtnu", "w", a));
		rt_printf(" msx=%lx", CVT("fcvtms", "x", a));
		rt_printf(" psx=%lx", CVT("fcvtps", "x", a));
		rt_printf(" asx=%lx", CVT("fcvtas", "x", a));
		rt_printf(" auw=%lx", CVT("fcvtau", "w", a));
		rt_printf(" fpsr=%x", fpsr_get());
		float s;
		__asm__ volatile("fcvt %s0, %d1" : "=w"(s) : "w"(u2d(a)));
		fpsr_clear();
		rt_printf(" d2s=%x", f2u(s));
		__asm__ volatile("fcvt %s0, %d1" : "=w"(s) : "w"(u2d(a)));
		rt_printf("/%x", fpsr_get());
		u16 h;
		fpsr_clear();
		__asm__ volatile("fcvt h0, %d1\n\tumov %w0, v0.h[0]" : "=r"(h) : "w"(u2d(a)) : "v0");
		rt_printf(" d2h=%x/%x\n", h, fpsr_get());
	}
	for (unsigned i = 0; i < N_EDGE64; i++) {
		u64 v = EDGE64[i];
		double d1, d2;
		float s1, s2;
		fpsr_clear();
		__asm__ volatile("scvtf %d0, %1" : "=w"(d1) : "r"(v));
		__asm__ volatile("ucvtf %d0, %1" : "=w"(d2) : "r"(v));
		__asm__ volatile("scvtf %s0, %w1" : "=w"(s1) : "r"(v));
		__asm__ volatile("ucvtf %s0, %1" : "=w"(s2) : "r"(v));
		double fx;
		__asm__ volatile("scvtf %d0, %1, #16" : "=w"(fx) : "r"(v));
		rt_printf("int %lx: scvtf=%lx ucvtf=%lx scvtfw.s=%x ucvtf.s=%x fixed16=%lx fpsr=%x\n", v, d2u(d1), d2u(d2),
			  f2u(s1), f2u(s2), d2u(fx), fpsr_get());
	}
	for (unsigned i = 0; i < N_FP32_EDGE; i++) {
		u32 s = FP32_EDGE[i];
		double d;
		fpsr_clear();
		__asm__ volatile("fcvt %d0, %s1" : "=w"(d) : "w"(u2f(s)));
		u64 fix;
		__asm__ volatile("fcvtzs %0, %s1, #8" : "=r"(fix) : "w"(u2f(s)));
		rt_printf("s %x: s2d=%lx fcvtzs#8=%lx zsw=%lx fpsr=%x\n", s, d2u(d), fix, CVTS("fcvtzs", "w", s), fpsr_get());
	}
	/* Half precision to single and double. */
	static const u16 halves[] = {0x0000, 0x8000, 0x3c00, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0x7e00, 0x7d00, 0xfc00};
	for (unsigned i = 0; i < sizeof(halves) / sizeof(halves[0]); i++) {
		u32 hs;
		u64 hd;
		fpsr_clear();
		__asm__ volatile("dup v0.8h, %w2\n\tfcvt s1, h0\n\tfmov %w0, s1\n\tfcvt d1, h0\n\tfmov %1, d1"
				 : "=r"(hs), "=r"(hd) : "r"((u32)halves[i]) : "v0", "v1");
		rt_printf("h %x: s=%x d=%lx fpsr=%x\n", halves[i], hs, hd, fpsr_get());
	}
	return 0;
}
