/*
 * Stage-1 page-table construction for the 4K, 16K and 64K granules (Arm ARM
 * D8.2 "Translation table format", D8.3 descriptors) and MMU enable.
 */
#include "rt.h"

#define DESC_VALID 1UL
#define DESC_TABLE 3UL /* table (levels 0-2) or page (level 3) */
#define DESC_BLOCK 1UL
#define DESC_AF (1UL << 10)
#define DESC_SH_INNER (3UL << 8)
#define DESC_OPT_MASK (PG_PXN | PG_UXN | PG_NG | (3UL << 6))

/* MAIR_EL1: Attr0 Device-nGnRnE (0x00), Attr1 Normal WB RW-allocate (0xff), Attr2 Normal NC (0x44). */
#define MAIR_VALUE 0x44ff00UL

static u32 level_shift(const struct rt_pgtable *pt, u32 level)
{
	return pt->gshift + (3 - level) * (pt->gshift - 3);
}

static u64 *new_table(const struct rt_pgtable *pt)
{
	return rt_alloc(1UL << pt->gshift, 1UL << pt->gshift);
}

void rt_pgtable_init(struct rt_pgtable *pt, u32 gshift, u32 va_bits)
{
	pt->gshift = gshift;
	pt->va_bits = va_bits;
	u32 level = 3;
	while (level_shift(pt, level) + (gshift - 3) < va_bits)
		level--;
	pt->start_level = level;
	pt->root = new_table(pt);
}

static int block_allowed(const struct rt_pgtable *pt, u32 level)
{
	/* Without FEAT_LPA/LPA2: 4K blocks at levels 1 and 2; 16K and 64K blocks at level 2 only. */
	return level == 2 || (level == 1 && pt->gshift == 12);
}

static u32 index_of(const struct rt_pgtable *pt, u64 va, u32 level)
{
	u64 masked = va & ((1UL << pt->va_bits) - 1);
	u32 bits = level == pt->start_level ? pt->va_bits - level_shift(pt, level) : pt->gshift - 3;
	return (u32)((masked >> level_shift(pt, level)) & ((1UL << bits) - 1));
}

static u64 leaf_bits(u32 attr, u64 opts)
{
	u64 d = ((u64)attr << 2) | (opts & DESC_OPT_MASK);
	if (attr != MT_DEVICE)
		d |= DESC_SH_INNER;
	if (!(opts & PG_NO_AF))
		d |= DESC_AF;
	return d;
}

static void map_level(struct rt_pgtable *pt, u64 *table, u32 level, u64 va, u64 pa, u64 size,
		      u32 attr, u64 opts)
{
	u64 addr_mask = ((1UL << 48) - 1) & ~((1UL << pt->gshift) - 1);
	while (size) {
		u32 shift = level_shift(pt, level);
		u64 span = 1UL << shift;
		u64 *slot = &table[index_of(pt, va, level)];
		u64 chunk = span - (va & (span - 1));
		if (chunk > size)
			chunk = size;
		if (level == 3) {
			*slot = (pa & addr_mask) | leaf_bits(attr, opts) | DESC_TABLE;
		} else if (block_allowed(pt, level) && chunk == span && (pa & (span - 1)) == 0) {
			*slot = (pa & addr_mask) | leaf_bits(attr, opts) | DESC_BLOCK;
		} else {
			if ((*slot & 3) != DESC_TABLE) {
				if (*slot & DESC_VALID)
					rt_fail("rt_mmu_map: would split a block mapping");
				*slot = (u64)new_table(pt) | DESC_TABLE;
			}
			map_level(pt, (u64 *)(*slot & addr_mask), level + 1, va, pa, chunk, attr, opts);
		}
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
}

void rt_mmu_map(struct rt_pgtable *pt, u64 va, u64 pa, u64 size, u32 attr, u64 opts)
{
	map_level(pt, pt->root, pt->start_level, va, pa, size, attr, opts);
}

u64 *rt_mmu_leaf(struct rt_pgtable *pt, u64 va)
{
	u64 addr_mask = ((1UL << 48) - 1) & ~((1UL << pt->gshift) - 1);
	u64 *table = pt->root;
	for (u32 level = pt->start_level; level <= 3; level++) {
		u64 *slot = &table[index_of(pt, va, level)];
		if (!(*slot & DESC_VALID))
			return 0;
		if (level == 3 || (*slot & 3) == DESC_BLOCK)
			return slot;
		table = (u64 *)(*slot & addr_mask);
	}
	return 0;
}

static u64 tg0_bits(u32 gshift)
{
	return gshift == 12 ? 0UL : gshift == 16 ? 1UL : 2UL; /* TCR_EL1.TG0: 4K 00, 64K 01, 16K 10 */
}

static u64 tg1_bits(u32 gshift)
{
	return gshift == 12 ? 2UL : gshift == 16 ? 3UL : 1UL; /* TCR_EL1.TG1: 16K 01, 4K 10, 64K 11 */
}

void rt_mmu_enable(struct rt_pgtable *lo, struct rt_pgtable *hi)
{
	/* TCR_EL1 (Arm ARM D17.2.131): inner/outer WBWA, inner shareable walks, IPS = 36 bits. */
	u64 tcr = (u64)(64 - lo->va_bits) | (1UL << 8) | (1UL << 10) | (3UL << 12) |
		  (tg0_bits(lo->gshift) << 14) | (1UL << 32);
	if (hi) {
		tcr |= ((u64)(64 - hi->va_bits) << 16) | (1UL << 24) | (1UL << 26) | (3UL << 28) |
		       (tg1_bits(hi->gshift) << 30);
		WRITE_SYSREG(ttbr1_el1, (u64)hi->root);
	} else {
		tcr |= (1UL << 23) | (2UL << 30) | (16UL << 16); /* EPD1: no TTBR1 walks */
	}
	WRITE_SYSREG(mair_el1, MAIR_VALUE);
	WRITE_SYSREG(tcr_el1, tcr);
	WRITE_SYSREG(ttbr0_el1, (u64)lo->root);
	DSB();
	ISB();
	rt_tlbi_all();
	u64 sctlr = READ_SYSREG(sctlr_el1);
	WRITE_SYSREG(sctlr_el1, sctlr | 1UL | (1UL << 2) | (1UL << 12));
	ISB();
}

void rt_mmu_disable(void)
{
	u64 sctlr = READ_SYSREG(sctlr_el1);
	WRITE_SYSREG(sctlr_el1, sctlr & ~1UL);
	ISB();
	rt_tlbi_all();
}

void rt_tlbi_all(void)
{
	__asm__ volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" ::: "memory");
}

void rt_mmu_map_identity(struct rt_pgtable *pt)
{
	u64 g = 1UL << pt->gshift;
	/* GICD and the first CPU's redistributor frames both lie in the first MiB. */
	rt_mmu_map(pt, VIRT_GICD_BASE, VIRT_GICD_BASE, 0x00100000UL, MT_DEVICE, PG_PXN | PG_UXN);
	rt_mmu_map(pt, VIRT_UART_BASE, VIRT_UART_BASE, g, MT_DEVICE, PG_PXN | PG_UXN);
	rt_mmu_map(pt, VIRT_RAM_BASE, VIRT_RAM_BASE, 0x08000000UL, MT_NORMAL, PG_UXN);
}

void rt_mmu_identity_on(u32 gshift)
{
	static struct rt_pgtable pt;
	rt_pgtable_init(&pt, gshift, 39);
	rt_mmu_map_identity(&pt);
	rt_mmu_enable(&pt, 0);
}
