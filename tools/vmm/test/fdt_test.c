// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of reading the RM's /hypervisor overlay back and following
 * the doorbell VIRQs (devicetree.c vmm_follow_doorbells, fdt_read.c): a DT
 * shaped like one after VM_INIT (the VMM's device nodes, /hypervisor with a
 * bell node per SPI as the RM names them) is updated in place and written
 * to argv[1] for vmm_test.ts to decode with dtc. Prints "ok <name>" per
 * check, "FAIL ..." and exits 1 on the first failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/devicetree.h"
#include "../src/fdt.h"
#include "../src/fdt_read.h"
#include "../src/virt.h"

#define CHECK(cond, name) do { \
	if (!(cond)) { \
		printf("FAIL %s (%s:%d: %s)\n", name, __FILE__, __LINE__, #cond); \
		exit(1); \
	} \
	printf("ok %s\n", name); \
} while (0)

static void dev(struct fdt_writer *w, const char *name, uint32_t spi, uint32_t flags)
{
	uint32_t irq[3] = { 0, spi, flags };

	fdt_begin_node(w, name);
	fdt_prop_string(w, "compatible", "test");
	fdt_prop_cells(w, "interrupts", irq, 3);
	fdt_end_node(w);
}

static void bell(struct fdt_writer *w, const char *name, uint32_t label, uint32_t virq_spi)
{
	uint32_t irq[3] = { 0, virq_spi, 1 };
	uint64_t cap = 0xc717c3ba4d6730daULL;

	fdt_begin_node(w, name);
	fdt_prop_string(w, "compatible", "qcom,gunyah-doorbell");
	fdt_prop_u64(w, "reg", cap);
	fdt_prop_cells(w, "interrupts", irq, 3);
	fdt_prop_u32(w, "qcom,label", label);
	fdt_end_node(w);
}

/* A DT after VM_INIT whose bell for SPI 1 got SPI `uart_virq` and for SPI 16 got `disk_virq`. */
static uint8_t *after_init(uint32_t uart_virq, uint32_t disk_virq, int with_disk_bell, size_t *size)
{
	struct fdt_writer w;
	uint8_t *blob;

	fdt_init(&w);
	fdt_begin_node(&w, "");
	fdt_prop_u32(&w, "#address-cells", 2);
	dev(&w, VIRT_UART_NODE, VIRT_UART_SPI, GIC_FDT_IRQ_LEVEL_HIGH);
	dev(&w, VIRT_MMIO_NODE, VIRT_MMIO_SPI, GIC_FDT_IRQ_EDGE_RISING);
	fdt_begin_node(&w, "hypervisor");
	fdt_prop_string(&w, "compatible", "gunyah-hypervisor");
	fdt_begin_node(&w, "qcom,gunyah-vm");
	fdt_prop_u32(&w, "qcom,vmid", 128);
	fdt_end_node(&w);
	bell(&w, "bell-1@c717c3ba4d6730da", 1, uart_virq);
	if (with_disk_bell)
		bell(&w, "bell-16@c717c3ba4d6731ff", 16, disk_virq);
	fdt_end_node(&w);
	fdt_end_node(&w);
	blob = fdt_finish(&w, size);
	fdt_free(&w);
	return blob;
}

int main(int argc, char **argv)
{
	struct vmm_options o = { .disk = "disk.img" };
	struct fdt_bell bells[FDT_MAX_BELLS];
	struct vmm_board b;
	const char *why = NULL;
	uint8_t *blob;
	size_t size;
	FILE *f;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: fdt_test OUT.dtb\n");
		return 2;
	}
	vmm_board_init(&b, &o);
	CHECK(b.nr_spis == 2 && b.spis[0] == 1 && b.spis[1] == 16, "board SPIs: PL011 1, disk 16");

	blob = after_init(1, 16, 1, &size);
	n = fdt_read_bells(blob, size, bells, FDT_MAX_BELLS);
	CHECK(n == 2 && bells[0].label == 1 && bells[0].irq[1] == 1 && bells[1].label == 16,
	      "doorbells read from /hypervisor");
	CHECK(vmm_follow_doorbells(blob, size, &b, &why) == 0, "VIRQs as asked: nothing changes");
	free(blob);

	blob = after_init(242, 16, 1, &size);
	CHECK(vmm_follow_doorbells(blob, size, &b, &why) == 1, "one device follows its doorbell");
	f = fopen(argv[1], "wb");
	if (!f || fwrite(blob, 1, size, f) != size || fclose(f))
		return 2;
	free(blob);

	blob = after_init(242, 16, 0, &size);
	CHECK(vmm_follow_doorbells(blob, size, &b, &why) == -1 && strstr(why, "no doorbell"),
	      "a device SPI without a doorbell is reported");
	blob[0] ^= 0xff;
	CHECK(fdt_read_bells(blob, size, bells, FDT_MAX_BELLS) == -1, "a bad magic is refused");
	blob[0] ^= 0xff;
	CHECK(fdt_read_bells(blob, 39, bells, FDT_MAX_BELLS) == -1, "a truncated blob is refused");
	free(blob);
	printf("all fdt checks passed\n");
	return 0;
}
