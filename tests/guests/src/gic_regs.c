/* GIC distributor/redistributor register facts: PIDR2 ArchRev, GICR_TYPER.Last, WAKER, enables, priorities, SPI pending. */
#include "test.h"

#define GICR_SGI (VIRT_GICR_BASE + 0x10000)

int main(void)
{
	rt_gic_init();
	rt_printf("GICD_PIDR2.ArchRev=%u GICR_PIDR2.ArchRev=%u\n", mmio_read32(VIRT_GICD_BASE + 0xffe8) >> 4 & 0xf,
		  mmio_read32(VIRT_GICR_BASE + 0xffe8) >> 4 & 0xf);
	u64 typer = *(volatile u64 *)(VIRT_GICR_BASE + 0x8);
	rt_printf("GICR_TYPER: Last=%lu ProcessorNumber=%lu Affinity=%lx\n", typer >> 4 & 1, typer >> 8 & 0xffff,
		  typer >> 32);
	rt_printf("GICR_WAKER=%x\n", mmio_read32(VIRT_GICR_BASE + 0x14));
	rt_printf("GICD_CTLR ARE=%u Grp1=%u\n", mmio_read32(VIRT_GICD_BASE) >> 4 & 1, mmio_read32(VIRT_GICD_BASE) >> 1 & 1);
	u32 typerd = mmio_read32(VIRT_GICD_BASE + 4);
	rt_printf("GICD_TYPER.ITLines>=1=%s\n", (typerd & 0x1f) >= 1 ? "yes" : "no");
	mmio_write32(GICR_SGI + 0x100, 0x0000f00f);
	rt_printf("ISENABLER0=%x\n", mmio_read32(GICR_SGI + 0x100));
	mmio_write32(GICR_SGI + 0x180, 0x00003003);
	rt_printf("after ICENABLER0: %x\n", mmio_read32(GICR_SGI + 0x100));
	volatile u8 *prio = (volatile u8 *)(GICR_SGI + 0x400);
	prio[4] = 0x90;
	prio[5] = 0x48;
	rt_printf("IPRIORITYR1=%x\n", mmio_read32(GICR_SGI + 0x404));
	rt_printf("ICFGR0=%x ICFGR1 PPI27 edge? %u\n", mmio_read32(GICR_SGI + 0xc00), mmio_read32(GICR_SGI + 0xc04) >> 22 & 1);
	/* An SPI (INTID 40) made pending by software, routed to this CPU, acknowledged through ICC_IAR1. */
	*(volatile u64 *)(VIRT_GICD_BASE + 0x6000 + 8 * 40) = 0; /* IROUTER40: Aff 0.0.0.0 */
	mmio_write32(VIRT_GICD_BASE + 0x80 + 4, 0xffffffff); /* IGROUPR1: group 1 */
	((volatile u8 *)(VIRT_GICD_BASE + 0x400))[40] = 0x20;
	mmio_write32(VIRT_GICD_BASE + 0x100 + 4, 1u << 8); /* ISENABLER1 bit 8 = INTID 40 */
	mmio_write32(VIRT_GICD_BASE + 0x200 + 4, 1u << 8); /* ISPENDR1 */
	rt_printf("ISPENDR1=%x\n", mmio_read32(VIRT_GICD_BASE + 0x204));
	u32 id = rt_gic_ack();
	rt_printf("SPI ack=%u ISACTIVER1=%x\n", id, mmio_read32(VIRT_GICD_BASE + 0x304));
	rt_gic_eoi(id);
	rt_printf("after EOI ISACTIVER1=%x ack=%u\n", mmio_read32(VIRT_GICD_BASE + 0x304), rt_gic_ack());
	return 0;
}
