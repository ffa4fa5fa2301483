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

#endif
