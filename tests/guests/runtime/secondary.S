/*
 * Entry of secondary CPUs started with PSCI CPU_ON (EL1, MMU off, X0 = the
 * context argument, here the top of the CPU's stack): the same SCTLR_EL1,
 * vectors and FP enable as the boot CPU, then secondary_main(cpu index).
 */
	.text
	.global	rt_secondary_entry
	.weak	secondary_main
rt_secondary_entry:
	ldr	x1, =0x30d00818
	msr	sctlr_el1, x1
	isb
	mov	sp, x0
	ldr	x1, =rt_vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	isb
	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	bl	secondary_main
1:	wfi
	b	1b
	.ltorg
