/* GICv3 SGIs to self: priority order of acknowledgement, running priority, PMR masking, IRQ delivery. */
#include "test.h"

#define GICR_SGI (VIRT_GICR_BASE + 0x10000)

static u64 icc(int which)
{
	u64 v = 0;
	if (which == 0)
		__asm__ volatile("mrs %0, S3_0_C12_C12_2" : "=r"(v)); /* ICC_HPPIR1_EL1 */
	else
		__asm__ volatile("mrs %0, S3_0_C12_C11_3" : "=r"(v)); /* ICC_RPR_EL1 */
	return v;
}

static volatile u32 taken[8];
static volatile int ntaken;

static void on_irq(struct rt_frame *f)
{
	(void)f;
	u32 id = rt_gic_ack();
	if (ntaken < 8)
		taken[ntaken++] = id;
	rt_gic_eoi(id);
}

int main(void)
{
	rt_gic_init();
	rt_gic_enable_ppi(1, 0x40);
	rt_gic_enable_ppi(2, 0xa0);
	rt_gic_enable_ppi(3, 0x80);
	rt_gic_enable_ppi(5, 0x10);
	rt_gic_send_sgi_self(3);
	rt_gic_send_sgi_self(1);
	rt_gic_send_sgi_self(2);
	rt_printf("HPPIR1=%lu RPR idle=%lx\n", icc(0) & 0xffffff, icc(1));
	u32 a = rt_gic_ack();
	rt_printf("ack %u RPR=%lx\n", a, icc(1));
	u32 b = rt_gic_ack();
	rt_printf("nested ack (nothing higher)=%u\n", b);
	rt_gic_eoi(a);
	for (int i = 0; i < 3; i++) {
		u32 id = rt_gic_ack();
		rt_printf("ack %u\n", id);
		if (id < 1020)
			rt_gic_eoi(id);
	}
	/* PMR masks priorities numerically >= PMR. */
	__asm__ volatile("msr S3_0_C4_C6_0, %0; isb" ::"r"(0x50UL));
	rt_gic_send_sgi_self(3);
	rt_printf("with PMR=0x50: ack=%u\n", rt_gic_ack());
	__asm__ volatile("msr S3_0_C4_C6_0, %0; isb" ::"r"(0xffUL));
	u32 id = rt_gic_ack();
	rt_printf("with PMR=0xff: ack=%u\n", id);
	rt_gic_eoi(id);
	/* Delivery as IRQ exceptions. */
	rt_set_irq_handler(on_irq);
	__asm__ volatile("msr daifclr, #2");
	rt_gic_send_sgi_self(5);
	rt_gic_send_sgi_self(2);
	for (volatile int i = 0; i < 100; i++)
		;
	__asm__ volatile("msr daifset, #2");
	rt_printf("IRQs taken=%d:", ntaken);
	for (int i = 0; i < ntaken; i++)
		rt_printf(" %u", taken[i]);
	rt_printf("\nISPENDR0 after=%x\n", mmio_read32(GICR_SGI + 0x200));
	return 0;
}
