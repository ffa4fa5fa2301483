/*
 * The secondary of gunyah-vm-test "run" / "lend": one proxy-scheduled vCPU
 * whose devices are all emulated by its VMM from GH_VCPU_RUN's MMIO exits.
 * Entered with x0 = its devicetree.
 *   PL011 at 0x09000000: UARTDR (+0) writes, UARTFR (+0x18) TXFF polled.
 *   Test device at 0x0a000000 (TEST_* below).
 * Sequence: print a line; read TEST_ID and write the value to TEST_ECHO;
 * write 1 three times and 2 once to TEST_NOTIFY (the VMM's ioeventfd takes
 * the 1s in the kernel); configure the GICv3 (every SPI enabled, group 1,
 * this CPU awake, priority mask open, IRQs left masked in PSTATE), write
 * TEST_WAIT, WFI until ICC_IAR1_EL1 gives an interrupt (the VMM's irqfd
 * rings the doorbell), write its INTID to TEST_IRQ and end it; print a
 * line; read TEST_ACTION and call PSCI SYSTEM_OFF (0) or SYSTEM_RESET (1)
 * by HVC. Should the call return, its result goes to TEST_PSCI_FAILED.
 */
#define UART		0x09000000
#define TEST		0x0a000000
#define TEST_ID		0x00
#define TEST_ECHO	0x04
#define TEST_NOTIFY	0x08
#define TEST_WAIT	0x0c
#define TEST_IRQ	0x10
#define TEST_ACTION	0x14
#define TEST_PSCI_FAILED 0x18
#define GICD		0x3fff0000
#define GICR		0x3ffd0000
#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICR_WAKER	0x0014
#define PSCI_SYSTEM_OFF	 0x84000008
#define PSCI_SYSTEM_RESET 0x84000009
/* GICv3 CPU interface system registers (Arm IHI 0069). */
#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_SRE_EL1	S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1	S3_0_C12_C12_7

	.section .text.start
	.global _start
_start:
	movz x20, #(UART >> 16), lsl #16
	movz x21, #(TEST >> 16), lsl #16
	adr x1, hello
	bl print

	ldr w5, [x21, #TEST_ID]
	str w5, [x21, #TEST_ECHO]

	mov w5, #1
	str w5, [x21, #TEST_NOTIFY]
	str w5, [x21, #TEST_NOTIFY]
	str w5, [x21, #TEST_NOTIFY]
	mov w5, #2
	str w5, [x21, #TEST_NOTIFY]

	/* Distributor: affinity routing + group 1; every SPI group 1, enabled. */
	movz x22, #(GICD >> 16), lsl #16
	mov w5, #0x12
	str w5, [x22, #GICD_CTLR]
	ldr w6, [x22, #GICD_TYPER]
	and w6, w6, #0x1f		/* ITLinesNumber: SPI words */
	mov w7, #1
	mov w5, #-1
1:	cmp w7, w6
	b.hi 2f
	add x8, x22, x7, lsl #2
	str w5, [x8, #GICD_IGROUPR]
	str w5, [x8, #GICD_ISENABLER]
	add w7, w7, #1
	b 1b
	/* Redistributor: wake this CPU's. */
2:	movz x23, #(GICR >> 16), lsl #16
	ldr w5, [x23, #GICR_WAKER]
	bic w5, w5, #2			/* ProcessorSleep */
	str w5, [x23, #GICR_WAKER]
3:	ldr w5, [x23, #GICR_WAKER]
	tbnz w5, #2, 3b			/* ChildrenAsleep */
	/* CPU interface. */
	mrs x5, ICC_SRE_EL1
	orr x5, x5, #1
	msr ICC_SRE_EL1, x5
	isb
	mov x5, #0xff
	msr ICC_PMR_EL1, x5
	mov x5, #1
	msr ICC_IGRPEN1_EL1, x5
	isb

	mov w5, #1
	str w5, [x21, #TEST_WAIT]
4:	wfi
	mrs x5, ICC_IAR1_EL1
	and w5, w5, #0xffffff
	cmp w5, #1023
	b.eq 4b
	msr ICC_EOIR1_EL1, x5
	str w5, [x21, #TEST_IRQ]
	adr x1, woken
	bl print

	ldr w5, [x21, #TEST_ACTION]
	movz x0, #(PSCI_SYSTEM_OFF & 0xffff)
	movk x0, #(PSCI_SYSTEM_OFF >> 16), lsl #16
	cbz w5, 5f
	movz x0, #(PSCI_SYSTEM_RESET & 0xffff)
	movk x0, #(PSCI_SYSTEM_RESET >> 16), lsl #16
5:	hvc #0
	str w0, [x21, #TEST_PSCI_FAILED]
6:	wfi
	b 6b

print:
	ldrb w3, [x1], #1
	cbz w3, 8f
7:	ldr w4, [x20, #0x18]
	tbnz w4, #5, 7b
	str w3, [x20]
	b print
8:	ret

hello:	.asciz "secondary: hello from a proxy vCPU\n"
woken:	.asciz "secondary: woken by the doorbell\n"
