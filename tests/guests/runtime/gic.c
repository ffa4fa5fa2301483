/*
 * GICv3 set-up for one CPU with security disabled (GICD_CTLR.DS = 1, as QEMU
 * virt provides without EL3). Offsets from the GICv3 architecture
 * specification (IHI 0069), chapters 12.9 (GICD), 12.10-12.11 (GICR).
 */
#include "rt.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_ENABLE_GRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_RWP (1u << 31)
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI_BASE (VIRT_GICR_BASE + 0x10000)
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_IPRIORITYR0 0x0400

void rt_gic_init(void)
{
	mmio_write32(VIRT_GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
	while (mmio_read32(VIRT_GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
		;
	u32 waker = mmio_read32(VIRT_GICR_BASE + GICR_WAKER);
	mmio_write32(VIRT_GICR_BASE + GICR_WAKER, waker & ~GICR_WAKER_PROCESSOR_SLEEP);
	while (mmio_read32(VIRT_GICR_BASE + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
		;
	mmio_write32(GICR_SGI_BASE + GICR_IGROUPR0, 0xffffffffu);
	/* ICC_SRE_EL1.SRE: use the system-register interface. */
	__asm__ volatile("msr S3_0_C12_C12_5, %0; isb" ::"r"(7UL));
	/* ICC_PMR_EL1 = 0xff (unmask all priorities), ICC_BPR1_EL1 = 0, ICC_IGRPEN1_EL1 = 1. */
	__asm__ volatile("msr S3_0_C4_C6_0, %0" ::"r"(0xffUL));
	__asm__ volatile("msr S3_0_C12_C12_3, %0" ::"r"(0UL));
	__asm__ volatile("msr S3_0_C12_C12_7, %0; isb" ::"r"(1UL));
}

void rt_gic_enable_ppi(u32 intid, u8 priority)
{
	volatile u8 *prio = (volatile u8 *)(GICR_SGI_BASE + GICR_IPRIORITYR0);
	prio[intid] = priority;
	mmio_write32(GICR_SGI_BASE + GICR_ISENABLER0, 1u << intid);
}

u32 rt_gic_ack(void)
{
	u64 v;
	__asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(v)); /* ICC_IAR1_EL1 */
	return (u32)v & 0xffffff;
}

void rt_gic_eoi(u32 intid)
{
	__asm__ volatile("msr S3_0_C12_C12_1, %0" ::"r"((u64)intid)); /* ICC_EOIR1_EL1 */
}

void rt_gic_send_sgi_self(u32 intid)
{
	/* ICC_SGI1R_EL1: INTID in bits 27:24, TargetList bit 0 = Aff0 0 (this CPU, MPIDR 0). */
	u64 v = ((u64)intid << 24) | 1;
	__asm__ volatile("msr S3_0_C12_C11_5, %0; isb" ::"r"(v));
}
