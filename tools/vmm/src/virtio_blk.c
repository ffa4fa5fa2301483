// SPDX-License-Identifier: GPL-2.0-only
/* The virtio block backend of virtio_blk.h. */
#include "virtio_blk.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLK_REQ_HEADER_SIZE	16u	/* le32 type, le32 reserved, le64 sector */

int virtio_blk_open(struct virtio_blk *b, const char *path, const struct guest_memory *mem)
{
	struct stat st;
	const char *base;

	memset(b, 0, sizeof(*b));
	b->fd = open(path, O_RDWR | O_CLOEXEC);
	if (b->fd < 0 && (errno == EACCES || errno == EROFS)) {
		b->fd = open(path, O_RDONLY | O_CLOEXEC);
		b->read_only = 1;
	}
	if (b->fd < 0)
		return -errno;
	if (fstat(b->fd, &st) < 0) {
		int e = -errno;

		close(b->fd);
		return e;
	}
	b->capacity = (uint64_t)st.st_size / VIRTIO_BLK_SECTOR_SIZE;
	b->mem = mem;
	base = strrchr(path, '/');
	strncpy(b->id, base ? base + 1 : path, VIRTIO_BLK_ID_BYTES);
	return 0;
}

static uint64_t blk_config_read(void *be, uint64_t off, unsigned int len)
{
	struct virtio_blk *b = be;
	uint8_t cfg[8];
	uint64_t v = 0;

	/* Only `capacity` (le64 at 0) is offered; the rest reads as 0. */
	if (off >= 8 || off + len > 8)
		return 0;
	memcpy(cfg, &b->capacity, 8);
	memcpy(&v, cfg + off, len);
	return v;
}

/* Copy between the file and the guest buffers of chain[1..n-2]. */
static unsigned int transfer(struct virtio_blk *b, const struct virtq_desc *d, unsigned int n,
		    uint32_t type, uint64_t sector, uint32_t *written)
{
	uint64_t pos = sector * VIRTIO_BLK_SECTOR_SIZE;
	unsigned int i;

	for (i = 1; i + 1 < n; i++) {
		uint8_t *p = guest_ptr(b->mem, d[i].addr, d[i].len);
		int device_writes = !!(d[i].flags & VIRTQ_DESC_F_WRITE);
		ssize_t r;

		if (device_writes != (type == VIRTIO_BLK_T_IN))
			return VIRTIO_BLK_S_IOERR;	/* buffer of the wrong direction */
		if (pos + d[i].len > b->capacity * VIRTIO_BLK_SECTOR_SIZE)
			return VIRTIO_BLK_S_IOERR;
		if (type == VIRTIO_BLK_T_IN) {
			r = pread(b->fd, p, d[i].len, (off_t)pos);
			if (r == (ssize_t)d[i].len)
				*written += d[i].len;
		} else {
			r = pwrite(b->fd, p, d[i].len, (off_t)pos);
		}
		if (r != (ssize_t)d[i].len)
			return VIRTIO_BLK_S_IOERR;
		pos += d[i].len;
	}
	return VIRTIO_BLK_S_OK;
}

static uint32_t blk_handle(void *be, struct virtio_mmio *t, const struct virtq_desc *d,
			   unsigned int n)
{
	struct virtio_blk *b = be;
	uint8_t hdr[BLK_REQ_HEADER_SIZE], *status;
	uint32_t type, written = 0;
	uint64_t sector;
	unsigned int s;

	(void)t;
	/* At least the header and the status byte; the status is device-writable (§5.2.6). */
	if (n < 2 || d[0].len < BLK_REQ_HEADER_SIZE || (d[0].flags & VIRTQ_DESC_F_WRITE) ||
	    !(d[n - 1].flags & VIRTQ_DESC_F_WRITE) || d[n - 1].len < 1)
		return 0;
	memcpy(hdr, guest_ptr(b->mem, d[0].addr, BLK_REQ_HEADER_SIZE), sizeof(hdr));
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	status = guest_ptr(b->mem, d[n - 1].addr + d[n - 1].len - 1, 1);

	switch (type) {
	case VIRTIO_BLK_T_IN:
		s = transfer(b, d, n, type, sector, &written);
		break;
	case VIRTIO_BLK_T_OUT:
		s = b->read_only ? VIRTIO_BLK_S_IOERR : transfer(b, d, n, type, sector, &written);
		break;
	case VIRTIO_BLK_T_FLUSH:
		s = fsync(b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		s = VIRTIO_BLK_S_IOERR;
		if (n >= 3 && (d[1].flags & VIRTQ_DESC_F_WRITE)) {
			uint32_t len = d[1].len < VIRTIO_BLK_ID_BYTES ? d[1].len :
				       VIRTIO_BLK_ID_BYTES;

			memset(guest_ptr(b->mem, d[1].addr, d[1].len), 0, d[1].len);
			memcpy(guest_ptr(b->mem, d[1].addr, len), b->id,
			       strnlen(b->id, len));
			written = d[1].len;
			s = VIRTIO_BLK_S_OK;
		}
		break;
	default:
		s = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	*status = (uint8_t)s;
	return written + 1;
}

void virtio_blk_backend(struct virtio_blk *b, struct virtio_backend *out)
{
	memset(out, 0, sizeof(*out));
	out->device_id = VIRTIO_ID_BLOCK;
	out->features = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_BLK_F_FLUSH);
	if (b->read_only)
		out->features |= 1ULL << VIRTIO_BLK_F_RO;
	out->nr_queues = 1;
	out->config_read = blk_config_read;
	out->handle = blk_handle;
	out->be = b;
}
