// SPDX-License-Identifier: GPL-2.0-only
/* The FDT reader of fdt_read.h (DT spec v0.4 chapter 5). */
#include "fdt_read.h"

#include <string.h>

#include "fdt.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

struct fdt_view {
	const uint8_t *st;	/* structure block */
	size_t st_len;
	const char *strings;
	size_t str_len;
};

static int view(const uint8_t *blob, size_t len, struct fdt_view *v)
{
	uint32_t total, off_st, off_str, size_st, size_str;

	if (len < FDT_HEADER_SIZE || be32(blob) != FDT_MAGIC)
		return -1;
	total = be32(blob + 4);
	off_st = be32(blob + 8);
	off_str = be32(blob + 12);
	size_str = be32(blob + 32);
	size_st = be32(blob + 36);
	if (total > len || off_st > total || size_st > total - off_st || off_str > total ||
	    size_str > total - off_str)
		return -1;
	v->st = blob + off_st;
	v->st_len = size_st;
	v->strings = (const char *)blob + off_str;
	v->str_len = size_str;
	return 0;
}

/*
 * Walk the structure block calling `prop` for every property of a node at
 * depth 1 (a child of the root) or 2 (a grandchild), with the node names.
 */
typedef int (*prop_fn)(void *ctx, const char *parent, const char *node, const char *name,
		       size_t value_off, uint32_t len);

static int walk(const struct fdt_view *v, prop_fn fn, void *ctx)
{
	const char *names[3] = { "", "", "" };
	size_t off = 0;
	int depth = 0, r;

	while (off + 4 <= v->st_len) {
		uint32_t tok = be32(v->st + off);
		const char *name;
		size_t n;

		off += 4;
		switch (tok) {
		case FDT_BEGIN_NODE:
			name = (const char *)v->st + off;
			n = strnlen(name, v->st_len - off);
			if (n == v->st_len - off)
				return -1;
			if (depth < 3)
				names[depth] = name;
			depth++;
			off += (n + 1 + 3) & ~(size_t)3;
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return -1;
			break;
		case FDT_PROP: {
			uint32_t len, nameoff;

			if (off + 8 > v->st_len)
				return -1;
			len = be32(v->st + off);
			nameoff = be32(v->st + off + 4);
			off += 8;
			if (len > v->st_len - off || nameoff >= v->str_len)
				return -1;
			if (depth == 2 || depth == 3) {
				r = fn(ctx, depth == 3 ? names[1] : "", names[depth - 1],
				       v->strings + nameoff, off, len);
				if (r)
					return r;
			}
			off += (len + 3) & ~(size_t)3;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return 0;
		default:
			return -1;
		}
	}
	return -1;
}

struct bells_ctx {
	const struct fdt_view *v;
	struct fdt_bell *out;
	int max, n;
	const char *current;	/* the node the last entry came from */
	int have_label, have_irq;
};

static int bell_prop(void *c, const char *parent, const char *node, const char *name,
		     size_t value_off, uint32_t len)
{
	struct bells_ctx *b = c;
	const uint8_t *p = b->v->st + value_off;
	struct fdt_bell *e;

	if (strcmp(parent, "hypervisor") || strncmp(node, "bell-", 5))
		return 0;
	if (b->current != node) {
		if (b->n >= b->max)
			return 0;
		b->current = node;
		b->n++;
		memset(&b->out[b->n - 1], 0xff, sizeof(b->out[0]));
	}
	e = &b->out[b->n - 1];
	if ((!strcmp(name, "qcom,label") || !strcmp(name, "label")) && len == 4)
		e->label = be32(p);
	else if (!strcmp(name, "interrupts") && len == 12) {
		e->irq[0] = be32(p);
		e->irq[1] = be32(p + 4);
		e->irq[2] = be32(p + 8);
	}
	return 0;
}

int fdt_read_bells(const uint8_t *blob, size_t len, struct fdt_bell *out, int max)
{
	struct fdt_view v;
	struct bells_ctx c = { &v, out, max, 0, NULL, 0, 0 };

	if (view(blob, len, &v) || walk(&v, bell_prop, &c) < 0)
		return -1;
	return c.n;
}

struct patch_ctx {
	const char *node;
	size_t value_off;
	int found;
};

static int patch_prop(void *c, const char *parent, const char *node, const char *name,
		      size_t value_off, uint32_t len)
{
	struct patch_ctx *p = c;

	if (!*parent && !strcmp(node, p->node) && !strcmp(name, "interrupts") && len == 12) {
		p->value_off = value_off;
		p->found = 1;
	}
	return 0;
}

int fdt_patch_interrupts(uint8_t *blob, size_t len, const char *node, const uint32_t irq[3])
{
	struct fdt_view v;
	struct patch_ctx p = { node, 0, 0 };
	uint8_t *dst;

	if (view(blob, len, &v) || walk(&v, patch_prop, &p) < 0 || !p.found)
		return -1;
	dst = (uint8_t *)v.st + p.value_off;
	put_be32(dst, irq[0]);
	put_be32(dst + 4, irq[1]);
	put_be32(dst + 8, irq[2]);
	return 0;
}
