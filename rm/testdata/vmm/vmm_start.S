/*
 * Entry of the VMM guest at the RAM base: x0 = DTB. Stack at RAM base +
 * 1 MiB; exceptions report ESR/ELR/FAR and stop; PSCI SYSTEM_OFF at the end.
 * The secondary's image and devicetree are built by the test and included
 * here (assembler include path: the build directory).
 */
	.section .text.start
	.global _start
_start:
	adr x1, _start
	add sp, x1, #0x100000
	adr x1, vectors
	msr vbar_el1, x1
	isb
	bl vmm_main
off:
	movz x0, #0x0008
	movk x0, #0x8400, lsl #16
	hvc #0
1:	b 1b

	.balign 2048
vectors:
	.rept 16
	b trap
	.balign 128
	.endr
trap:
	mrs x0, esr_el1
	mrs x1, elr_el1
	mrs x2, far_el1
	bl vmm_trap
	b off

	.section .rodata
	.balign 16
	.global secondary_image, secondary_image_end, secondary_dtb, secondary_dtb_end
secondary_image:
	.incbin "secondary.bin"
secondary_image_end:
	.balign 16
secondary_dtb:
	.incbin "secondary.dtb"
secondary_dtb_end:
