// SPDX-License-Identifier: GPL-2.0-only
/* The FDT writer of fdt.h (DT spec v0.4 chapter 5). */
#include "fdt.h"

#include <stdlib.h>
#include <string.h>

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static int grow(void **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

static void emit(struct fdt_writer *w, const void *data, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;

	if (w->failed)
		return;
	if (grow((void **)&w->structure, &w->struct_cap, w->struct_len + padded)) {
		w->failed = 1;
		return;
	}
	memcpy(w->structure + w->struct_len, data, len);
	memset(w->structure + w->struct_len + len, 0, padded - len);
	w->struct_len += padded;
}

static void emit_u32(struct fdt_writer *w, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	emit(w, b, 4);
}

/* Offset of name in the strings block, added if new. */
static uint32_t string_offset(struct fdt_writer *w, const char *name)
{
	size_t len = strlen(name) + 1, off = 0;

	while (off < w->strings_len) {
		if (!strcmp(w->strings + off, name))
			return off;
		off += strlen(w->strings + off) + 1;
	}
	if (grow((void **)&w->strings, &w->strings_cap, w->strings_len + len)) {
		w->failed = 1;
		return 0;
	}
	memcpy(w->strings + w->strings_len, name, len);
	w->strings_len += len;
	return off;
}

void fdt_init(struct fdt_writer *w)
{
	memset(w, 0, sizeof(*w));
	w->next_phandle = 1;
}

void fdt_free(struct fdt_writer *w)
{
	free(w->structure);
	free(w->strings);
	memset(w, 0, sizeof(*w));
}

void fdt_begin_node(struct fdt_writer *w, const char *name)
{
	emit_u32(w, FDT_BEGIN_NODE);
	emit(w, name, strlen(name) + 1);
	w->depth++;
}

void fdt_end_node(struct fdt_writer *w)
{
	if (w->depth <= 0) {
		w->failed = 1;
		return;
	}
	emit_u32(w, FDT_END_NODE);
	w->depth--;
}

void fdt_prop(struct fdt_writer *w, const char *name, const void *value, size_t len)
{
	uint32_t off = string_offset(w, name);

	emit_u32(w, FDT_PROP);
	emit_u32(w, (uint32_t)len);
	emit_u32(w, off);
	if (len)
		emit(w, value, len);
}

void fdt_prop_empty(struct fdt_writer *w, const char *name)
{
	fdt_prop(w, name, NULL, 0);
}

void fdt_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, size_t n)
{
	uint8_t buf[4 * 64];
	size_t i;

	if (n > 64) {
		w->failed = 1;
		return;
	}
	for (i = 0; i < n; i++)
		put_be32(buf + 4 * i, cells[i]);
	fdt_prop(w, name, buf, 4 * n);
}

void fdt_prop_u32(struct fdt_writer *w, const char *name, uint32_t value)
{
	fdt_prop_cells(w, name, &value, 1);
}

void fdt_prop_u64(struct fdt_writer *w, const char *name, uint64_t value)
{
	uint32_t c[2] = { (uint32_t)(value >> 32), (uint32_t)value };

	fdt_prop_cells(w, name, c, 2);
}

void fdt_prop_string(struct fdt_writer *w, const char *name, const char *value)
{
	fdt_prop(w, name, value, strlen(value) + 1);
}

void fdt_prop_strings(struct fdt_writer *w, const char *name, const char *const *values)
{
	char buf[512];
	size_t len = 0, n;

	for (; *values; values++) {
		n = strlen(*values) + 1;
		if (len + n > sizeof(buf)) {
			w->failed = 1;
			return;
		}
		memcpy(buf + len, *values, n);
		len += n;
	}
	fdt_prop(w, name, buf, len);
}

uint32_t fdt_alloc_phandle(struct fdt_writer *w)
{
	return w->next_phandle++;
}

uint8_t *fdt_finish(struct fdt_writer *w, size_t *size)
{
	size_t off_rsv = FDT_HEADER_SIZE, off_struct, off_strings, total;
	uint8_t *blob;

	emit_u32(w, FDT_END);
	if (w->failed || w->depth != 0)
		return NULL;
	/* An empty reservation map: one {0, 0} entry of two u64s, 8-byte aligned. */
	off_struct = off_rsv + 16;
	off_strings = off_struct + w->struct_len;
	total = off_strings + w->strings_len;
	blob = calloc(1, total);
	if (!blob)
		return NULL;
	put_be32(blob + 0, FDT_MAGIC);
	put_be32(blob + 4, (uint32_t)total);
	put_be32(blob + 8, (uint32_t)off_struct);
	put_be32(blob + 12, (uint32_t)off_strings);
	put_be32(blob + 16, (uint32_t)off_rsv);
	put_be32(blob + 20, FDT_VERSION);
	put_be32(blob + 24, FDT_LAST_COMP_VERSION);
	put_be32(blob + 28, 0);			/* boot_cpuid_phys */
	put_be32(blob + 32, (uint32_t)w->strings_len);
	put_be32(blob + 36, (uint32_t)w->struct_len);
	memcpy(blob + off_struct, w->structure, w->struct_len);
	memcpy(blob + off_strings, w->strings, w->strings_len);
	*size = total;
	return blob;
}
