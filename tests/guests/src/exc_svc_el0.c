/* EL1 -> EL0 by ERET, SVC back to EL1 with arguments and results, several immediates; SPSR/ESR printed. */
#include "test.h"

static int on_svc(struct rt_frame *f, u64 esr, u64 far)
{
	(void)far;
	u32 ec = (u32)(esr >> 26) & 0x3f;
	if (ec != EC_SVC64)
		return 0;
	u32 imm = (u32)esr & 0xffff;
	rt_printf("svc imm=%x il=%lu x0=%lx x1=%lx x8=%lx spsr=%lx elr=+%lx\n", imm, (esr >> 25) & 1, f->x[0],
		  f->x[1], f->x[8], f->spsr, f->elr - (u64)_start);
	f->x[0] = f->x[0] * 3 + f->x[1] + imm;
	return 1;
}

static u64 user_main(u64 arg)
{
	register u64 x0 __asm__("x0") = arg;
	register u64 x1 __asm__("x1") = 100;
	register u64 x8 __asm__("x8") = 64;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x8) : "memory");
	x1 = x0;
	__asm__ volatile("svc #0x1234" : "+r"(x0) : "r"(x1), "r"(x8) : "memory");
	u64 el;
	/* CurrentEL is not accessible at EL0; NZCV is. */
	__asm__ volatile("msr nzcv, %1\n\tmrs %0, nzcv" : "=r"(el) : "r"(0x90000000UL));
	return x0 ^ el;
}

int main(void)
{
	rt_set_sync_handler(on_svc);
	u8 *stack = rt_alloc(4096, 16);
	u64 r = rt_run_el0(user_main, 5, stack + 4096);
	rt_printf("back at EL1: result=%lx CurrentEL=%lx\n", r, READ_SYSREG(CurrentEL));
	r = rt_run_el0(user_main, 0xffffffffffffUL, stack + 4096);
	rt_printf("second trip: result=%lx\n", r);
	/* SVC at EL1 is taken to EL1 (current EL, SPx). */
	SET_NZCV(0x6);
	register u64 x0 __asm__("x0") = 7;
	register u64 x1 __asm__("x1") = 1;
	register u64 x8 __asm__("x8") = 2;
	__asm__ volatile("svc #0xffff" : "+r"(x0) : "r"(x1), "r"(x8) : "memory");
	rt_printf("svc at EL1: x0=%lx nzcv=%x\n", x0, GET_NZCV());
	return 0;
}
