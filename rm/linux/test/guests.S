/*
 * The secondaries gunyah-vm-test starts, linked into it (build.ts assembles
 * them from test/guests/ with the cross toolchain and dtc, and passes their
 * folder with -Wa,-I).
 */
	.section .rodata
	.balign 16
	.global hyp_image, hyp_image_end, hyp_dtb, hyp_dtb_end
	.global proxy_image, proxy_image_end, proxy_dtb, proxy_dtb_end
hyp_image:	.incbin "hyp_secondary.bin"
hyp_image_end:
	.balign 16
hyp_dtb:	.incbin "hyp_secondary.dtb"
hyp_dtb_end:
	.balign 16
proxy_image:	.incbin "proxy_secondary.bin"
proxy_image_end:
	.balign 16
proxy_dtb:	.incbin "proxy_secondary.dtb"
proxy_dtb_end:
	.section .note.GNU-stack, "", %progbits
