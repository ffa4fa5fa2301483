/*
 * A compute-bound guest for the MIPS benchmark: ITERATIONS passes of a
 * 12-instruction integer loop (adds, logic, shifts, multiply, a load and a
 * store to a stack slot, a compare-and-branch), then PSCI SYSTEM_OFF over HVC.
 * Executed instructions = 12 * ITERATIONS + a small constant, so the
 * benchmark can derive MIPS from wall time without counting.
 */
	.section .text.boot, "ax"
	.global _start
_start:
	ldr	x9, =0x40000000 + 0x100000	/* a scratch stack slot inside RAM */
	ldr	x0, =ITERATIONS
	mov	x1, #1
	mov	x2, #3
	mov	x3, #0
1:	add	x1, x1, x2
	eor	x3, x3, x1, lsl #3
	mul	x4, x1, x2
	orr	x2, x2, x4, lsr #7
	and	x5, x3, #0xff00
	sub	x2, x2, x5
	str	x3, [x9]
	ldr	x6, [x9]
	add	x1, x1, x6, asr #2
	subs	x0, x0, #1
	csel	x7, x1, x2, ne
	b.ne	1b
	/* PSCI SYSTEM_OFF (function ID 0x84000008) through the HVC conduit. */
	ldr	x0, =0x84000008
	hvc	#0
2:	b	2b
	.ltorg
