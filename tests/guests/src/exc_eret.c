/*
 * Exception return: ERET restores NZCV/DAIF/SPSel from SPSR_EL1; an ERET to
 * an unimplemented EL (EL2) is an illegal return (PSTATE.IL set, EL kept),
 * so the next instruction takes an Illegal Execution state exception
 * (EC 0x0e); an exception from EL1t (SPSel = 0) saves SPSR.M = EL1t.
 */
#include "test.h"

static int on_sync(struct rt_frame *f, u64 esr, u64 far)
{
	(void)far;
	u32 ec = (u32)(esr >> 26) & 0x3f;
	rt_printf("sync EC=%02x ISS=%07x SPSR.M=%lx IL=%lu NZCV=%lx ELR=+%lx\n", ec, (u32)esr & 0x1ffffff,
		  f->spsr & 0xf, (f->spsr >> 20) & 1, f->spsr >> 28, f->elr - (u64)_start);
	if (ec == EC_ILLEGAL_STATE)
		f->spsr &= ~(1UL << 20); /* clear PSTATE.IL and retry the instruction */
	return 1;
}

int main(void)
{
	rt_set_sync_handler(on_sync);
	u64 nzcv, daif, spsel;
	/* ERET to EL1h with NZCV = 1010, DAIF = A|F. */
	__asm__ volatile("adr x9, 1f\n\tmsr elr_el1, x9\n\tmov x9, #0x145\n\tmovk x9, #0xa000, lsl #16\n\tmsr spsr_el1, x9\n\teret\n"
			 "1:\tmrs %0, nzcv\n\tmrs %1, daif\n\tmrs %2, spsel"
			 : "=r"(nzcv), "=r"(daif), "=r"(spsel) : : "x9", "cc", "memory");
	rt_printf("after ERET: NZCV=%lx DAIF=%lx SPSel=%lu\n", nzcv >> 28, daif, spsel);
	__asm__ volatile("msr daifset, #0xf");
	/* ERET to EL1t: SPSel becomes 0 (SP_EL0 in use); an SVC from there saves SPSR.M = 4. */
	u64 sp0 = (u64)rt_alloc(4096, 16) + 4096;
	__asm__ volatile("msr sp_el0, %0\n\tadr x9, 1f\n\tmsr elr_el1, x9\n\tmov x9, #0x3c4\n\tmsr spsr_el1, x9\n\teret\n"
			 "1:\tmrs %1, spsel\n\tsvc #0x44\n\tmsr spsel, #1"
			 : "+r"(sp0), "=r"(spsel) : : "x9", "memory");
	rt_printf("EL1t: SPSel=%lu\n", spsel);
	/* Illegal exception return: SPSR.M = EL2h on a CPU without EL2. */
	u64 cel;
	__asm__ volatile("adr x9, 1f\n\tmsr elr_el1, x9\n\tmov x9, #0x3c9\n\tmsr spsr_el1, x9\n\teret\n"
			 "1:\tmrs %0, CurrentEL"
			 : "=r"(cel) : : "x9", "memory");
	rt_printf("after illegal return: CurrentEL=%lu\n", cel >> 2);
	return 0;
}
