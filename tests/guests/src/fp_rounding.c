/* @guest fp */
/* FPCR.RMode honoured by arithmetic, FRINTI/FRINTX, SCVTF and FCVT; FRINTN/A/P/M/Z are mode-independent. */
#include "fp.h"

static const u64 inputs[] = {
	0x3fe0000000000000UL, 0x3ff8000000000000UL, 0x4004000000000000UL, 0xbfe0000000000000UL,
	0xc004000000000000UL, 0x3fd5555555555555UL, 0x4330000000000001UL, 0xc00c000000000000UL,
};
static const char *const mode_names[4] = {"RN", "RP", "RM", "RZ"};

int main(void)
{
	for (u64 m = 0; m < 4; m++) {
		fpcr_set(m << 22);
		rt_printf("mode %s\n", mode_names[m]);
		fpsr_clear();
		rt_printf(" 1/3=%lx 2/3=%lx -1/3=%lx", D2("fdiv", 0x3ff0000000000000UL, 0x4008000000000000UL),
			  D2("fdiv", 0x4000000000000000UL, 0x4008000000000000UL),
			  D2("fdiv", 0xbff0000000000000UL, 0x4008000000000000UL));
		rt_printf(" 1+2^-60=%lx", D2("fadd", 0x3ff0000000000000UL, 0x3c30000000000000UL));
		rt_printf(" -1-2^-60=%lx", D2("fsub", 0xbff0000000000000UL, 0x3c30000000000000UL));
		rt_printf(" sqrt2=%lx", D1("fsqrt", 0x4000000000000000UL));
		rt_printf(" s1/3=%x", S2("fdiv", 0x3f800000, 0x40400000));
		rt_printf(" fma=%lx", D3("fmadd", 0x3ff0000000000001UL, 0x3ff0000000000001UL, 0xbff0000000000000UL));
		rt_printf(" max*2=%lx", D2("fmul", 0x7fefffffffffffffUL, 0x4000000000000000UL));
		rt_printf(" min/2=%lx", D2("fdiv", 0x0010000000000000UL, 0x4000000000000000UL));
		rt_printf(" fpsr=%x\n", fpsr_get());
		for (unsigned i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
			u64 a = inputs[i];
			fpsr_clear();
			rt_printf(" %lx: i=%lx x=%lx n=%lx a=%lx p=%lx m=%lx z=%lx", a, D1("frinti", a), D1("frintx", a),
				  D1("frintn", a), D1("frinta", a), D1("frintp", a), D1("frintm", a), D1("frintz", a));
			float s;
			__asm__ volatile("fcvt %s0, %d1" : "=w"(s) : "w"(u2d(a)));
			double sc;
			__asm__ volatile("scvtf %d0, %1" : "=w"(sc) : "r"(0x7fffffffffffff01UL + i));
			rt_printf(" fcvt=%x scvtf=%lx fpsr=%x\n", f2u(s), d2u(sc), fpsr_get());
		}
	}
	fpcr_set(0);
	return 0;
}
