/*
 * GICv3 set-up with security disabled (GICD_CTLR.DS = 1, as QEMU
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
/* Each CPU's redistributor: RD_base then SGI_base, 64 KiB each (GICv3 12.10). */
#define GICR_STRIDE 0x20000UL
#define GICR_SGI_OFFSET 0x10000UL
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_IPRIORITYR0 0x0400

u32 rt_cpu_id(void)
{
	return (u32)READ_SYSREG(mpidr_el1) & 0xff;
}

static u64 gicr_base(void)
{
	return VIRT_GICR_BASE + GICR_STRIDE * rt_cpu_id();
}

void rt_gic_init(void)
{
	mmio_write32(VIRT_GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
	while (mmio_read32(VIRT_GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
		;
	rt_gic_cpu_init();
}

void rt_gic_cpu_init(void)
{
	u64 rd = gicr_base();
	u32 waker = mmio_read32(rd + GICR_WAKER);
	mmio_write32(rd + GICR_WAKER, waker & ~GICR_WAKER_PROCESSOR_SLEEP);
	while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
		;
	mmio_write32(rd + GICR_SGI_OFFSET + GICR_IGROUPR0, 0xffffffffu);
	/* ICC_SRE_EL1.SRE: use the system-register interface. */
	__asm__ volatile("msr S3_0_C12_C12_5, %0; isb" ::"r"(7UL));
	/* ICC_PMR_EL1 = 0xff (unmask all priorities), ICC_BPR1_EL1 = 0, ICC_IGRPEN1_EL1 = 1. */
	__asm__ volatile("msr S3_0_C4_C6_0, %0" ::"r"(0xffUL));
	__asm__ volatile("msr S3_0_C12_C12_3, %0" ::"r"(0UL));
	__asm__ volatile("msr S3_0_C12_C12_7, %0; isb" ::"r"(1UL));
}

void rt_gic_enable_ppi(u32 intid, u8 priority)
{
	u64 sgi = gicr_base() + GICR_SGI_OFFSET;
	volatile u8 *prio = (volatile u8 *)(sgi + GICR_IPRIORITYR0);
	prio[intid] = priority;
	mmio_write32(sgi + GICR_ISENABLER0, 1u << intid);
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

void rt_gic_send_sgi(u32 intid, u32 target_list)
{
	/* ICC_SGI1R_EL1: INTID in bits 27:24, TargetList (Aff0 bitmap, cluster 0) in bits 15:0. */
	u64 v = ((u64)intid << 24) | (target_list & 0xffff);
	__asm__ volatile("msr S3_0_C12_C11_5, %0; isb" ::"r"(v));
}

void rt_gic_send_sgi_self(u32 intid)
{
	rt_gic_send_sgi(intid, 1u << rt_cpu_id());
}
