/* Stage-1 permissions: AP (EL0/EL1, read-only), UXN/PXN instruction aborts, LDTR/STTR, EL0 code under the MMU. */
#include "test.h"

#define USER_CODE 0x1000000000UL /* alias of the image: read-only, executable at EL0 */
#define USER_STACK 0x1100000000UL
#define EL1_ONLY 0x1200000000UL
#define RO_ALL 0x1300000000UL
#define NO_EXEC 0x1400000000UL
#define IMAGE_BASE (VIRT_RAM_BASE + 0x200000UL)

static u64 *data_el1, *data_ro;

static u64 user_main(u64 arg)
{
	u64 sum = arg;
	sum += *(volatile u64 *)RO_ALL; /* allowed */
	sum += *(volatile u64 *)EL1_ONLY; /* permission fault, skipped */
	*(volatile u64 *)RO_ALL = 5; /* permission fault, skipped */
	*(volatile u64 *)(USER_STACK + 64) = sum; /* allowed */
	sum += *(volatile u64 *)(USER_STACK + 64);
	EL0_EXIT(sum);
	return 0;
}

static void in_no_exec(void) {}

/* An EL0 instruction abort cannot be skipped: abandon the EL0 run with result 0xdead. */
static int abandon_el0(struct rt_frame *f, u64 esr, u64 far)
{
	rt_report_fault("el0 abort", esr, far, 0, 0);
	f->elr = (u64)rt_el0_return;
	f->spsr = 0x3c5;
	f->x[0] = 0xdead;
	return 1;
}

int main(void)
{
	rt_set_sync_handler(report_and_skip);
	static struct rt_pgtable pt;
	rt_pgtable_init(&pt, 12, 39);
	rt_mmu_map_identity(&pt);
	data_el1 = rt_alloc(4096, 4096);
	data_ro = rt_alloc(4096, 4096);
	u64 *stack = rt_alloc(4096, 4096);
	data_el1[0] = 0x1111;
	data_ro[0] = 0x2222;
	rt_mmu_map(&pt, USER_CODE, IMAGE_BASE, 0x400000, MT_NORMAL, PG_RO_ALL | PG_PXN);
	rt_mmu_map(&pt, USER_STACK, (u64)stack, 4096, MT_NORMAL, PG_RW_ALL | PG_UXN | PG_PXN);
	rt_mmu_map(&pt, EL1_ONLY, (u64)data_el1, 4096, MT_NORMAL, PG_RW_EL1 | PG_UXN | PG_PXN);
	rt_mmu_map(&pt, RO_ALL, (u64)data_ro, 4096, MT_NORMAL, PG_RO_ALL | PG_UXN | PG_PXN);
	rt_mmu_map(&pt, NO_EXEC, IMAGE_BASE, 0x200000, MT_NORMAL, PG_RW_EL1 | PG_UXN | PG_PXN);
	rt_mmu_enable(&pt, 0);
	/* EL1 accesses. */
	rt_printf("EL1 read EL1-only=%lx RO=%lx\n", *(volatile u64 *)EL1_ONLY, *(volatile u64 *)RO_ALL);
	*(volatile u64 *)RO_ALL = 7; /* permission fault at EL1 */
	u64 v = 0;
	__asm__ volatile("ldtr %0, [%1]" : "+r"(v) : "r"(EL1_ONLY) : "memory"); /* unprivileged: fault */
	__asm__ volatile("ldtr %0, [%1]" : "+r"(v) : "r"(RO_ALL) : "memory"); /* unprivileged read: ok */
	rt_printf("ldtr RO=%lx\n", v);
	__asm__ volatile("sttr %0, [%1]" : : "r"(v), "r"(RO_ALL + 8) : "memory"); /* fault */
	__asm__ volatile("sttr %0, [%1, #16]" : : "r"(0x77UL), "r"(USER_STACK) : "memory"); /* ok */
	rt_printf("sttr to user page: %lx\n", stack[2]);
	/* Execute from a PXN alias: instruction abort (permission). */
	rt_set_sync_handler(report_and_return);
	u64 target = (u64)in_no_exec - IMAGE_BASE + NO_EXEC;
	__asm__ volatile("adr x30, 1f\n\tblr %0\n1:" : : "r"(target) : "x30", "memory");
	/* EL1 executing an EL0-executable, PXN page: same. */
	target = (u64)in_no_exec - IMAGE_BASE + USER_CODE;
	__asm__ volatile("adr x30, 1f\n\tblr %0\n1:" : : "r"(target) : "x30", "memory");
	rt_set_sync_handler(report_and_skip);
	/* EL0 code from the user alias. */
	u64 fn = (u64)user_main - IMAGE_BASE + USER_CODE;
	u64 r = rt_run_el0((u64(*)(u64))fn, 0x100, (void *)(USER_STACK + 4096));
	rt_printf("EL0 result=%lx\n", r);
	/* EL0 jumping into EL1-only memory (UXN): instruction abort from EL0. */
	rt_set_sync_handler(abandon_el0);
	r = rt_run_el0((u64(*)(u64))EL1_ONLY, 0, (void *)(USER_STACK + 4096));
	rt_printf("done r=%lx\n", r);
	return 0;
}
