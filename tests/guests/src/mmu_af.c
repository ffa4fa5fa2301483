/* Access flag faults (AF = 0, no hardware update): the handler sets AF, invalidates the TLB entry and retries. */
#include "test.h"

#define AF_VA 0x2000000000UL

static struct rt_pgtable pt;
static int af_faults;

static int on_fault(struct rt_frame *f, u64 esr, u64 far)
{
	u32 fsc = (u32)esr & 0x3f;
	rt_report_fault("fault", esr, far, f->elr, (u64)_start);
	if ((fsc & 0x3c) == 0x08) { /* access flag fault, any level */
		u64 *leaf = rt_mmu_leaf(&pt, far);
		*leaf |= 1UL << 10;
		__asm__ volatile("dsb ishst\n\ttlbi vae1, %0\n\tdsb ish\n\tisb" : : "r"(far >> 12) : "memory");
		af_faults++;
		return 1; /* retry the access */
	}
	f->elr += 4;
	return 1;
}

int main(void)
{
	rt_set_sync_handler(on_fault);
	rt_pgtable_init(&pt, 12, 39);
	rt_mmu_map_identity(&pt);
	u64 *page = rt_alloc(3 * 4096, 4096);
	page[0] = 0xaf00;
	page[512] = 0xaf01;
	page[1024] = 0xaf02;
	rt_mmu_map(&pt, AF_VA, (u64)page, 3 * 4096, MT_NORMAL, PG_RW_EL1 | PG_NO_AF | PG_UXN | PG_PXN);
	/* A 2 MiB block with AF = 0 as well. */
	rt_mmu_map(&pt, AF_VA + 0x200000, VIRT_RAM_BASE + 0x600000, 0x200000, MT_NORMAL, PG_RW_EL1 | PG_NO_AF);
	rt_mmu_enable(&pt, 0);
	rt_printf("read %lx\n", *(volatile u64 *)AF_VA);
	rt_printf("read again %lx\n", *(volatile u64 *)AF_VA);
	*(volatile u64 *)(AF_VA + 4096) = 0x51;
	rt_printf("write then read %lx\n", *(volatile u64 *)(AF_VA + 4096));
	rt_printf("third page %lx\n", *(volatile u64 *)(AF_VA + 8192));
	*(volatile u64 *)(AF_VA + 0x200000 + 0x1000) = 0xb10c;
	rt_printf("block %lx\n", *(volatile u64 *)(AF_VA + 0x201000));
	rt_printf("access flag faults=%d\n", af_faults);
	return 0;
}
