// SPDX-License-Identifier: GPL-2.0-only
/* The secondary's devicetree (devicetree.h). */
#include "devicetree.h"

#include <stdio.h>
#include <string.h>

#include "fdt.h"
#include "fdt_read.h"
#include "virt.h"

void vmm_board_init(struct vmm_board *b, const struct vmm_options *o)
{
	b->nr_spis = 0;
	/*
	 * Edge, although QEMU virt wires the PL011 level: the doorbell behind an
	 * irqfd keeps its flag (and so a level VIRQ) asserted until the receiver
	 * acknowledges the doorbell, which the guest's PL011 driver never does —
	 * a level line stormed ("irq 13: nobody cared") in the e2e run. The
	 * PL011 rings on every change while (RIS & IMSC) != 0, and Linux's
	 * handler loops until MIS is 0, so edges lose nothing.
	 */
	b->level[b->nr_spis] = 0;
	b->node[b->nr_spis] = VIRT_UART_NODE;
	b->spis[b->nr_spis++] = VIRT_UART_SPI;
	b->has_disk = o->disk != NULL;
	if (b->has_disk) {
		b->level[b->nr_spis] = 0;	/* virtio-mmio: edge, as on virt */
		b->node[b->nr_spis] = VIRT_MMIO_NODE;
		b->spis[b->nr_spis++] = VIRT_MMIO_SPI;
	}
}

static void reg(struct fdt_writer *w, uint64_t base, uint64_t size)
{
	uint32_t c[4] = { base >> 32, (uint32_t)base, size >> 32, (uint32_t)size };

	fdt_prop_cells(w, "reg", c, 4);
}

static void irq(struct fdt_writer *w, uint32_t type, uint32_t num, uint32_t flags)
{
	uint32_t c[3] = { type, num, flags };

	fdt_prop_cells(w, "interrupts", c, 3);
}

static void cpus(struct fdt_writer *w, const struct vmm_options *o)
{
	const char *compat = o->cpu && !strcmp(o->cpu, "max") ? "arm,arm-v8" : "arm,cortex-a57";
	char name[32];
	unsigned int i;

	fdt_begin_node(w, "cpus");
	fdt_prop_u32(w, "#address-cells", 1);
	fdt_prop_u32(w, "#size-cells", 0);
	for (i = 0; i < o->cpus; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		fdt_begin_node(w, name);
		fdt_prop_string(w, "device_type", "cpu");
		fdt_prop_string(w, "compatible", compat);
		fdt_prop_u32(w, "reg", i);	/* MPIDR: Aff0 = index (gunyah-abi.md §9) */
		fdt_prop_string(w, "enable-method", "psci");
		fdt_end_node(w);
	}
	fdt_end_node(w);
}

static void vm_config(struct fdt_writer *w, const struct vmm_options *o,
		      const struct guest_layout *l, const struct vmm_board *b, uint32_t gic)
{
	char name[32], gen[48];
	unsigned int i;

	fdt_begin_node(w, "gunyah-vm-config");
	fdt_prop_string(w, "image-name", "gunyah-vmm");
	fdt_prop_string(w, "os-type", "linux");

	fdt_begin_node(w, "memory");
	fdt_prop_u32(w, "#address-cells", 2);
	fdt_prop_u32(w, "#size-cells", 2);
	fdt_prop_u64(w, "base-address", l->ram_base);
	fdt_end_node(w);

	fdt_begin_node(w, "interrupts");
	fdt_prop_u32(w, "config", gic);
	fdt_end_node(w);

	fdt_begin_node(w, "vcpus");
	fdt_prop_string(w, "affinity", o->affinity == VMM_VCPU_PROXY ? "proxy" : "static");
	fdt_end_node(w);

	fdt_begin_node(w, "vdevices");
	fdt_prop_string(w, "generate", "/hypervisor");
	for (i = 0; i < b->nr_spis; i++) {
		snprintf(name, sizeof(name), "bell-%u", b->spis[i]);
		snprintf(gen, sizeof(gen), "/hypervisor/bell-%u", b->spis[i]);
		fdt_begin_node(w, name);
		fdt_prop_string(w, "vdevice-type", "doorbell");
		fdt_prop_string(w, "generate", gen);
		/* QEMU writes "label"; the Gunyah RM's parser reads "qcom,label". */
		fdt_prop_u32(w, "label", b->spis[i]);
		fdt_prop_u32(w, "qcom,label", b->spis[i]);
		fdt_prop_empty(w, "peer-default");
		fdt_prop_empty(w, "source-can-clear");
		/* The VIRQ the doorbell asserts: the device's own SPI (RM parse_doorbell). */
		irq(w, GIC_FDT_IRQ_TYPE_SPI, b->spis[i],
		    b->level[i] ? GIC_FDT_IRQ_LEVEL_HIGH : GIC_FDT_IRQ_EDGE_RISING);
		fdt_end_node(w);
	}
	fdt_end_node(w);
	fdt_end_node(w);
}

