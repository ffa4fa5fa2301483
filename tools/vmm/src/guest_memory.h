/* SPDX-License-Identifier: GPL-2.0-only */
/* The guest's RAM as the VMM maps it: every guest-given address is checked here. */
#ifndef GUNYAH_VMM_GUEST_MEMORY_H
#define GUNYAH_VMM_GUEST_MEMORY_H

#include <stdint.h>

struct guest_memory {
	uint8_t *host;
	uint64_t gpa, size;
};

/* Host pointer to [gpa, gpa + len), or NULL when any of it is outside RAM. */
static inline void *guest_ptr(const struct guest_memory *m, uint64_t gpa, uint64_t len)
{
	if (gpa < m->gpa || len > m->size || gpa - m->gpa > m->size - len)
		return 0;
	return m->host + (gpa - m->gpa);
}

/*
 * Map the RAM: anonymous, 2 MiB aligned and advised as transparent huge
 * pages, every page touched, so the VM manager pins few physically
 * contiguous runs (without MEM_APPEND a region holds a bounded number of
 * them). 0 or -errno; guest_ram_unmap releases it.
 */
int guest_ram_map(struct guest_memory *m);
void guest_ram_unmap(struct guest_memory *m);

#endif
