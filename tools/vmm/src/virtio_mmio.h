/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio-mmio transport, version 2 ("modern", virtio 1.1 §4.2.2): the
 * register file and the device status state machine. It knows nothing of
 * what a request means: a backend (virtio_blk.c) gives the device ID, its
 * features and config space, and handles a queue when the driver notifies.
 */
#ifndef GUNYAH_VMM_VIRTIO_MMIO_H
#define GUNYAH_VMM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdint.h>

#include "guest_memory.h"
#include "mmio.h"

/* Register offsets (virtio 1.1 §4.2.2, table "MMIO Device Register Layout"). */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

#define VIRTIO_MMIO_MAGIC		0x74726976u	/* "virt" */
#define VIRTIO_MMIO_VERSION_MODERN	2u
/* "QEMU" as the vendor ID, as QEMU's transport reports. */
#define VIRTIO_MMIO_VENDOR		0x554d4551u

/* Device status bits (virtio 1.1 §2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	1u
#define VIRTIO_STATUS_DRIVER		2u
#define VIRTIO_STATUS_DRIVER_OK		4u
#define VIRTIO_STATUS_FEATURES_OK	8u
#define VIRTIO_STATUS_NEEDS_RESET	64u
#define VIRTIO_STATUS_FAILED		128u

#define VIRTIO_INT_USED_RING		1u
#define VIRTIO_INT_CONFIG		2u

#define VIRTIO_F_VERSION_1		32

/* Split virtqueue layout (virtio 1.1 §2.6). */
#define VIRTQ_DESC_F_NEXT		1u
#define VIRTQ_DESC_F_WRITE		2u
#define VIRTQ_DESC_F_INDIRECT		4u
#define VIRTQ_MAX_SIZE			256u

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtqueue {
	uint32_t num, ready;
	uint64_t desc, avail, used;
	uint16_t last_avail;
};

struct virtio_mmio;

struct virtio_backend {
	uint32_t device_id;
	uint64_t features;
	unsigned int nr_queues;
	/* Config space read (offset within it, len 1/2/4/8). */
	uint64_t (*config_read)(void *be, uint64_t offset, unsigned int len);
	/*
	 * One request chain: descriptors [0, n) already bounds-checked; returns
	 * the bytes written into device-writable buffers (the used length).
	 */
	uint32_t (*handle)(void *be, struct virtio_mmio *t, const struct virtq_desc *chain,
			   unsigned int n);
	void *be;
};

struct virtio_mmio {
	pthread_mutex_t lock;
	struct virtio_backend backend;
	const struct guest_memory *mem;
	struct vmm_irq_line irq;
	uint32_t status, int_status;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	struct virtqueue queues[2];
	unsigned long requests;		/* chains handled, for tests and the exit summary */
};

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_backend *b,
		      const struct guest_memory *mem, struct vmm_irq_line irq);
void virtio_mmio_device(struct virtio_mmio *t, struct mmio_device *out, uint64_t base,
			uint64_t size);
/* The driver wrote QueueNotify (from an MMIO exit or the ioeventfd): run the queue. */
void virtio_mmio_notify(struct virtio_mmio *t, unsigned int queue);

#endif
