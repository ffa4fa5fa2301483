// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of gunyah-vmm's device models, built natively with the
 * host's gcc by vmm_test.ts: the PL011 register file (TX, RX FIFO, flags,
 * interrupts) and virtio-blk over the virtio-mmio transport driven as Linux
 * drives it (status handshake, queue setup, OUT/IN/FLUSH/GET_ID requests,
 * a malformed chain). Prints "ok <name>" per check, "FAIL ..." and exits 1
 * on the first failure.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/pl011.h"
#include "../src/virtio_blk.h"
#include "../src/virtio_mmio.h"

static unsigned int raised[64];

static void record_irq(void *ctx, unsigned int spi)
{
	(void)ctx;
	raised[spi]++;
}

#define CHECK(cond, name) do { \
	if (!(cond)) { \
		printf("FAIL %s (%s:%d: %s)\n", name, __FILE__, __LINE__, #cond); \
		exit(1); \
	} \
	printf("ok %s\n", name); \
} while (0)

static void test_pl011(void)
{
	struct vmm_irq_line line = { record_irq, NULL, 1 };
	struct mmio_device d;
	struct pl011 u;
	int pipefd[2];
	char out[8] = { 0 };
	const uint8_t in[40] = "0123456789012345678901234567890123456789";

	if (pipe(pipefd))
		exit(2);
	pl011_init(&u, pipefd[1], line);
	pl011_mmio(&u, &d, 0x9000000);
	CHECK(d.read(d.dev, UARTPERIPHID0, 4) == 0x11 && d.read(d.dev, UARTPCELLID0 + 12, 4) == 0xb1,
	      "pl011 PrimeCell ID 0x00041011 / 0xb105f00d");
	CHECK(d.read(d.dev, UARTFR, 4) == (UARTFR_TXFE | UARTFR_RXFE), "pl011 FR idle");
	d.write(d.dev, UARTIMSC, 4, UART_INT_RX | UART_INT_RT | UART_INT_TX);
	raised[1] = 0;
	d.write(d.dev, UARTDR, 4, 'h');
	d.write(d.dev, UARTDR, 4, 'i');
	CHECK(read(pipefd[0], out, 2) == 2 && !strcmp(out, "hi"), "pl011 TX reaches the output fd");
	CHECK(raised[1] == 2 && (d.read(d.dev, UARTMIS, 4) & UART_INT_TX), "pl011 TX interrupt");
	d.write(d.dev, UARTICR, 4, UART_INT_TX);
	d.write(d.dev, UARTIMSC, 4, UART_INT_RX | UART_INT_RT);
	CHECK(d.read(d.dev, UARTMIS, 4) == 0, "pl011 ICR clears TX");
	raised[1] = 0;
	CHECK(pl011_receive(&u, in, 40) == PL011_FIFO_DEPTH, "pl011 RX FIFO holds 32");
	CHECK(raised[1] == 1 && d.read(d.dev, UARTMIS, 4) == (UART_INT_RX | UART_INT_RT),
	      "pl011 RX interrupt");
	CHECK(d.read(d.dev, UARTFR, 4) & UARTFR_RXFF, "pl011 FR RXFF when full");
	CHECK(d.read(d.dev, UARTDR, 4) == '0' && d.read(d.dev, UARTDR, 4) == '1',
	      "pl011 DR pops in order");
	while (!(d.read(d.dev, UARTFR, 4) & UARTFR_RXFE))
		d.read(d.dev, UARTDR, 4);
	CHECK(d.read(d.dev, UARTMIS, 4) == 0, "pl011 RX interrupt drops when drained");
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Guest RAM for the virtio test: 1 MiB at 0x40000000. */
#define GPA		0x40000000ULL
#define DESC		(GPA + 0x1000)
#define AVAIL		(GPA + 0x2000)
#define USED		(GPA + 0x3000)
#define HDR		(GPA + 0x4000)
#define DATA		(GPA + 0x5000)
#define STATUS		(GPA + 0x6000)
#define QSIZE		16

static struct guest_memory mem;

static void *g(uint64_t gpa)
{
	return guest_ptr(&mem, gpa, 1);
}

static void put_desc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next };

	memcpy((uint8_t *)g(DESC) + 16 * i, &d, sizeof(d));
}

