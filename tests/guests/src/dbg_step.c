/*
 * Software step (MDSCR_EL1.SS, PSTATE.SS, SPSR.SS): stepping EL0 code from an EL1 debugger, the
 * Linux ptrace pattern. An ERET with SPSR.SS = 0 makes the step active-pending: the exception (EC
 * 0x32, ISV = 0) is taken before the first instruction; with SPSR.SS = 1 one instruction runs, then
 * EC 0x32 with ISV = 1 and ELR = the next instruction (EX = 1 after a load-exclusive). An SVC
 * completes its step (SPSR.SS = 0 in its handler), an UNDEFINED instruction does not (SPSR.SS = 1).
 * Then stepping EL1 itself (MDSCR_EL1.KDE, PSTATE.D clear): EC 0x33.
 */
#include "test.h"

#define MDSCR_SS (1UL << 0)
#define MDSCR_KDE (1UL << 13)
#define SPSR_SS (1UL << 21)
#define SPSR_D (1UL << 9)

static volatile u32 steps, limit;
static u64 user_base;

static int on_sync(struct rt_frame *f, u64 esr, u64 far)
{
	(void)far;
	u32 ec = (u32)(esr >> 26) & 0x3f;
	u64 base = ec == 0x33 ? (u64)_start : user_base;
	if (ec == 0x32 || ec == 0x33) {
		rt_printf("step %u: EC=%02x ISS=%07x ELR=+%lx SPSR.SS=%lu x0=%lx\n", steps, ec,
			  (u32)esr & 0x1ffffff, f->elr - base, (f->spsr >> 21) & 1,
			  f->x[0] & 0xfff); /* x0 holds an address at first: its page offset is board-independent */
		if (++steps >= limit) {
			WRITE_SYSREG(mdscr_el1, 0UL);
			f->spsr &= ~SPSR_SS;
		} else {
			f->spsr |= SPSR_SS; /* step the next instruction */
		}
		return 1;
	}
	if (ec == EC_SVC64 || ec == EC_UNKNOWN) {
		rt_printf("  %s: ELR=+%lx SPSR.SS=%lu\n", ec == EC_SVC64 ? "svc" : "undef", f->elr - user_base,
			  (f->spsr >> 21) & 1);
		if (ec == EC_UNKNOWN)
			f->elr += 4;
		return 1;
	}
	if (ec == EC_BRK64) {
		/* Start stepping EL1 after the BRK: SPSR.SS = 1, PSTATE.D clear on return. */
		WRITE_SYSREG(mdscr_el1, MDSCR_SS | MDSCR_KDE);
		f->elr += 4;
		f->spsr = (f->spsr | SPSR_SS) & ~SPSR_D;
		return 1;
	}
	return 0;
}

/* EL0 code: a fixed instruction sequence (assembled here so offsets are exact). */
extern char user_code[];
__asm__(".text\n"
	".balign 16\n"
	"user_code:\n"
	"	mov x1, x0\n"
	"	add x3, x0, #16\n"
	"	mov x0, #1\n"
	"	add x0, x0, #2\n"
	"	b 1f\n"
	"	mov x0, #99\n"
	"1:	ldxr x1, [x1]\n"
	"	stxr w2, x0, [x3]\n"
	"	svc #7\n"
	"	add x0, x0, #4\n"
	"	udf #0\n"
	"	cbz xzr, 2f\n"
	"	nop\n"
	"2:	add x0, x0, #8\n"
	"	svc #0xf00\n");

static u64 scratch[4] __attribute__((aligned(16)));

int main(void)
{
	rt_set_sync_handler(on_sync);
	WRITE_SYSREG(oslar_el1, 0UL);
	ISB();
	u8 *stack = rt_alloc(4096, 16);
	user_base = (u64)user_code;

	/* EL0: MDSCR.SS only (KDE clear: EL1 is not stepped). rt_run_el0 ERETs with SPSR.SS = 0. */
	steps = 0;
	limit = 20;
	WRITE_SYSREG(mdscr_el1, MDSCR_SS);
	ISB();
	u64 r = rt_run_el0((u64(*)(u64))user_code, (u64)scratch, stack + 4096);
	rt_printf("EL0 done: steps=%u r=%lx mdscr=%lx\n", steps, r, READ_SYSREG(mdscr_el1));

	/* MDSCR.SS set but PSTATE.D masked at EL1 with KDE: nothing stepped at EL1. */
	steps = 0;
	WRITE_SYSREG(mdscr_el1, MDSCR_SS | MDSCR_KDE);
	ISB();
	__asm__ volatile("nop\n\tnop");
	WRITE_SYSREG(mdscr_el1, 0UL);
	rt_printf("EL1 with D masked: steps=%u\n", steps);

	/* EL1: BRK -> handler returns with SPSR.SS = 1, D clear -> steps EC 0x33. */
	steps = 0;
	limit = 4;
	u64 v;
	__asm__ volatile("brk #1\n\t"
			 "mov %0, #5\n\t"
			 "add %0, %0, #1\n\t"
			 "add %0, %0, #2\n\t"
			 "add %0, %0, #3\n\t"
			 "add %0, %0, #4"
			 : "=&r"(v)
			 :
			 : "memory");
	__asm__ volatile("msr daifset, #8");
	rt_printf("EL1 done: steps=%u v=%lu mdscr=%lx\n", steps, v, READ_SYSREG(mdscr_el1));
	return 0;
}
