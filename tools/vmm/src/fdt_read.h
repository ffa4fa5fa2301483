/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading back the devicetree after the RM wrote its /hypervisor overlay
 * into it (gunyah-abi.md §6.2: VM_INIT re-encodes the DTB in place, in
 * memory this VMM shares with the VM): which VIRQ each doorbell vdevice was
 * bound to, and an in-place update of a node's "interrupts".
 */
#ifndef GUNYAH_VMM_FDT_READ_H
#define GUNYAH_VMM_FDT_READ_H

#include <stddef.h>
#include <stdint.h>

#define FDT_MAX_BELLS	16

struct fdt_bell {
	uint32_t label;
	uint32_t irq[3];	/* GIC specifier: type, number, flags */
};

/*
 * The doorbell nodes below /hypervisor (a "qcom,label" or "label" and a
 * 3-cell "interrupts"); returns how many (at most max), or -1 when the blob
 * is not a valid FDT within len bytes.
 */
int fdt_read_bells(const uint8_t *blob, size_t len, struct fdt_bell *out, int max);

/*
 * Overwrite the 3-cell "interrupts" of the root's child `node` in place;
 * 0, or -1 when there is no such node or property of that size.
 */
int fdt_patch_interrupts(uint8_t *blob, size_t len, const char *node, const uint32_t irq[3]);

#endif
