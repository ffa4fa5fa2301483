// SPDX-License-Identifier: GPL-2.0-only
/* The virtio-mmio transport of virtio_mmio.h. */
#include "virtio_mmio.h"

#include <stdio.h>
#include <string.h>

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_backend *b,
		      const struct guest_memory *mem, struct vmm_irq_line irq)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->backend = *b;
	t->mem = mem;
	t->irq = irq;
}

static void reset(struct virtio_mmio *t)
{
	t->status = 0;
	t->int_status = 0;
	t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
	t->driver_features = 0;
	memset(t->queues, 0, sizeof(t->queues));
}

static struct virtqueue *selected(struct virtio_mmio *t)
{
	return t->queue_sel < t->backend.nr_queues ? &t->queues[t->queue_sel] : NULL;
}

static uint64_t vm_read(void *dev, uint64_t off, unsigned int len)
{
	struct virtio_mmio *t = dev;
	struct virtqueue *q;
	uint64_t v = 0;

	pthread_mutex_lock(&t->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		v = t->backend.config_read(t->backend.be, off - VIRTIO_MMIO_CONFIG, len);
		goto out;
	}
	q = selected(t);
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: v = VIRTIO_MMIO_MAGIC; break;
	case VIRTIO_MMIO_VERSION: v = VIRTIO_MMIO_VERSION_MODERN; break;
	case VIRTIO_MMIO_DEVICE_ID: v = t->backend.device_id; break;
	case VIRTIO_MMIO_VENDOR_ID: v = VIRTIO_MMIO_VENDOR; break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		v = t->device_features_sel < 2 ?
		    (uint32_t)(t->backend.features >> (32 * t->device_features_sel)) : 0;
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX: v = q ? VIRTQ_MAX_SIZE : 0; break;
	case VIRTIO_MMIO_QUEUE_READY: v = q ? q->ready : 0; break;
	case VIRTIO_MMIO_INTERRUPT_STATUS: v = t->int_status; break;
	case VIRTIO_MMIO_STATUS: v = t->status; break;
	case VIRTIO_MMIO_CONFIG_GENERATION: v = 0; break;
	default: break;		/* write-only or reserved: reads as 0 */
	}
out:
	pthread_mutex_unlock(&t->lock);
	return v;
}

static void set_half(uint64_t *field, int high, uint32_t v)
{
	if (high)
		*field = (*field & 0xffffffffULL) | ((uint64_t)v << 32);
	else
		*field = (*field & ~0xffffffffULL) | v;
}

static void vm_write(void *dev, uint64_t off, unsigned int len, uint64_t v64)
{
	struct virtio_mmio *t = dev;
	uint32_t v = (uint32_t)v64;
	struct virtqueue *q;

	(void)len;
	if (off == VIRTIO_MMIO_QUEUE_NOTIFY) {
		virtio_mmio_notify(t, v);
		return;
	}
	pthread_mutex_lock(&t->lock);
	q = selected(t);
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: t->device_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: t->driver_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (t->driver_features_sel < 2)
			set_half(&t->driver_features, t->driver_features_sel, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL: t->queue_sel = v; break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q && v && v <= VIRTQ_MAX_SIZE && !(v & (v - 1)))
			q->num = v;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q) {
			q->ready = v & 1;
			q->last_avail = 0;
		}
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: if (q) set_half(&q->desc, 0, v); break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: if (q) set_half(&q->desc, 1, v); break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW: if (q) set_half(&q->avail, 0, v); break;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: if (q) set_half(&q->avail, 1, v); break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW: if (q) set_half(&q->used, 0, v); break;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: if (q) set_half(&q->used, 1, v); break;
	case VIRTIO_MMIO_INTERRUPT_ACK: t->int_status &= ~v; break;
	case VIRTIO_MMIO_STATUS:
		if (v == 0) {
			reset(t);
			break;
		}
		/* FEATURES_OK only for a subset of what we offer, with VERSION_1 (§2.2). */
		if ((v & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK) &&
		    ((t->driver_features & ~t->backend.features) ||
		     !(t->driver_features & (1ULL << VIRTIO_F_VERSION_1))))
			v &= ~VIRTIO_STATUS_FEATURES_OK;
		t->status = v;
		break;
	default: break;
	}
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_device(struct virtio_mmio *t, struct mmio_device *out, uint64_t base,
			uint64_t size)
{
	out->name = "virtio-mmio";
	out->base = base;
	out->size = size;
	out->read = vm_read;
	out->write = vm_write;
	out->dev = t;
}

static uint16_t load16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* Collect the chain at head into chain[]; returns its length, 0 if malformed. */
static unsigned int walk(struct virtio_mmio *t, struct virtqueue *q, uint16_t head,
			 struct virtq_desc *chain)
{
	const struct virtq_desc *table = guest_ptr(t->mem, q->desc,
						   (uint64_t)q->num * sizeof(*table));
	unsigned int n = 0;
	uint16_t i = head;

	if (!table)
		return 0;
	for (;;) {
		struct virtq_desc d;

		if (i >= q->num || n >= q->num)
			return 0;	/* out of the table, or a loop */
		memcpy(&d, &table[i], sizeof(d));
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return 0;	/* not offered (VIRTIO_F_INDIRECT_DESC) */
		if (!guest_ptr(t->mem, d.addr, d.len))
			return 0;
		chain[n++] = d;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return n;
		i = d.next;
	}
}

void virtio_mmio_notify(struct virtio_mmio *t, unsigned int queue)
{
	struct virtq_desc chain[VIRTQ_MAX_SIZE];
	struct virtqueue *q;
	uint8_t *avail, *used;
	uint16_t avail_idx, used_idx;
	int any = 0;

	pthread_mutex_lock(&t->lock);
	if (queue >= t->backend.nr_queues || !(t->status & VIRTIO_STATUS_DRIVER_OK))
		goto out;
	q = &t->queues[queue];
	if (!q->ready || !q->num)
		goto out;
	avail = guest_ptr(t->mem, q->avail, 4 + 2ULL * q->num + 2);
	used = guest_ptr(t->mem, q->used, 4 + 8ULL * q->num + 2);
	if (!avail || !used) {
		t->status |= VIRTIO_STATUS_NEEDS_RESET;
		goto out;
	}
	for (;;) {
		uint16_t head;
		unsigned int n;
		uint32_t written, elem[2];

		avail_idx = __atomic_load_n((uint16_t *)(avail + 2), __ATOMIC_ACQUIRE);
		if (avail_idx == q->last_avail)
			break;
		head = load16(avail + 4 + 2 * (q->last_avail % q->num));
		q->last_avail++;
		n = walk(t, q, head, chain);
		written = n ? t->backend.handle(t->backend.be, t, chain, n) : 0;
		if (!n)
			fprintf(stderr, "gunyah-vmm: virtio-mmio: malformed chain at head %u\r\n",
				head);
		used_idx = load16(used + 2);
		elem[0] = head;
		elem[1] = written;
		memcpy(used + 4 + 8 * (used_idx % q->num), elem, 8);
		__atomic_store_n((uint16_t *)(used + 2), (uint16_t)(used_idx + 1),
				 __ATOMIC_RELEASE);
		t->requests++;
		any = 1;
	}
	if (any)
		t->int_status |= VIRTIO_INT_USED_RING;
out:
	pthread_mutex_unlock(&t->lock);
	if (any) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		vmm_irq_raise(&t->irq);
	}
}