static uint16_t avail_idx;

static void submit(struct mmio_device *d, uint16_t head)
{
	uint16_t *ring = (uint16_t *)g(AVAIL + 4);

	ring[avail_idx % QSIZE] = head;
	avail_idx++;
	*(uint16_t *)g(AVAIL + 2) = avail_idx;
	d->write(d->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0);
}

static void request(struct mmio_device *d, uint32_t type, uint64_t sector, uint32_t len,
		    int device_writes)
{
	uint32_t hdr[4] = { type, 0, (uint32_t)sector, (uint32_t)(sector >> 32) };

	memcpy(g(HDR), hdr, 16);
	put_desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, DATA, len, VIRTQ_DESC_F_NEXT | (device_writes ? VIRTQ_DESC_F_WRITE : 0), 2);
	put_desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	*(uint8_t *)g(STATUS) = 0xff;
	submit(d, 0);
}

static uint32_t used_len(uint16_t idx)
{
	uint32_t e[2];

	memcpy(e, (uint8_t *)g(USED + 4) + 8 * (idx % QSIZE), 8);
	return e[1];
}

static void test_virtio_blk(void)
{
	struct vmm_irq_line line = { record_irq, NULL, 16 };
	char path[] = "/tmp/gunyah-vmm-blk-XXXXXX";
	struct virtio_backend be;
	struct virtio_mmio t;
	struct mmio_device d;
	struct virtio_blk b;
	char buf[16];
	int fd = mkstemp(path);

	if (fd < 0 || ftruncate(fd, 64 * 512))
		exit(2);
	mem.gpa = GPA;
	mem.size = 1 << 20;
	mem.host = calloc(1, mem.size);
	CHECK(virtio_blk_open(&b, path, &mem) == 0 && b.capacity == 64, "blk capacity in sectors");
	virtio_blk_backend(&b, &be);
	virtio_mmio_init(&t, &be, &mem, line);
	virtio_mmio_device(&t, &d, 0xa000000, 0x200);

	CHECK(d.read(d.dev, VIRTIO_MMIO_MAGIC_VALUE, 4) == VIRTIO_MMIO_MAGIC &&
	      d.read(d.dev, VIRTIO_MMIO_VERSION, 4) == 2 &&
	      d.read(d.dev, VIRTIO_MMIO_DEVICE_ID, 4) == VIRTIO_ID_BLOCK,
	      "virtio-mmio magic, version 2, device 2");
	d.write(d.dev, VIRTIO_MMIO_STATUS, 4, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	d.write(d.dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 1);
	CHECK(d.read(d.dev, VIRTIO_MMIO_DEVICE_FEATURES, 4) & 1, "VIRTIO_F_VERSION_1 offered");
	/* Without VERSION_1 the device refuses FEATURES_OK. */
	d.write(d.dev, VIRTIO_MMIO_STATUS, 4, 3 | VIRTIO_STATUS_FEATURES_OK);
	CHECK(!(d.read(d.dev, VIRTIO_MMIO_STATUS, 4) & VIRTIO_STATUS_FEATURES_OK),
	      "FEATURES_OK refused without VERSION_1");
	d.write(d.dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1);
	d.write(d.dev, VIRTIO_MMIO_DRIVER_FEATURES, 4, 1);
	d.write(d.dev, VIRTIO_MMIO_STATUS, 4, 3 | VIRTIO_STATUS_FEATURES_OK);
	CHECK(d.read(d.dev, VIRTIO_MMIO_STATUS, 4) & VIRTIO_STATUS_FEATURES_OK,
	      "FEATURES_OK accepted with VERSION_1");
	CHECK(d.read(d.dev, VIRTIO_MMIO_CONFIG, 4) == 64 && d.read(d.dev, VIRTIO_MMIO_CONFIG + 4, 4) == 0,
	      "config capacity");
	d.write(d.dev, VIRTIO_MMIO_QUEUE_SEL, 4, 0);
	CHECK(d.read(d.dev, VIRTIO_MMIO_QUEUE_NUM_MAX, 4) == VIRTQ_MAX_SIZE, "queue 0 max size");
	d.write(d.dev, VIRTIO_MMIO_QUEUE_SEL, 4, 1);
	CHECK(d.read(d.dev, VIRTIO_MMIO_QUEUE_NUM_MAX, 4) == 0, "queue 1 does not exist");
	d.write(d.dev, VIRTIO_MMIO_QUEUE_SEL, 4, 0);
	d.write(d.dev, VIRTIO_MMIO_QUEUE_NUM, 4, QSIZE);
	d.write(d.dev, VIRTIO_MMIO_QUEUE_DESC_LOW, 4, (uint32_t)DESC);
	d.write(d.dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, 4, (uint32_t)AVAIL);
	d.write(d.dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, 4, (uint32_t)USED);
	d.write(d.dev, VIRTIO_MMIO_QUEUE_READY, 4, 1);
	d.write(d.dev, VIRTIO_MMIO_STATUS, 4, 0xf);

	raised[16] = 0;
	memcpy(g(DATA), "hello, disk!", 12);
	request(&d, VIRTIO_BLK_T_OUT, 3, 512, 0);
	CHECK(*(uint16_t *)g(USED + 2) == 1 && *(uint8_t *)g(STATUS) == VIRTIO_BLK_S_OK &&
	      used_len(0) == 1, "OUT request completes (used len = status byte)");
	CHECK(pread(fd, buf, 12, 3 * 512) == 12 && !memcmp(buf, "hello, disk!", 12),
	      "OUT wrote sector 3 of the file");
	CHECK(raised[16] == 1 && (d.read(d.dev, VIRTIO_MMIO_INTERRUPT_STATUS, 4) & 1),
	      "used-ring interrupt raised");
	d.write(d.dev, VIRTIO_MMIO_INTERRUPT_ACK, 4, 1);
	CHECK(d.read(d.dev, VIRTIO_MMIO_INTERRUPT_STATUS, 4) == 0, "interrupt acknowledged");

	memset(g(DATA), 0, 512);
	request(&d, VIRTIO_BLK_T_IN, 3, 512, 1);
	CHECK(*(uint8_t *)g(STATUS) == VIRTIO_BLK_S_OK && used_len(1) == 513 &&
	      !memcmp(g(DATA), "hello, disk!", 12), "IN reads it back (used len 513)");

	request(&d, VIRTIO_BLK_T_IN, 64, 512, 1);
	CHECK(*(uint8_t *)g(STATUS) == VIRTIO_BLK_S_IOERR, "IN past the end: IOERR");

	request(&d, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	CHECK(*(uint8_t *)g(STATUS) == VIRTIO_BLK_S_OK, "FLUSH");

	request(&d, VIRTIO_BLK_T_GET_ID, 0, 20, 1);
	CHECK(*(uint8_t *)g(STATUS) == VIRTIO_BLK_S_OK && !strncmp(g(DATA), strrchr(path, '/') + 1, 20),
	      "GET_ID is the file name");

	request(&d, 99, 0, 16, 1);
	CHECK(*(uint8_t *)g(STATUS) == VIRTIO_BLK_S_UNSUPP, "unknown type: UNSUPP");

	/* A descriptor pointing outside guest RAM: the chain is returned with length 0. */
	put_desc(0, GPA + (2 << 20), 16, 0, 0);
	submit(&d, 0);
	CHECK(*(uint16_t *)g(USED + 2) == avail_idx && used_len((uint16_t)(avail_idx - 1)) == 0,
	      "a chain outside RAM is rejected, not followed");
	/* A loop (descriptor 0 → 0). */
	put_desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 0);
	submit(&d, 0);
	CHECK(*(uint16_t *)g(USED + 2) == avail_idx, "a descriptor loop is rejected");
	CHECK(t.requests == (unsigned long)avail_idx, "every chain handled once");

	d.write(d.dev, VIRTIO_MMIO_STATUS, 4, 0);
	CHECK(d.read(d.dev, VIRTIO_MMIO_STATUS, 4) == 0 && d.read(d.dev, VIRTIO_MMIO_QUEUE_READY, 4) == 0,
	      "status 0 resets the device");
	close(fd);
	unlink(path);
	free(mem.host);
}

int main(void)
{
	test_pl011();
	test_virtio_blk();
	printf("all device checks passed\n");
	return 0;
}
