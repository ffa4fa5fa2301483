/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM of the VM manager as its functions (vcpu.c, irqfd.c, ioeventfd.c)
 * see it: its RM state, the hypervisor resources VM_GET_HYP_RESOURCES gave
 * (gunyah-abi.md §5.6) and the registered functions.
 */
#ifndef GUNYAH_VM_MGR_H
#define GUNYAH_VM_MGR_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "include/uapi/linux/gunyah.h"

struct gh_rm;
struct file;

/* VM_GET_HYP_RESOURCES resource types (§5.6). */
#define GH_RM_RESOURCE_BELL_TX	0
#define GH_RM_RESOURCE_VCPU	4
/* A resource's virq when it has none (§5.6). */
#define GH_RM_NO_VIRQ		0xffffffffU

/* RM VM status values (§5.5). */
#define GH_RM_VM_STATUS_NO_STATE	0
#define GH_RM_VM_STATUS_RUNNING		3
#define GH_RM_VM_STATUS_INIT_FAILED	8
#define GH_RM_VM_STATUS_EXITED		9
#define GH_RM_VM_STATUS_RESET		11

struct gh_vm_resource {
	u8 type;
	u32 label;
	u64 cap;
	u32 virq;		/* GIC INTID in this VM's vGIC, or GH_RM_NO_VIRQ */
};

enum gh_vm_state {
	GH_VM_NOT_STARTED,
	GH_VM_RUNNING,
	GH_VM_START_FAILED,
};

struct gh_vm {
	struct gh_rm *rm;
	u16 vmid;
	struct list_head node;		/* in the list of VMs (notifications) */
	struct mm_struct *mm;		/* of the creator: only it runs vCPUs */

	struct mutex lock;		/* memory, DTB, start, resources */
	struct list_head mem;
	bool have_dtb;
	struct gh_vm_dtb_config dtb;
	enum gh_vm_state state;
	bool initialised;		/* VM_CONFIG_IMAGE sent: VM_RESET at release */
	struct gh_vm_resource *res;	/* after VM_GET_HYP_RESOURCES */
	u32 nr_res;

	/* What the RM said last (NOTIFY_VM_STATUS / NOTIFY_VM_EXITED). */
	spinlock_t status_lock;
	u8 rm_status;
	bool exited;
	struct gh_vm_exit_info exit_info;
	wait_queue_head_t status_wq;

	struct mutex fn_lock;		/* the function lists */
	struct list_head vcpus;
	struct list_head irqfds;
	struct list_head ioeventfds;
};

/* Whether the VM is (still) running as far as the RM told us. */
bool gh_vm_is_running(struct gh_vm *vm);
/* The resource of `type` and `label`, or NULL (before start: always NULL). */
const struct gh_vm_resource *gh_vm_find_resource(struct gh_vm *vm, u8 type,
						 u32 label);

/* vcpu.c */
long gh_vcpu_add(struct gh_vm *vm, struct file *vm_file,
		 const struct gh_fn_vcpu_arg *arg);
long gh_vcpu_remove(struct gh_vm *vm, const struct gh_fn_vcpu_arg *arg);

/* irqfd.c */
long gh_irqfd_add(struct gh_vm *vm, const struct gh_fn_irqfd_arg *arg);
long gh_irqfd_remove(struct gh_vm *vm, const struct gh_fn_irqfd_arg *arg);
/* The VM started: bind every irqfd to its doorbell, send pending signals. */
void gh_irqfds_bind(struct gh_vm *vm);
void gh_irqfds_release(struct gh_vm *vm);

/* ioeventfd.c */
long gh_ioeventfd_add(struct gh_vm *vm, const struct gh_fn_ioeventfd_arg *arg);
long gh_ioeventfd_remove(struct gh_vm *vm,
			 const struct gh_fn_ioeventfd_arg *arg);
/* A guest MMIO write: true if an ioeventfd took it (its eventfd signalled). */
bool gh_ioeventfd_write(struct gh_vm *vm, u64 addr, u32 len, u64 value);
void gh_ioeventfds_release(struct gh_vm *vm);

#endif /* GUNYAH_VM_MGR_H */
