/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small flattened-devicetree writer (devicetree specification v0.4,
 * chapter 5 "Flattened Devicetree (DTB) Format"): one pass, nodes and
 * properties appended in order, strings de-duplicated, the blob finished
 * with its 40-byte header and an empty memory-reservation map.
 */
#ifndef GUNYAH_VMM_FDT_H
#define GUNYAH_VMM_FDT_H

#include <stddef.h>
#include <stdint.h>

/* Header fields and tokens (DT spec §5.2, §5.4.1). */
#define FDT_MAGIC		0xd00dfeedu
#define FDT_VERSION		17u
#define FDT_LAST_COMP_VERSION	16u
#define FDT_HEADER_SIZE		40u
#define FDT_BEGIN_NODE		0x1u
#define FDT_END_NODE		0x2u
#define FDT_PROP		0x3u
#define FDT_NOP			0x4u
#define FDT_END			0x9u

struct fdt_writer {
	uint8_t *structure;
	size_t struct_len, struct_cap;
	char *strings;
	size_t strings_len, strings_cap;
	int depth;
	int failed;		/* out of memory or unbalanced nodes */
	uint32_t next_phandle;
};

void fdt_init(struct fdt_writer *w);
void fdt_free(struct fdt_writer *w);

void fdt_begin_node(struct fdt_writer *w, const char *name);
void fdt_end_node(struct fdt_writer *w);

void fdt_prop(struct fdt_writer *w, const char *name, const void *value, size_t len);
void fdt_prop_empty(struct fdt_writer *w, const char *name);
void fdt_prop_u32(struct fdt_writer *w, const char *name, uint32_t value);
/* A 64-bit value as two cells (high, low). */
void fdt_prop_u64(struct fdt_writer *w, const char *name, uint64_t value);
void fdt_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, size_t n);
void fdt_prop_string(struct fdt_writer *w, const char *name, const char *value);
/* Several strings, NULL-terminated list: "a\0b\0". */
void fdt_prop_strings(struct fdt_writer *w, const char *name, const char *const *values);

/* A fresh phandle (1, 2, ...) for the caller to put in a node's "phandle". */
uint32_t fdt_alloc_phandle(struct fdt_writer *w);

/*
 * Lay out the blob; returns a malloc'ed buffer of *size bytes, or NULL if the
 * writer failed (out of memory, nodes left open).
 */
uint8_t *fdt_finish(struct fdt_writer *w, size_t *size);

#endif
