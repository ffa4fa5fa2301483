/* Exception dispatch from the vector table (vectors.S) to the guest's hooks. */
#include "rt.h"

static rt_sync_fn sync_hook;
static rt_irq_fn irq_hook;

void rt_set_sync_handler(rt_sync_fn fn) { sync_hook = fn; }
void rt_set_irq_handler(rt_irq_fn fn) { irq_hook = fn; }

static const char *const kind_names[16] = {
	"cur-sp0-sync", "cur-sp0-irq", "cur-sp0-fiq", "cur-sp0-serror",
	"cur-spx-sync", "cur-spx-irq", "cur-spx-fiq", "cur-spx-serror",
	"lower64-sync", "lower64-irq", "lower64-fiq", "lower64-serror",
	"lower32-sync", "lower32-irq", "lower32-fiq", "lower32-serror",
};

void rt_report_fault(const char *tag, u64 esr, u64 far, u64 elr, u64 base)
{
	rt_printf("%s: EC=%02x IL=%u ISS=%07x FAR=%016lx ELR=+%lx\n", tag, (u32)(esr >> 26) & 0x3f,
		  (u32)(esr >> 25) & 1, (u32)esr & 0x1ffffff, far, elr - base);
}

void rt_exception(u64 kind, struct rt_frame *f)
{
	u64 esr = READ_SYSREG(esr_el1);
	u64 far = READ_SYSREG(far_el1);
	u32 ec = (u32)(esr >> 26) & 0x3f;
	if (kind == VEC_LOWER64_SYNC && ec == EC_SVC64 && (esr & 0xffff) == RT_SVC_EL0_EXIT) {
		/* Leave EL0: resume rt_run_el0's caller at EL1h with DAIF masked, x0 = result. */
		f->elr = (u64)rt_el0_return;
		f->spsr = 0x3c5;
		return;
	}
	if ((kind & 3) == 1 && irq_hook) {
		irq_hook(f);
		return;
	}
	if ((kind & 3) == 0 && sync_hook && sync_hook(f, esr, far))
		return;
	rt_printf("UNEXPECTED EXCEPTION %s ", kind_names[kind & 15]);
	rt_report_fault("", esr, far, f->elr, 0);
	rt_exit();
}
