/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An Arm PrimeCell UART (PL011) as the guest sees it on the virt board: the
 * register file of the PL011 TRM (DDI 0183G §3.2), TX straight to an output
 * fd, RX from a 32-entry FIFO the console thread fills, and its combined
 * interrupt raised whenever (RIS & IMSC) != 0 after a change.
 */
#ifndef GUNYAH_VMM_PL011_H
#define GUNYAH_VMM_PL011_H

#include <pthread.h>
#include <stdint.h>

#include "mmio.h"

/* Register offsets (PL011 TRM table 3-1). */
#define UARTDR		0x000
#define UARTRSR		0x004
#define UARTFR		0x018
#define UARTILPR	0x020
#define UARTIBRD	0x024
#define UARTFBRD	0x028
#define UARTLCR_H	0x02c
#define UARTCR		0x030
#define UARTIFLS	0x034
#define UARTIMSC	0x038
#define UARTRIS		0x03c
#define UARTMIS		0x040
#define UARTICR		0x044
#define UARTDMACR	0x048
#define UARTPERIPHID0	0xfe0
#define UARTPCELLID0	0xff0

/* UARTFR bits. */
#define UARTFR_BUSY	(1u << 3)
#define UARTFR_RXFE	(1u << 4)
#define UARTFR_TXFF	(1u << 5)
#define UARTFR_RXFF	(1u << 6)
#define UARTFR_TXFE	(1u << 7)
/* Interrupt bits (RIS/MIS/IMSC/ICR). */
#define UART_INT_RX	(1u << 4)
#define UART_INT_TX	(1u << 5)
#define UART_INT_RT	(1u << 6)
#define UARTLCR_H_FEN	(1u << 4)

#define PL011_FIFO_DEPTH	32

struct pl011 {
	pthread_mutex_t lock;
	int out_fd;
	struct vmm_irq_line irq;
	uint32_t lcr_h, cr, ifls, imsc, ris, ilpr, ibrd, fbrd, dmacr;
	uint8_t fifo[PL011_FIFO_DEPTH];
	unsigned int fifo_head, fifo_count;
};

void pl011_init(struct pl011 *u, int out_fd, struct vmm_irq_line irq);
/* Queue input bytes; returns how many fit (the rest waits for the guest to read). */
unsigned int pl011_receive(struct pl011 *u, const uint8_t *buf, unsigned int len);
/* Free RX FIFO entries. */
unsigned int pl011_rx_space(struct pl011 *u);
void pl011_mmio(struct pl011 *u, struct mmio_device *out, uint64_t base);

#endif
