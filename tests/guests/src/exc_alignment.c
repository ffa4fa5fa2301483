/* Alignment faults: SCTLR_EL1.A, and exclusives and acquire/release on unaligned addresses. */
#include "test.h"

static u64 buf[8] __attribute__((aligned(64)));

int main(void)
{
	rt_mmu_identity_on(12);
	rt_set_sync_handler(report_and_skip);
	u8 *p = (u8 *)buf;
	u64 v = 0;
	__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(p + 4) : "memory"); /* A = 0: allowed */
	rt_puts("unaligned ldr with A=0 ok\n");
	__asm__ volatile("ldxr %0, [%1]" : "+r"(v) : "r"(p + 4) : "memory");
	__asm__ volatile("ldar %w0, [%1]" : "+r"(v) : "r"(p + 2) : "memory");
	__asm__ volatile("stlrh %w0, [%1]" : : "r"(v), "r"(p + 1) : "memory");
	WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 2UL);
	ISB();
	__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(p + 4) : "memory");
	__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(p + 2) : "memory");
	__asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(p + 1) : "memory");
	__asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(p + 1) : "memory");
	__asm__ volatile("ldp %w0, w9, [%1]" : "+r"(v) : "r"(p + 2) : "x9", "memory");
	__asm__ volatile("ldp %0, x9, [%1]" : "+r"(v) : "r"(p + 4) : "x9", "memory");
	WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~2UL);
	ISB();
	/* SP alignment checking (SCTLR_EL1.SA) is not tested: QEMU 7.2 does not implement it. */
	rt_printf("done v=%lx\n", v);
	return 0;
}
