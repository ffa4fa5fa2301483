/*
 * The body shared by the per-granule MMU guests (mmu_4k, mmu_16k, mmu_64k):
 * identity map plus a high alias, a write through the alias seen through the
 * identity map, block vs page mappings, and translation faults at each level.
 */
#ifndef MMU_GRANULE_H
#define MMU_GRANULE_H
#include "test.h"

#define ALIAS_VA 0x4000000000UL /* 256 GiB: inside a 39-bit TTBR0 region */
#define HOLE_VA 0x5000000000UL

static inline int mmu_granule_test(u32 gshift)
{
	rt_set_sync_handler(report_and_skip);
	u64 g = 1UL << gshift;
	static struct rt_pgtable pt;
	rt_pgtable_init(&pt, gshift, 39);
	rt_printf("granule=%luK start level=%u\n", g >> 10, pt.start_level);
	rt_mmu_map_identity(&pt);
	u64 *buf = rt_alloc(4 * g, g);
	for (u64 i = 0; i < 4 * g / 8; i += g / 8)
		buf[i] = 0xa000 + i;
	rt_mmu_map(&pt, ALIAS_VA, (u64)buf, 4 * g, MT_NORMAL, PG_UXN | PG_PXN);
	rt_mmu_map(&pt, ALIAS_VA + 8 * g, (u64)buf, g, MT_NORMAL, PG_RO_EL1 | PG_UXN | PG_PXN);
	rt_mmu_enable(&pt, 0);
	rt_puts("MMU on\n");
	volatile u64 *alias = (volatile u64 *)ALIAS_VA;
	for (u64 i = 0; i < 4; i++)
		rt_printf("alias page %lu: %lx\n", i, alias[i * g / 8]);
	alias[g / 8 + 1] = 0x5eed;
	rt_printf("identity sees alias write: %lx\n", buf[g / 8 + 1]);
	volatile u64 *ro = (volatile u64 *)(ALIAS_VA + 8 * g);
	rt_printf("read-only alias: %lx\n", ro[0]);
	ro[1] = 1; /* permission fault */
	u64 v = *(volatile u64 *)(HOLE_VA + 0x18); /* translation fault */
	v += *(volatile u64 *)(ALIAS_VA + 4 * g); /* translation fault at the last level */
	*(volatile u64 *)(0x7f00000000UL) = v; /* top of the 39-bit region, unmapped */
	/* Addresses beyond the TTBR0 region (bit 39 set) fault at level 0 of the walk. */
	v = *(volatile u64 *)(0x8000000000UL);
	(void)v;
	rt_mmu_disable();
	rt_printf("MMU off: buf second word %lx\n", buf[1]);
	return 0;
}
#endif
