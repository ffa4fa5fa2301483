/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The resource manager client: RM RPC (gunyah-abi.md §5) over this VM's
 * message-queue pair, and the VM manager built on it.
 */
#ifndef GUNYAH_RSC_MGR_H
#define GUNYAH_RSC_MGR_H

#include <linux/miscdevice.h>
#include <linux/types.h>

/* RM message IDs used here (§5.4). */
#define GH_RM_VM_ALLOCATE	0x56000001
#define GH_RM_VM_DEALLOCATE	0x56000002
#define GH_RM_VM_START		0x56000004
#define GH_RM_VM_STOP		0x56000005
#define GH_RM_VM_RESET		0x56000006
#define GH_RM_VM_CONFIG_IMAGE	0x56000009
#define GH_RM_VM_INIT		0x5600000b
#define GH_RM_VM_GET_HYP_RESOURCES 0x56000020
#define GH_RM_VM_GET_VMID	0x56000024
#define GH_RM_MEM_LEND		0x51000012
#define GH_RM_MEM_SHARE		0x51000013
#define GH_RM_MEM_RECLAIM	0x51000015
#define GH_RM_MEM_APPEND	0x51000018

/* RM notifications (§5.4) the VM manager acts on. */
#define GH_RM_NOTIFY_VM_EXITED	0x56100001
#define GH_RM_NOTIFY_VM_SHUTDOWN	0x56100002
#define GH_RM_NOTIFY_VM_STATUS	0x56100008

struct gh_rm;

int gh_rm_call(struct gh_rm *rm, u32 msg_id, const void *req, size_t req_size,
	       void **resp, size_t *resp_size);

int gh_rm_vm_allocate(struct gh_rm *rm, u16 *vmid);
int gh_rm_vm_deallocate(struct gh_rm *rm, u16 vmid);
/* This VM's own VMID, from VM_GET_VMID at probe. */
u16 gh_rm_self_vmid(struct gh_rm *rm);
/*
 * A Linux IRQ for `virq`, a GIC INTID of this VM's vGIC that the RM named in
 * a resource (SPI or ESPI, edge-rising as Linux maps them, §6.2); < 0 if it
 * cannot be mapped. Release it with irq_dispose_mapping().
 */
int gh_rm_virq_to_irq(struct gh_rm *rm, u32 virq);

/*
 * vm_mgr.c: an RM notification for this VM (called from the RX thread; it
 * must not make RM calls).
 */
void gh_vm_mgr_notify(struct gh_rm *rm, u32 msg_id, const u8 *payload,
		      size_t len);

/* vm_mgr.c: the /dev/gunyah file operations. */
extern const struct file_operations gh_dev_fops;
struct gh_rm *gh_rm_from_file(struct file *file);

#endif /* GUNYAH_RSC_MGR_H */
