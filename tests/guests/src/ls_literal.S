/* LDR (literal) W/X, LDRSW (literal), PRFM (literal and register) as no-ops. */
	.text
	.global	main
main:
	stp	x29, x30, [sp, #-16]!
	ldr	x1, lit64
	ldr	w2, lit32
	ldrsw	x3, lit32
	ldr	w4, lit32 + 4
	ldrsw	x5, lit32 + 4
	prfm	pldl1keep, lit64
	prfm	pstl2strm, [sp, #64]
	prfm	plil3keep, [sp]
	prfum	pldl1strm, [sp, #-3]
	adr	x0, fmt
	bl	rt_printf
	mov	w0, #0
	ldp	x29, x30, [sp], #16
	ret
	.balign	8
lit64:	.quad	0x0123456789abcdef
lit32:	.word	0x89abcdef, 0x7ffffff0
	.section .rodata
fmt:	.asciz	"literal: %lx %lx %lx %lx %lx\n"
