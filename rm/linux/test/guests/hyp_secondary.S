/*
 * A secondary for the minimal VMM of gunyah-vm-test ("start"): its vCPU is
 * scheduled by the hypervisor, nobody emulates anything for it. Entered at
 * its image (the start of its RAM) with x0 = its devicetree. It writes into
 * its RAM, which the VMM shares and polls:
 *   +0x8000  0x5ec0dda7 when it runs, or 0xbad0d7b0 if x0 is no devicetree
 *   +0x8008  a counter it raises to 100000, one store per step
 *   +0x8010  0xd0e once the counter is done
 * then waits for interrupts forever.
 */
	.section .text.start
	.global _start
_start:
	adr x9, _start
	add x9, x9, #0x8000
	ldr w4, [x0]
	rev w4, w4
	movz w5, #0xfeed
	movk w5, #0xd00d, lsl #16
	movz w6, #0xdda7
	movk w6, #0x5ec0, lsl #16
	cmp w4, w5
	b.eq 1f
	movz w6, #0xd7b0
	movk w6, #0xbad0, lsl #16
1:	str w6, [x9]
	mov x1, #0
	movz x2, #0x86a0
	movk x2, #0x1, lsl #16		/* 100000 */
2:	add x1, x1, #1
	str x1, [x9, #8]
	cmp x1, x2
	b.lo 2b
	mov w3, #0xd0e
	str w3, [x9, #0x10]
3:	wfi
	b 3b
