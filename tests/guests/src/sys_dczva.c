/* DC ZVA with the MMU on (Normal memory): zeroes one aligned block; the block size comes from DCZID_EL0. */
#include "test.h"

static u8 buf[1024] __attribute__((aligned(256)));

int main(void)
{
	rt_mmu_identity_on(12);
	u64 dczid = READ_SYSREG(dczid_el0);
	u64 block = 4UL << (dczid & 0xf);
	rt_printf("DZP=%lu block=%lu\n", (dczid >> 4) & 1, block);
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i | 0x80);
	/* An address in the middle of a block: the whole aligned block is zeroed. */
	__asm__ volatile("dc zva, %0" : : "r"(buf + 256 + 5) : "memory");
	__asm__ volatile("dc zva, %0" : : "r"(buf + 640) : "memory");
	unsigned zeros = 0, first = 0xffff, last = 0;
	for (unsigned i = 0; i < sizeof(buf); i++) {
		if (!buf[i]) {
			zeros++;
			if (i < first)
				first = i;
			last = i;
		}
	}
	rt_printf("zeroed=%u first=%u last=%u hash=%lx\n", zeros, first, last, rt_hash(buf, sizeof(buf)));
	/* Cache maintenance by VA that must not change memory. */
	__asm__ volatile("dc civac, %0\n\tdc cvac, %0\n\tdc cvau, %0\n\tic ivau, %0\n\tdsb ish\n\tisb" : : "r"(buf) : "memory");
	__asm__ volatile("ic iallu\n\tdsb ish\n\tisb" ::: "memory");
	rt_printf("after maintenance hash=%lx\n", rt_hash(buf, sizeof(buf)));
	return 0;
}
