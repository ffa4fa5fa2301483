/*
 * Entry of mem_isolation.c at the RAM base: x0 = DTB. Stack at RAM base +
 * 1 MiB. A synchronous data abort at EL1 (EC 0x25: what a stage-2 fault on
 * an IPA with no RAM becomes for the guest) is counted in mem_faults, its
 * FAR kept in mem_fault_far, and the faulting instruction skipped; any other
 * exception reports ESR/ELR/FAR and stops. PSCI SYSTEM_OFF at the end.
 */
	.section .text.start
	.global _start
_start:
	adr x1, _start
	add sp, x1, #0x100000
	adr x1, vectors
	msr vbar_el1, x1
	isb
	bl guest_main
off:
	movz x0, #0x0008
	movk x0, #0x8400, lsl #16
	hvc #0
1:	b 1b

	.balign 2048
vectors:
	.rept 4
	b trap
	.balign 128
	.endr
	b data_abort		/* current EL, SP_ELx, synchronous */
	.balign 128
	.rept 11
	b trap
	.balign 128
	.endr

data_abort:
	stp x0, x1, [sp, #-16]!
	mrs x0, esr_el1
	lsr x0, x0, #26
	cmp x0, #0x25
	b.ne 2f
	adrp x1, mem_faults
	add x1, x1, :lo12:mem_faults
	ldr w0, [x1]
	add w0, w0, #1
	str w0, [x1]
	adrp x1, mem_fault_far
	add x1, x1, :lo12:mem_fault_far
	mrs x0, far_el1
	str x0, [x1]
	mrs x0, elr_el1
	add x0, x0, #4
	msr elr_el1, x0
	ldp x0, x1, [sp], #16
	eret
2:	ldp x0, x1, [sp], #16
trap:
	mrs x0, esr_el1
	mrs x1, elr_el1
	mrs x2, far_el1
	bl guest_trap
	b off
