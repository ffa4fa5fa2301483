/*
 * A tiny bare-metal virtio-mmio driver for the entropy device in slot 0
 * (0x0a000000), following virtio 1.2 §3.1.1 (initialisation) and §2.7
 * (split virtqueue): negotiate VIRTIO_F_VERSION_1, set up queue 0 with two
 * buffers in one chain, notify, poll the used ring, print what came back,
 * acknowledge the interrupt. Polls instead of taking the interrupt.
 */
#include "rt.h"

#define VIRTIO_BASE 0x0a000000UL
#define REG(off) (VIRTIO_BASE + (off))

struct virtq_desc { u64 addr; u32 len; u16 flags; u16 next; };
struct virtq_avail { u16 flags; u16 idx; u16 ring[4]; u16 used_event; };
struct virtq_used_elem { u32 id; u32 len; };
struct virtq_used { u16 flags; u16 idx; struct virtq_used_elem ring[4]; u16 avail_event; };

static struct virtq_desc desc[4] __attribute__((aligned(16)));
static struct virtq_avail avail __attribute__((aligned(2)));
static struct virtq_used used __attribute__((aligned(4)));
static u8 buf_a[8], buf_b[12];

int main(void)
{
	rt_printf("magic %x version %u device %u\n", mmio_read32(REG(0x000)), mmio_read32(REG(0x004)),
		  mmio_read32(REG(0x008)));
	mmio_write32(REG(0x070), 0);
	mmio_write32(REG(0x070), 1);
	mmio_write32(REG(0x070), 1 | 2);
	mmio_write32(REG(0x014), 1);
	u32 hi = mmio_read32(REG(0x010));
	mmio_write32(REG(0x024), 0);
	mmio_write32(REG(0x020), 0);
	mmio_write32(REG(0x024), 1);
	mmio_write32(REG(0x020), hi & 1);
	mmio_write32(REG(0x070), 1 | 2 | 8);
	rt_printf("features_ok %u\n", (mmio_read32(REG(0x070)) >> 3) & 1);

	mmio_write32(REG(0x030), 0);
	rt_printf("queue max %u\n", mmio_read32(REG(0x034)));
	mmio_write32(REG(0x038), 4);
	mmio_write32(REG(0x080), (u32)(u64)desc);
	mmio_write32(REG(0x084), (u32)((u64)desc >> 32));
	mmio_write32(REG(0x090), (u32)(u64)&avail);
	mmio_write32(REG(0x094), (u32)((u64)&avail >> 32));
	mmio_write32(REG(0x0a0), (u32)(u64)&used);
	mmio_write32(REG(0x0a4), (u32)((u64)&used >> 32));
	mmio_write32(REG(0x044), 1);
	mmio_write32(REG(0x070), 1 | 2 | 8 | 4);

	desc[0] = (struct virtq_desc){ (u64)buf_a, sizeof buf_a, 1 | 2, 1 };
	desc[1] = (struct virtq_desc){ (u64)buf_b, sizeof buf_b, 2, 0 };
	avail.ring[0] = 0;
	DSB();
	avail.idx = 1;
	DSB();
	mmio_write32(REG(0x050), 0);

	while (*(volatile u16 *)&used.idx != 1)
		;
	DSB();
	rt_printf("used id %u len %u\n", used.ring[0].id, used.ring[0].len);
	rt_printf("bytes");
	for (unsigned i = 0; i < sizeof buf_a; i++) rt_printf(" %02x", buf_a[i]);
	for (unsigned i = 0; i < sizeof buf_b; i++) rt_printf(" %02x", buf_b[i]);
	rt_printf("\n");
	u32 isr = mmio_read32(REG(0x060));
	mmio_write32(REG(0x064), isr);
	rt_printf("isr %u after ack %u status %x\n", isr, mmio_read32(REG(0x060)), mmio_read32(REG(0x070)));
	return 0;
}
