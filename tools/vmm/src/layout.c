// SPDX-License-Identifier: GPL-2.0-only
/* Guest memory placement of layout.h. */
#include "layout.h"

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int arm64_image_parse(const uint8_t *hdr, size_t len, struct arm64_image_header *out,
		      const char **why)
{
	uint32_t magic;

	if (len < ARM64_IMAGE_HEADER_SIZE) {
		*why = "shorter than the 64-byte arm64 Image header";
		return -1;
	}
	magic = (uint32_t)le64(hdr + ARM64_IMAGE_MAGIC_OFFSET);
	if (magic != ARM64_IMAGE_MAGIC) {
		*why = "no arm64 Image magic \"ARM\\x64\" at offset 0x38 (a compressed vmlinuz? "
		       "give the uncompressed Image)";
		return -1;
	}
	out->text_offset = le64(hdr + ARM64_IMAGE_TEXT_OFFSET_OFFSET);
	out->image_size = le64(hdr + ARM64_IMAGE_SIZE_OFFSET);
	out->flags = le64(hdr + ARM64_IMAGE_FLAGS_OFFSET);
	if (out->image_size == 0)
		out->text_offset = ARM64_IMAGE_LEGACY_TEXT_OFFSET;
	if (out->flags & ARM64_IMAGE_FLAG_BE) {
		*why = "a big-endian kernel (header flags bit 0); the guest runs little-endian";
		return -1;
	}
	return 0;
}

int guest_layout_place(struct guest_layout *l, uint64_t ram_base, uint64_t ram_size,
		       const struct arm64_image_header *h, uint64_t kernel_size,
		       uint64_t initrd_size, const char **why)
{
	uint64_t ram_end = ram_base + ram_size, span, half;

	l->ram_base = ram_base;
	l->ram_size = ram_size;
	if (h->text_offset != 0) {
		*why = "the kernel's text_offset is not 0, but a v14 Gunyah VM enters at the "
		       "start of its memory region";
		return -1;
	}
	l->kernel_gpa = ram_base + h->text_offset;
	l->kernel_size = kernel_size;
	span = h->image_size > kernel_size ? h->image_size : kernel_size;
	l->kernel_end = l->kernel_gpa + span;
	if (l->kernel_end > ram_end) {
		*why = "the kernel (with its image_size) does not fit in RAM (-m)";
		return -1;
	}
	half = ram_size / 2 < SZ_128M ? ram_size / 2 : SZ_128M;
	l->initrd_gpa = ram_base + half;
	if (l->initrd_gpa < align_up(l->kernel_end, VMM_PAGE_SIZE))
		l->initrd_gpa = align_up(l->kernel_end, VMM_PAGE_SIZE);
	l->initrd_size = initrd_size;
	if (l->initrd_gpa + initrd_size > ram_end) {
		*why = "the initrd does not fit in RAM after the kernel (-m)";
		return -1;
	}
	l->dtb_room = VMM_DTB_ROOM;
	l->dtb_gpa = align_up(l->initrd_gpa + initrd_size, SZ_2M);
	if (l->dtb_gpa + l->dtb_room > ram_end) {
		*why = "no room for the devicetree after the initrd (-m)";
		return -1;
	}
	return 0;
}
