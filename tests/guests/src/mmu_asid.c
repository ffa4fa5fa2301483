/* Non-global mappings tagged by ASID: switching TTBR0_EL1.ASID selects different translations without TLBI. */
#include "test.h"

#define VA 0x7000000000UL

int main(void)
{
	static struct rt_pgtable a, b;
	rt_pgtable_init(&a, 12, 39);
	rt_pgtable_init(&b, 12, 39);
	rt_mmu_map_identity(&a);
	rt_mmu_map_identity(&b);
	u64 *pages = rt_alloc(2 * 4096, 4096);
	pages[0] = 0xa5;
	pages[512] = 0xb5;
	rt_mmu_map(&a, VA, (u64)pages, 4096, MT_NORMAL, PG_RW_EL1 | PG_NG);
	rt_mmu_map(&b, VA, (u64)pages + 4096, 4096, MT_NORMAL, PG_RW_EL1 | PG_NG);
	rt_mmu_enable(&a, 0);
	volatile u64 *p = (volatile u64 *)VA;
	WRITE_SYSREG(ttbr0_el1, (u64)a.root | (1UL << 48));
	ISB();
	rt_printf("asid1: %lx\n", *p);
	WRITE_SYSREG(ttbr0_el1, (u64)b.root | (2UL << 48));
	ISB();
	rt_printf("asid2: %lx\n", *p);
	WRITE_SYSREG(ttbr0_el1, (u64)a.root | (1UL << 48));
	ISB();
	rt_printf("asid1 again: %lx\n", *p);
	/* Change table A's mapping, invalidate only ASID 1, and look again. */
	u64 *leaf = rt_mmu_leaf(&a, VA);
	*leaf = (*leaf & ~0x0000fffffffff000UL) | ((u64)pages + 4096);
	__asm__ volatile("dsb ishst\n\ttlbi aside1, %0\n\tdsb ish\n\tisb" : : "r"(1UL << 48) : "memory");
	rt_printf("asid1 after remap: %lx\n", *p);
	*(volatile u64 *)p = 0xc5;
	WRITE_SYSREG(ttbr0_el1, (u64)b.root | (2UL << 48));
	ISB();
	rt_printf("asid2 sees shared page: %lx\n", *p);
	return 0;
}
