/* A kernel-style split: TTBR1 maps the image high (0xffffff80_00000000 + offset); code runs from there. */
#include "test.h"

#define IMAGE_BASE (VIRT_RAM_BASE + 0x200000UL)
#define HIGH_BASE 0xffffff8000000000UL /* T1SZ = 25: the top 512 GiB */

static u64 high_data = 0x4a4a;

static __attribute__((noinline)) u64 where_am_i(void)
{
	u64 pc, d;
	__asm__ volatile("adr %0, ." : "=r"(pc));
	__asm__ volatile("adrp %0, high_data\n\tadd %0, %0, :lo12:high_data" : "=r"(d));
	return (pc >> 40) ^ (*(volatile u64 *)d << 8) ^ (d >> 40 << 32);
}

int main(void)
{
	static struct rt_pgtable lo, hi;
	rt_pgtable_init(&lo, 12, 39);
	rt_mmu_map_identity(&lo);
	rt_pgtable_init(&hi, 12, 39);
	rt_mmu_map(&hi, HIGH_BASE + IMAGE_BASE, IMAGE_BASE, 0x400000, MT_NORMAL, PG_RW_EL1);
	rt_mmu_enable(&lo, &hi);
	volatile u64 *alias = (volatile u64 *)(HIGH_BASE + (u64)&high_data);
	rt_printf("read via TTBR1: %lx\n", *alias);
	*alias = 0x5b5b;
	rt_printf("identity sees: %lx\n", high_data);
	u64 (*fn)(void) = (u64(*)(void))(HIGH_BASE + (u64)where_am_i);
	rt_printf("low call: %lx\n", where_am_i());
	rt_printf("high call: %lx\n", fn());
	/* Unmapped high address: translation fault through TTBR1. */
	rt_set_sync_handler(report_and_skip);
	u64 v = *(volatile u64 *)(HIGH_BASE + 0x10);
	(void)v;
	/* Addresses in the hole between the TTBR0 and TTBR1 regions. */
	v = *(volatile u64 *)0x0000800000000000UL;
	v = *(volatile u64 *)0xffff000000000000UL;
	rt_puts("ttbr1 done\n");
	return 0;
}
