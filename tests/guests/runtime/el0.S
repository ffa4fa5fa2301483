/*
 * rt_run_el0(fn, arg, sp0): enter EL0t at fn with x0 = arg and SP_EL0 = sp0.
 * When fn returns, its link register leads to an SVC #0xf00 stub; the
 * exception handler (exception.c) then resumes at rt_el0_return at EL1, which
 * restores the callee-saved registers and returns the EL0 x0.
 */
	.text
	.global	rt_run_el0
	.global	rt_el0_return
rt_run_el0:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	msr	sp_el0, x2
	msr	elr_el1, x0
	mov	x0, x1
	msr	spsr_el1, xzr
	adr	x30, rt_el0_exit_stub
	eret
rt_el0_return:
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

	.global	rt_el0_exit_stub
rt_el0_exit_stub:
	svc	#0xf00
	b	rt_el0_exit_stub
