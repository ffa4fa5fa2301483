/*
 * The secondary VM the VMM guest builds (rm/testdata/vmm): entered at its
 * image with x0 = its devicetree (the RM's default start). It says whether
 * x0 points at a devicetree, prints a line on the PL011 at 0x09000000 —
 * which it does not have: every access is a VMMIO exit its VMM emulates —
 * waiting for the UART's TX FIFO (UARTFR.TXFF, bit 5) like a driver, then
 * waits for interrupts forever.
 */
	.section .text.start
	.global _start
_start:
	movz x2, #0x0900, lsl #16
	ldr w4, [x0]
	rev w4, w4
	movz w5, #0xfeed
	movk w5, #0xd00d, lsl #16
	adr x1, dtb_ok
	cmp w4, w5
	b.eq 1f
	adr x1, dtb_bad
1:	bl print
	adr x1, msg
	bl print
2:	wfi
	b 2b

print:
	ldrb w3, [x1], #1
	cbz w3, 4f
3:	ldr w4, [x2, #0x18]
	tbnz w4, #5, 3b
	str w3, [x2]
	b print
4:	ret

dtb_ok:	.asciz "secondary: x0 is my devicetree\n"
dtb_bad: .asciz "secondary: x0 is not a devicetree\n"
msg:	.asciz "secondary: hello through my VMM\n"
