/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A virtio block device backend (virtio 1.1 §5.2) over a raw image file:
 * one request queue; IN, OUT, FLUSH and GET_ID requests; capacity in
 * 512-byte sectors; read-only when the file cannot be written.
 */
#ifndef GUNYAH_VMM_VIRTIO_BLK_H
#define GUNYAH_VMM_VIRTIO_BLK_H

#include <stdint.h>

#include "virtio_mmio.h"

#define VIRTIO_ID_BLOCK		2u

/* Feature bits (§5.2.3). */
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_FLUSH	9

/* Request types and status (§5.2.6). */
#define VIRTIO_BLK_T_IN		0u
#define VIRTIO_BLK_T_OUT	1u
#define VIRTIO_BLK_T_FLUSH	4u
#define VIRTIO_BLK_T_GET_ID	8u
#define VIRTIO_BLK_S_OK		0u
#define VIRTIO_BLK_S_IOERR	1u
#define VIRTIO_BLK_S_UNSUPP	2u

#define VIRTIO_BLK_SECTOR_SIZE	512u
#define VIRTIO_BLK_ID_BYTES	20u

struct virtio_blk {
	int fd;
	uint64_t capacity;	/* sectors */
	int read_only;
	const struct guest_memory *mem;
	char id[VIRTIO_BLK_ID_BYTES + 1];
};

/* Open path; 0, or -errno. */
int virtio_blk_open(struct virtio_blk *b, const char *path, const struct guest_memory *mem);
void virtio_blk_backend(struct virtio_blk *b, struct virtio_backend *out);

#endif
