/* PL011 console output (ARM PrimeCell UART PL011 TRM, register map section 3.2). */
#include "rt.h"

#define UART_DR 0x000
#define UART_FR 0x018
#define UART_FR_TXFF (1u << 5)
#define UART_LCR_H 0x02c
#define UART_LCR_H_FEN (1u << 4)
#define UART_LCR_H_WLEN8 (3u << 5)
#define UART_CR 0x030
#define UART_CR_UARTEN (1u << 0)
#define UART_CR_TXE (1u << 8)
#define UART_CR_RXE (1u << 9)

void rt_uart_init(void)
{
	mmio_write32(VIRT_UART_BASE + UART_CR, 0);
	mmio_write32(VIRT_UART_BASE + UART_LCR_H, UART_LCR_H_WLEN8 | UART_LCR_H_FEN);
	mmio_write32(VIRT_UART_BASE + UART_CR, UART_CR_UARTEN | UART_CR_TXE | UART_CR_RXE);
}

void rt_putc(char c)
{
	while (mmio_read32(VIRT_UART_BASE + UART_FR) & UART_FR_TXFF)
		;
	mmio_write32(VIRT_UART_BASE + UART_DR, (u8)c);
}

void rt_puts(const char *s)
{
	while (*s)
		rt_putc(*s++);
}
