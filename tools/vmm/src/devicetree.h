/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The secondary's devicetree, written by the VMM as QEMU's virt machine and
 * its Gunyah accelerator do (gunyah-abi.md §5.8, §8): memory, cpus, psci
 * (hvc), GICv3, timer, PL011, virtio-mmio for -hda, chosen, and the
 * /gunyah-vm-config node the RM reads at VM_INIT, with one doorbell vdevice
 * per SPI the VMM raises (its label is the SPI number, as the irqfd's).
 */
#ifndef GUNYAH_VMM_DEVICETREE_H
#define GUNYAH_VMM_DEVICETREE_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "vmm.h"

#define VMM_MAX_SPIS		8

struct vmm_board {
	unsigned int spis[VMM_MAX_SPIS];	/* SPIs with a doorbell, in order */
	int level[VMM_MAX_SPIS];		/* level-triggered (else edge) */
	const char *node[VMM_MAX_SPIS];		/* the device's node (a child of the root) */
	unsigned int nr_spis;
	int has_disk;
};

/* The SPIs the VMM's devices use: the PL011's, and virtio-mmio slot 0's with -hda. */
void vmm_board_init(struct vmm_board *b, const struct vmm_options *o);

/*
 * After VM_INIT the DTB holds the RM's /hypervisor overlay: make each
 * device's "interrupts" name the VIRQ the RM bound its doorbell to. The
 * Gunyah RM binds the VIRQ the config node asks for; an RM that picks its
 * own is followed here, before any vCPU has run. Returns how many device
 * nodes changed, or -1 (with *why) when the overlay cannot be read.
 */
int vmm_follow_doorbells(uint8_t *dtb, size_t room, const struct vmm_board *b,
			 const char **why);

/* The DTB (malloc'ed) or NULL when out of memory. */
uint8_t *vmm_build_devicetree(const struct vmm_options *o, const struct guest_layout *l,
			      const struct vmm_board *b, size_t *size);

#endif
