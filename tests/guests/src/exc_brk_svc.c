/* BRK (EC 0x3c, ELR = the BRK) and SVC at EL1 (EC 0x15, ELR = next); SPSR shows NZCV and DAIF. */
#include "test.h"

static int on_sync(struct rt_frame *f, u64 esr, u64 far)
{
	u32 ec = (u32)(esr >> 26) & 0x3f;
	rt_report_fault("sync", esr, ec == EC_BRK64 || ec == EC_SVC64 ? 0 : far, f->elr, (u64)_start);
	rt_printf("  spsr=%lx\n", f->spsr);
	if (ec == EC_BRK64)
		f->elr += 4;
	return 1;
}

int main(void)
{
	rt_set_sync_handler(on_sync);
	SET_NZCV(0x9);
	__asm__ volatile("brk #0x77");
	__asm__ volatile("msr daifclr, #4");
	SET_NZCV(0x2);
	__asm__ volatile("brk #0xffff");
	__asm__ volatile("msr daifset, #0xf");
	__asm__ volatile("svc #1");
	__asm__ volatile("msr daifclr, #0xb");
	__asm__ volatile("svc #0x8000");
	__asm__ volatile("msr daifset, #0xf");
	rt_printf("daif=%lx\n", READ_SYSREG(daif));
	return 0;
}
