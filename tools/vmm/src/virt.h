/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The secondary's board: QEMU's "virt" memory map and interrupt numbers
 * (QEMU hw/arm/virt.c base_memmap[] and a15irqmap[]; gunyah-ts
 * /work/shared/platform-facts.md), so a kernel built for virt runs unchanged.
 */
#ifndef GUNYAH_VMM_VIRT_H
#define GUNYAH_VMM_VIRT_H

#define VIRT_GICD_BASE		0x08000000ULL
#define VIRT_GICD_SIZE		0x00010000ULL
#define VIRT_GICR_BASE		0x080a0000ULL
/* Two 64 KiB frames (RD_base, SGI_base) per CPU (GICv3 architecture §12.10). */
#define VIRT_GICR_STRIDE	0x00020000ULL
#define VIRT_UART_BASE		0x09000000ULL
#define VIRT_UART_SIZE		0x00001000ULL
#define VIRT_MMIO_BASE		0x0a000000ULL
#define VIRT_MMIO_SIZE		0x00000200ULL
#define VIRT_RAM_BASE		0x40000000ULL

/* Device node names (unit address = base, as QEMU names them). */
#define VIRT_UART_NODE		"pl011@9000000"
#define VIRT_MMIO_NODE		"virtio_mmio@a000000"

/* SPI numbers (INTID - 32). */
#define VIRT_UART_SPI		1
#define VIRT_MMIO_SPI		16

/* Timer PPIs as devicetree PPI numbers (INTID - 16): secure, non-secure, virtual, hyp. */
#define VIRT_TIMER_S_PPI	13
#define VIRT_TIMER_NS_PPI	14
#define VIRT_TIMER_VIRT_PPI	11
#define VIRT_TIMER_HYP_PPI	10

/* The PL011's fixed 24 MHz clock (QEMU virt "apb-pclk"). */
#define VIRT_APB_PCLK_HZ	24000000u

/* GIC devicetree interrupt specifier (bindings/interrupt-controller/arm,gic-v3.yaml). */
#define GIC_FDT_IRQ_TYPE_SPI	0u
#define GIC_FDT_IRQ_TYPE_PPI	1u
#define GIC_FDT_IRQ_EDGE_RISING	1u
#define GIC_FDT_IRQ_LEVEL_HIGH	4u

/* Gunyah's QEMU platform has 8 cores (gunyah-abi.md §9, PLATFORM_MAX_CORES). */
#define VMM_MAX_CPUS		8

#endif
