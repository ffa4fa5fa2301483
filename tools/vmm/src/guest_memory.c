// SPDX-License-Identifier: GPL-2.0-only
/* The guest RAM mapping of guest_memory.h. */
#include "guest_memory.h"

#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

/* The arm64 PMD size with 4 KiB pages: one transparent huge page. */
#define THP_SIZE	0x200000ULL
#define SMALL_PAGE	0x1000ULL

static void *raw_base;
static size_t raw_size;

int guest_ram_map(struct guest_memory *m)
{
	uint8_t *raw, *aligned;
	uint64_t off;

	raw_size = m->size + THP_SIZE;
	raw = mmap(NULL, raw_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return -errno;
	raw_base = raw;
	aligned = (uint8_t *)(((uintptr_t)raw + THP_SIZE - 1) & ~(uintptr_t)(THP_SIZE - 1));
	/* Advice only: without THP the pages are small and the region may be refused. */
	madvise(aligned, m->size, MADV_HUGEPAGE);
	for (off = 0; off < m->size; off += SMALL_PAGE)
		((volatile uint8_t *)aligned)[off] = 0;
	m->host = aligned;
	return 0;
}

void guest_ram_unmap(struct guest_memory *m)
{
	if (raw_base)
		munmap(raw_base, raw_size);
	raw_base = NULL;
	m->host = NULL;
}
