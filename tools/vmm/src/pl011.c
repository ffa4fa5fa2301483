// SPDX-License-Identifier: GPL-2.0-only
/* The PL011 of pl011.h. */
#include "pl011.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "virt.h"

/* PrimeCell identification (PL011 TRM §3.3.14-15): part 0x011, designer Arm, revision r1p5. */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static void update(struct pl011 *u)
{
	if (u->ris & u->imsc)
		vmm_irq_raise(&u->irq);
}

void pl011_init(struct pl011 *u, int out_fd, struct vmm_irq_line irq)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->out_fd = out_fd;
	u->irq = irq;
	u->cr = 0x300;		/* TXE | RXE: the reset value */
	u->ifls = 0x12;		/* half-full triggers */
	u->ris = UART_INT_TX;	/* the TX FIFO is empty */
}

unsigned int pl011_rx_space(struct pl011 *u)
{
	unsigned int n;

	pthread_mutex_lock(&u->lock);
	n = PL011_FIFO_DEPTH - u->fifo_count;
	pthread_mutex_unlock(&u->lock);
	return n;
}

unsigned int pl011_receive(struct pl011 *u, const uint8_t *buf, unsigned int len)
{
	unsigned int n = 0;

	pthread_mutex_lock(&u->lock);
	while (n < len && u->fifo_count < PL011_FIFO_DEPTH) {
		u->fifo[(u->fifo_head + u->fifo_count) % PL011_FIFO_DEPTH] = buf[n++];
		u->fifo_count++;
	}
	if (n) {
		/*
		 * A character is waiting: RX (we do not model the trigger level
		 * separately) and receive-timeout, as the driver clears both.
		 */
		u->ris |= UART_INT_RX | UART_INT_RT;
		update(u);
	}
	pthread_mutex_unlock(&u->lock);
	return n;
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		p += r;
		n -= (size_t)r;
	}
}

static uint64_t pl011_read(void *dev, uint64_t off, unsigned int len)
{
	struct pl011 *u = dev;
	uint64_t v = 0;

	(void)len;
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case UARTDR:
		if (u->fifo_count) {
			v = u->fifo[u->fifo_head];
			u->fifo_head = (u->fifo_head + 1) % PL011_FIFO_DEPTH;
			u->fifo_count--;
		}
		if (!u->fifo_count)
			u->ris &= ~(UART_INT_RX | UART_INT_RT);
		update(u);
		break;
	case UARTRSR:
		break;
	case UARTFR:
		v = UARTFR_TXFE;
		if (!u->fifo_count)
			v |= UARTFR_RXFE;
		if (u->fifo_count == PL011_FIFO_DEPTH)
			v |= UARTFR_RXFF;
		break;
	case UARTILPR: v = u->ilpr; break;
	case UARTIBRD: v = u->ibrd; break;
	case UARTFBRD: v = u->fbrd; break;
	case UARTLCR_H: v = u->lcr_h; break;
	case UARTCR: v = u->cr; break;
	case UARTIFLS: v = u->ifls; break;
	case UARTIMSC: v = u->imsc; break;
	case UARTRIS: v = u->ris; break;
	case UARTMIS: v = u->ris & u->imsc; break;
	case UARTDMACR: v = u->dmacr; break;
	default:
		if (off >= UARTPERIPHID0 && off < UARTPERIPHID0 + 0x20 && !(off & 3))
			v = pl011_id[(off - UARTPERIPHID0) / 4];
		break;
	}
	pthread_mutex_unlock(&u->lock);
	return v;
}

static void pl011_write(void *dev, uint64_t off, unsigned int len, uint64_t v)
{
	struct pl011 *u = dev;
	uint8_t c;

	(void)len;
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case UARTDR:
		c = (uint8_t)v;
		write_all(u->out_fd, &c, 1);
		u->ris |= UART_INT_TX;	/* sent at once: the TX FIFO is empty again */
		update(u);
		break;
	case UARTRSR: break;			/* error clear */
	case UARTILPR: u->ilpr = (uint32_t)v; break;
	case UARTIBRD: u->ibrd = (uint32_t)v; break;
	case UARTFBRD: u->fbrd = (uint32_t)v; break;
	case UARTLCR_H: u->lcr_h = (uint32_t)v; break;
	case UARTCR: u->cr = (uint32_t)v; break;
	case UARTIFLS: u->ifls = (uint32_t)v; break;
	case UARTIMSC:
		u->imsc = (uint32_t)v & 0x7ff;
		update(u);
		break;
	case UARTICR:
		u->ris &= ~(uint32_t)v;
		/* Characters still waiting time out again (the receive-timeout interrupt). */
		if (u->fifo_count)
			u->ris |= UART_INT_RT;
		update(u);
		break;
	case UARTDMACR: u->dmacr = (uint32_t)v; break;
	default: break;
	}
	pthread_mutex_unlock(&u->lock);
}

void pl011_mmio(struct pl011 *u, struct mmio_device *out, uint64_t base)
{
	out->name = "pl011";
	out->base = base;
	out->size = VIRT_UART_SIZE;
	out->read = pl011_read;
	out->write = pl011_write;
	out->dev = u;
}