uint8_t *vmm_build_devicetree(const struct vmm_options *o, const struct guest_layout *l,
			      const struct vmm_board *b, size_t *size)
{
	static const char *const psci_compat[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci",
						   NULL };
	static const char *const timer_compat[] = { "arm,armv8-timer", NULL };
	static const char *const uart_compat[] = { "arm,pl011", "arm,primecell", NULL };
	static const char *const uart_clocks[] = { "uartclk", "apb_pclk", NULL };
	struct fdt_writer w;
	uint32_t gic, clk, c[12];
	char name[48];
	uint8_t *blob;

	fdt_init(&w);
	gic = fdt_alloc_phandle(&w);
	clk = fdt_alloc_phandle(&w);

	fdt_begin_node(&w, "");
	fdt_prop_string(&w, "compatible", "linux,dummy-virt");
	fdt_prop_string(&w, "model", "gunyah-vmm virt");
	fdt_prop_u32(&w, "#address-cells", 2);
	fdt_prop_u32(&w, "#size-cells", 2);
	fdt_prop_u32(&w, "interrupt-parent", gic);

	fdt_begin_node(&w, "psci");
	fdt_prop_strings(&w, "compatible", psci_compat);
	fdt_prop_string(&w, "method", "hvc");
	fdt_end_node(&w);

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)l->ram_base);
	fdt_begin_node(&w, name);
	fdt_prop_string(&w, "device_type", "memory");
	reg(&w, l->ram_base, l->ram_size);
	fdt_end_node(&w);

	cpus(&w, o);

	snprintf(name, sizeof(name), "intc@%llx", VIRT_GICD_BASE);
	fdt_begin_node(&w, name);
	fdt_prop_string(&w, "compatible", "arm,gic-v3");
	fdt_prop_u32(&w, "#interrupt-cells", 3);
	fdt_prop_empty(&w, "interrupt-controller");
	fdt_prop_u32(&w, "#address-cells", 2);
	fdt_prop_u32(&w, "#size-cells", 2);
	fdt_prop_empty(&w, "ranges");
	fdt_prop_u32(&w, "#redistributor-regions", 1);
	c[0] = VIRT_GICD_BASE >> 32;
	c[1] = (uint32_t)VIRT_GICD_BASE;
	c[2] = 0;
	c[3] = (uint32_t)VIRT_GICD_SIZE;
	c[4] = VIRT_GICR_BASE >> 32;
	c[5] = (uint32_t)VIRT_GICR_BASE;
	c[6] = 0;
	c[7] = (uint32_t)(VIRT_GICR_STRIDE * o->cpus);
	fdt_prop_cells(&w, "reg", c, 8);
	fdt_prop_u32(&w, "phandle", gic);
	fdt_end_node(&w);

	fdt_begin_node(&w, "timer");
	fdt_prop_strings(&w, "compatible", timer_compat);
	c[0] = GIC_FDT_IRQ_TYPE_PPI; c[1] = VIRT_TIMER_S_PPI; c[2] = GIC_FDT_IRQ_LEVEL_HIGH;
	c[3] = GIC_FDT_IRQ_TYPE_PPI; c[4] = VIRT_TIMER_NS_PPI; c[5] = GIC_FDT_IRQ_LEVEL_HIGH;
	c[6] = GIC_FDT_IRQ_TYPE_PPI; c[7] = VIRT_TIMER_VIRT_PPI; c[8] = GIC_FDT_IRQ_LEVEL_HIGH;
	c[9] = GIC_FDT_IRQ_TYPE_PPI; c[10] = VIRT_TIMER_HYP_PPI; c[11] = GIC_FDT_IRQ_LEVEL_HIGH;
	fdt_prop_cells(&w, "interrupts", c, 12);
	fdt_prop_empty(&w, "always-on");
	fdt_end_node(&w);

	fdt_begin_node(&w, "apb-pclk");
	fdt_prop_string(&w, "compatible", "fixed-clock");
	fdt_prop_u32(&w, "#clock-cells", 0);
	fdt_prop_u32(&w, "clock-frequency", VIRT_APB_PCLK_HZ);
	fdt_prop_string(&w, "clock-output-names", "clk24mhz");
	fdt_prop_u32(&w, "phandle", clk);
	fdt_end_node(&w);

	fdt_begin_node(&w, VIRT_UART_NODE);
	fdt_prop_strings(&w, "compatible", uart_compat);
	reg(&w, VIRT_UART_BASE, VIRT_UART_SIZE);
	irq(&w, GIC_FDT_IRQ_TYPE_SPI, VIRT_UART_SPI,
	    b->level[0] ? GIC_FDT_IRQ_LEVEL_HIGH : GIC_FDT_IRQ_EDGE_RISING);
	c[0] = clk;
	c[1] = clk;
	fdt_prop_cells(&w, "clocks", c, 2);
	fdt_prop_strings(&w, "clock-names", uart_clocks);
	fdt_end_node(&w);

	if (b->has_disk) {
		fdt_begin_node(&w, VIRT_MMIO_NODE);
		fdt_prop_string(&w, "compatible", "virtio,mmio");
		reg(&w, VIRT_MMIO_BASE, VIRT_MMIO_SIZE);
		irq(&w, GIC_FDT_IRQ_TYPE_SPI, VIRT_MMIO_SPI, GIC_FDT_IRQ_EDGE_RISING);
		fdt_prop_empty(&w, "dma-coherent");
		fdt_end_node(&w);
	}

	fdt_begin_node(&w, "chosen");
	fdt_prop_string(&w, "bootargs", o->append ? o->append : "");
	fdt_prop_string(&w, "stdout-path", "/" VIRT_UART_NODE);
	if (l->initrd_size) {
		fdt_prop_u64(&w, "linux,initrd-start", l->initrd_gpa);
		fdt_prop_u64(&w, "linux,initrd-end", l->initrd_gpa + l->initrd_size);
	}
	fdt_end_node(&w);

	vm_config(&w, o, l, b, gic);

	fdt_end_node(&w);
	blob = fdt_finish(&w, size);
	fdt_free(&w);
	return blob;
}

