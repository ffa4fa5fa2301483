/*
 * Entry point of every test guest: QEMU (and gunyah-ts) enter here at EL1h
 * with the MMU off and DAIF masked. Sets up the stack, zeroes .bss, installs
 * the exception vectors, enables FP/AdvSIMD access, runs main(), powers off.
 */
	.section .text.boot, "ax"
	.global _start
_start:
	/* SCTLR_EL1: RES1 bits (29,28,23,22,20,11) + SA + SA0, MMU and caches off. */
	ldr	x0, =0x30d00818
	msr	sctlr_el1, x0
	isb
	ldr	x0, =__stack_top
	mov	sp, x0
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:	ldr	x0, =rt_vectors
	msr	vbar_el1, x0
	/* CPACR_EL1.FPEN = 0b11: no trapping of FP/AdvSIMD at EL0 or EL1. */
	mov	x0, #(3 << 20)
	msr	cpacr_el1, x0
	isb
	bl	rt_init
	bl	main
	bl	rt_exit
3:	b	3b
	.ltorg
