/* Barriers (DMB/DSB all options, ISB) and hints (NOP, YIELD, SEV, SEVL, WFE after SEVL). */
	.text
	.global	main
main:
	stp	x29, x30, [sp, #-16]!
	mov	x1, #0
	dmb	sy
	dmb	ish
	dmb	ishld
	dmb	ishst
	dmb	osh
	dmb	nsh
	dmb	ld
	dmb	st
	dsb	sy
	dsb	ish
	dsb	nshst
	dsb	oshld
	isb
	add	x1, x1, #1
	nop
	yield
	hint	#6			/* an unallocated hint executes as NOP */
	hint	#0x7f
	add	x1, x1, #1
	sevl
	wfe				/* the event register is set: WFE does not wait */
	add	x1, x1, #1
	sev
	csdb
	add	x1, x1, #1
	adr	x0, fmt
	bl	rt_printf
	mov	w0, #0
	ldp	x29, x30, [sp], #16
	ret
	.section .rodata
fmt:	.asciz	"barriers and hints done: %lu steps\n"
