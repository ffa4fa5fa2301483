/*
 * Less common stage-1 cases (4 KiB granule, 39-bit VA, IPS = 36 bits): a
 * 1 GiB block at level 1, the contiguous hint on 16 pages, a table
 * descriptor pointing at an address no device decodes (synchronous external
 * abort on the walk), and an output address beyond the configured physical
 * size (address size fault).
 */
#include "test.h"

#define VA_BLOCK 0x4000000000UL /* 1 GiB aligned */
#define VA_CONTIG 0x5000000000UL
#define VA_BADWALK 0x6000000000UL
#define VA_BIGPA 0x7000000000UL
#define DESC_CONTIG (1UL << 52)

int main(void)
{
	rt_set_sync_handler(report_and_skip);
	static struct rt_pgtable pt;
	rt_pgtable_init(&pt, 12, 39);
	rt_mmu_map_identity(&pt);
	/* 1 GiB block: VA_BLOCK -> PA 0x40000000 (all of RAM and more). */
	rt_mmu_map(&pt, VA_BLOCK, VIRT_RAM_BASE, 0x40000000UL, MT_NORMAL, PG_UXN | PG_PXN);
	u64 *b = rt_mmu_leaf(&pt, VA_BLOCK);
	rt_printf("level-1 block descriptor type=%lx\n", *b & 3);
	/* 16 contiguous pages with the contiguous hint. */
	u8 *pages = rt_alloc(16 * 4096, 64 * 1024);
	for (int i = 0; i < 16; i++)
		pages[i * 4096 + 8] = (u8)(0xc0 + i);
	rt_mmu_map(&pt, VA_CONTIG, (u64)pages, 16 * 4096, MT_NORMAL, PG_UXN | PG_PXN);
	for (int i = 0; i < 16; i++)
		*rt_mmu_leaf(&pt, VA_CONTIG + (u64)i * 4096) |= DESC_CONTIG;
	/* A level-2 table descriptor whose table lives where nothing is mapped. */
	rt_mmu_map(&pt, VA_BADWALK, (u64)pages, 4096, MT_NORMAL, PG_UXN | PG_PXN);
	u64 *l1 = &pt.root[(VA_BADWALK >> 30) & 0x1ff];
	u64 *l2 = (u64 *)(*l1 & 0x0000fffffffff000UL);
	l2[(VA_BADWALK >> 21) & 0x1ff] = 0x09100000UL | 3; /* table at an unassigned address */
	/* A page whose output address needs more than 36 bits. */
	rt_mmu_map(&pt, VA_BIGPA, (u64)pages, 4096, MT_NORMAL, PG_UXN | PG_PXN);
	*rt_mmu_leaf(&pt, VA_BIGPA) |= 1UL << 40;
	rt_mmu_enable(&pt, 0);
	volatile u8 *image_alias = (volatile u8 *)(VA_BLOCK + ((u64)_start - VIRT_RAM_BASE));
	rt_printf("block alias reads the image: %x %x\n", image_alias[0], image_alias[4]);
	for (int i = 0; i < 16; i += 5)
		rt_printf("contiguous page %d: %x\n", i, *(volatile u8 *)(VA_CONTIG + (u64)i * 4096 + 8));
	u64 v = *(volatile u64 *)(VA_BADWALK + 0x10);
	v += *(volatile u64 *)VA_BIGPA;
	(void)v;
	rt_puts("done\n");
	return 0;
}
