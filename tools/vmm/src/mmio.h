/* SPDX-License-Identifier: GPL-2.0-only */
/* An emulated device's MMIO window and the line it raises (an irqfd in the VMM). */
#ifndef GUNYAH_VMM_MMIO_H
#define GUNYAH_VMM_MMIO_H

#include <stdint.h>

/* Raise SPI `spi` (the VMM signals its irqfd, ringing the doorbell labelled `spi`). */
typedef void (*vmm_irq_fn)(void *ctx, unsigned int spi);

struct vmm_irq_line {
	vmm_irq_fn raise;
	void *ctx;
	unsigned int spi;
};

static inline void vmm_irq_raise(const struct vmm_irq_line *l)
{
	if (l->raise)
		l->raise(l->ctx, l->spi);
}

struct mmio_device {
	const char *name;
	uint64_t base, size;
	/* len is 1, 2, 4 or 8; the value is little-endian in the low bytes. */
	uint64_t (*read)(void *dev, uint64_t offset, unsigned int len);
	void (*write)(void *dev, uint64_t offset, unsigned int len, uint64_t value);
	void *dev;
};

#endif
