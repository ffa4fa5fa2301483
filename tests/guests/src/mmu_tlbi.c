/* Remapping a page and invalidating with TLBI VAE1/VALE1/VAAE1/ASIDE1/VMALLE1(IS): the new mapping is seen. */
#include "test.h"

#define VA 0x3000000000UL

static struct rt_pgtable pt;
static u64 *pages;

static void remap(int n)
{
	u64 *leaf = rt_mmu_leaf(&pt, VA);
	*leaf = (*leaf & ~0x0000fffffffff000UL) | (u64)&pages[n * 512];
}

int main(void)
{
	pages = rt_alloc(6 * 4096, 4096);
	for (int i = 0; i < 6; i++)
		pages[i * 512] = 0x7000 + (u64)i;
	rt_pgtable_init(&pt, 12, 39);
	rt_mmu_map_identity(&pt);
	rt_mmu_map(&pt, VA, (u64)pages, 4096, MT_NORMAL, PG_RW_EL1 | PG_UXN | PG_PXN);
	rt_mmu_enable(&pt, 0);
	volatile u64 *p = (volatile u64 *)VA;
	rt_printf("initial %lx\n", *p);
	remap(1);
	__asm__ volatile("dsb ishst\n\ttlbi vae1, %0\n\tdsb ish\n\tisb" : : "r"(VA >> 12) : "memory");
	rt_printf("after vae1 %lx\n", *p);
	remap(2);
	__asm__ volatile("dsb ishst\n\ttlbi vale1is, %0\n\tdsb ish\n\tisb" : : "r"(VA >> 12) : "memory");
	rt_printf("after vale1is %lx\n", *p);
	remap(3);
	__asm__ volatile("dsb ishst\n\ttlbi vaae1, %0\n\tdsb ish\n\tisb" : : "r"(VA >> 12) : "memory");
	rt_printf("after vaae1 %lx\n", *p);
	remap(4);
	__asm__ volatile("dsb ishst\n\ttlbi aside1, %0\n\tdsb ish\n\tisb" : : "r"(0UL) : "memory");
	rt_printf("after aside1 %lx\n", *p);
	remap(5);
	__asm__ volatile("dsb ishst\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::: "memory");
	rt_printf("after vmalle1is %lx\n", *p);
	/* Unmap: translation fault after invalidation. */
	rt_set_sync_handler(report_and_skip);
	*rt_mmu_leaf(&pt, VA) = 0;
	__asm__ volatile("dsb ishst\n\ttlbi vae1is, %0\n\tdsb ish\n\tisb" : : "r"(VA >> 12) : "memory");
	u64 v = *p;
	(void)v;
	rt_puts("unmapped access faulted\n");
	return 0;
}
