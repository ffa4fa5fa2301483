/*
 * Entry at the RAM base: x0 = DTB. Stack at RAM base + 1 MiB; exceptions
 * report ESR/ELR/FAR and stop; PSCI SYSTEM_OFF at the end.
 */
	.section .text.start
	.global _start
_start:
	adr x1, _start
	add sp, x1, #0x100000
	adr x1, vectors
	msr vbar_el1, x1
	isb
	bl rm_client_main
off:
	movz x0, #0x0008
	movk x0, #0x8400, lsl #16
	hvc #0
1:	b 1b

	.balign 2048
vectors:
	.rept 16
	b trap
	.balign 128
	.endr
trap:
	mrs x0, esr_el1
	mrs x1, elr_el1
	mrs x2, far_el1
	bl rm_client_trap
	b off
