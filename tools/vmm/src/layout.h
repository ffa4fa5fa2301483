/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the kernel, the initrd and the devicetree go in guest RAM: the arm64
 * Linux booting protocol (Documentation/arch/arm64/booting.rst: the 64-byte
 * Image header, text_offset above a 2 MiB aligned base, image_size bytes
 * reserved) and QEMU's choices (hw/arm/boot.c: the initrd at RAM +
 * min(RAM/2, 128 MiB) and above the kernel, the DTB after it, 2 MiB aligned).
 */
#ifndef GUNYAH_VMM_LAYOUT_H
#define GUNYAH_VMM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* arm64 Image header (booting.rst §4). */
#define ARM64_IMAGE_HEADER_SIZE		64u
#define ARM64_IMAGE_MAGIC		0x644d5241u	/* "ARM\x64" at offset 0x38 */
#define ARM64_IMAGE_MAGIC_OFFSET	0x38u
#define ARM64_IMAGE_TEXT_OFFSET_OFFSET	0x08u
#define ARM64_IMAGE_SIZE_OFFSET		0x10u
#define ARM64_IMAGE_FLAGS_OFFSET	0x18u
#define ARM64_IMAGE_FLAG_BE		(1u << 0)
/* Before Linux 3.17 image_size was 0 and text_offset unreliable: assume 0x80000. */
#define ARM64_IMAGE_LEGACY_TEXT_OFFSET	0x80000u

#define SZ_2M			0x200000ULL
#define SZ_128M			0x8000000ULL
/* The room the DTB config gives: our DTB plus the RM's /hypervisor overlay. */
#define VMM_DTB_ROOM		0x10000ULL
#define VMM_PAGE_SIZE		0x1000ULL

struct arm64_image_header {
	uint64_t text_offset;
	uint64_t image_size;	/* bytes from the load address the kernel needs (with BSS) */
	uint64_t flags;
};

/* Decode a header; 0, or -1 with *why set (not an arm64 Image, big-endian). */
int arm64_image_parse(const uint8_t *hdr, size_t len, struct arm64_image_header *out,
		      const char **why);

struct guest_layout {
	uint64_t ram_base, ram_size;
	uint64_t kernel_gpa, kernel_size;	/* file size */
	uint64_t kernel_end;			/* kernel_gpa + max(image_size, file size) */
	uint64_t initrd_gpa, initrd_size;	/* size 0: none */
	uint64_t dtb_gpa, dtb_room;
};

/*
 * Place everything; 0, or -1 with *why (does not fit in RAM). Per the v14 VM
 * manager the boot vCPU enters at the start of the region holding the DTB
 * (gunyah-abi.md §7.2), so the kernel goes at ram_base + text_offset and a
 * non-zero text_offset is refused.
 */
int guest_layout_place(struct guest_layout *l, uint64_t ram_base, uint64_t ram_size,
		       const struct arm64_image_header *h, uint64_t kernel_size,
		       uint64_t initrd_size, const char **why);

#endif
