/* BL/BR/BLR/RET with various registers; link values printed relative to the call site. */
	.text
	.global	main
main:
	stp	x29, x30, [sp, #-32]!
	str	x19, [sp, #16]
	adr	x0, msg_start
	bl	rt_puts
	/* BL: x30 = address of the next instruction. */
	bl	1f
1:	adr	x1, 1b
	sub	x1, x30, x1
	adr	x0, fmt_bl
	bl	rt_printf
	/* BLR via x5: the callee returns 0x234 + x0. */
	adr	x5, callee
	mov	x0, #5
	blr	x5
	mov	x1, x0
	adr	x0, fmt_blr
	bl	rt_printf
	/* BR through x16 to a label, then RET via a non-x30 register. */
	adr	x16, 2f
	mov	x19, #0
	br	x16
	mov	x19, #99		/* skipped */
2:	adr	x7, 3f
	ret	x7
	mov	x19, #98		/* skipped */
3:	add	x19, x19, #7
	mov	x1, x19
	adr	x0, fmt_br
	bl	rt_printf
	/* A jump table. */
	mov	x19, #0
	mov	x9, #0
4:	adr	x10, table
	ldr	w11, [x10, x9, lsl #2]
	add	x10, x10, w11, sxtw
	br	x10
case0:	add	x19, x19, #1
	b	5f
case1:	add	x19, x19, #10
	b	5f
case2:	add	x19, x19, #100
5:	add	x9, x9, #1
	cmp	x9, #3
	b.lo	4b
	mov	x1, x19
	adr	x0, fmt_table
	bl	rt_printf
	mov	w0, #0
	ldr	x19, [sp, #16]
	ldp	x29, x30, [sp], #32
	ret

callee:
	add	x0, x0, #0x234
	ret

	.section .rodata
	.balign	4
table:	.word	case0 - table, case1 - table, case2 - table
msg_start: .asciz "indirect branches\n"
fmt_bl:	.asciz	"bl link offset=%lx\n"
fmt_blr: .asciz	"blr result=%lx\n"
fmt_br:	.asciz	"br/ret path=%lx\n"
fmt_table: .asciz "jump table sum=%lx\n"