int vmm_follow_doorbells(uint8_t *dtb, size_t room, const struct vmm_board *b,
			 const char **why)
{
	struct fdt_bell bells[FDT_MAX_BELLS];
	unsigned int i;
	int n, j, changed = 0;

	n = fdt_read_bells(dtb, room, bells, FDT_MAX_BELLS);
	if (n < 0) {
		*why = "the devicetree after VM_INIT is not a valid FDT";
		return -1;
	}
	for (i = 0; i < b->nr_spis; i++) {
		for (j = 0; j < n; j++)
			if (bells[j].label == b->spis[i])
				break;
		if (j == n) {
			*why = "the RM's /hypervisor overlay has no doorbell for a device SPI";
			return -1;
		}
		if (bells[j].irq[0] != GIC_FDT_IRQ_TYPE_SPI) {
			*why = "a doorbell's VIRQ is not an SPI";
			return -1;
		}
		if (bells[j].irq[1] != b->spis[i]) {
			uint32_t irq[3] = { GIC_FDT_IRQ_TYPE_SPI, bells[j].irq[1],
					    b->level[i] ? GIC_FDT_IRQ_LEVEL_HIGH :
							  GIC_FDT_IRQ_EDGE_RISING };

			if (fdt_patch_interrupts(dtb, room, b->node[i], irq)) {
				*why = "a device node has no 3-cell interrupts to update";
				return -1;
			}
			changed++;
		}
	}
	return changed;
}
