// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU functions of a VM (gunyah-abi.md §7.1–§7.2): GH_VM_ADD_FUNCTION with
 * GH_FN_VCPU gives a vCPU fd; its run page (mmap at offset 0, size
 * GH_VCPU_MMAP_SIZE) is struct gh_vcpu_run; GH_VCPU_RUN runs the
 * proxy-scheduled vCPU with the vcpu_run hypercall (§1.7) until an exit
 * needs user space:
 * - VMMIO read/write (4/5) → GH_VCPU_EXIT_MMIO, unless an ioeventfd takes
 *   the write; a read's value comes back in the next run's resume data;
 * - POWERED_OFF / PSCI_SYSTEM_RESET / FAULT, or the RM saying the VM is no
 *   longer running (NOTIFY_VM_EXITED) → GH_VCPU_EXIT_STATUS with the RM's
 *   exit type and reason;
 * - EXPECTS_WAKEUP (WFI) → the caller sleeps until the vCPU's wakeup VIRQ
 *   (the resource VIRQ of VM_GET_HYP_RESOURCES) or a VM status change;
 * - READY / BLOCKED → run it again (after rescheduling if needed).
 * A pending signal or immediate_exit ends the call with -EINTR.
 */

#define pr_fmt(fmt) "gunyah: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/irqdomain.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>

#include "hypercall.h"
#include "rsc_mgr.h"
#include "vm_mgr.h"

struct gh_vcpu {
	struct gh_vm *vm;
	struct file *vm_file;		/* a reference: the VM outlives its vCPUs */
	u32 id;
	struct list_head list;		/* in vm->vcpus (fn_lock) */
	bool removed;			/* GH_VM_REMOVE_FUNCTION */

	struct gh_vcpu_run *run;	/* the run page */
	struct mutex run_lock;
	const struct gh_vm_resource *res;
	int irq;			/* the wakeup VIRQ's Linux IRQ, or 0 */
	bool woken;			/* the wakeup VIRQ fired */
	bool mmio_read;			/* the next run returns run->mmio.data */
};

static irqreturn_t gh_vcpu_wakeup_irq(int irq, void *data)
{
	struct gh_vcpu *vcpu = data;

	WRITE_ONCE(vcpu->woken, true);
	wake_up_all(&vcpu->vm->status_wq);
	return IRQ_HANDLED;
}

/* On first run: the vCPU's resource and its wakeup VIRQ. */
static int gh_vcpu_bind(struct gh_vcpu *vcpu)
{
	const struct gh_vm_resource *res;
	int irq, ret;

	if (vcpu->res)
		return 0;
	res = gh_vm_find_resource(vcpu->vm, GH_RM_RESOURCE_VCPU, vcpu->id);
	if (!res)
		return -ENODEV;	/* not started, or no vCPU with this id */
	if (res->virq == GH_RM_NO_VIRQ) {
		pr_info_once("VM %u vCPU %u is scheduled by the hypervisor: GH_VCPU_RUN needs proxy vCPUs (vcpus { affinity = \"proxy\"; })\n",
			     vcpu->vm->vmid, vcpu->id);
		return -EOPNOTSUPP;
	}
	irq = gh_rm_virq_to_irq(vcpu->vm->rm, res->virq);
	if (irq < 0)
		return irq;
	ret = request_irq(irq, gh_vcpu_wakeup_irq, 0, "gh-vcpu-wakeup", vcpu);
	if (ret) {
		irq_dispose_mapping(irq);
		return ret;
	}
	vcpu->irq = irq;
	vcpu->res = res;
	return 0;
}

/* GH_VCPU_EXIT_STATUS from what the RM said about the VM (§7.1). */
static void gh_vcpu_status_exit(struct gh_vcpu *vcpu)
{
	struct gh_vm *vm = vcpu->vm;
	struct gh_vcpu_run *run = vcpu->run;
	unsigned long flags;

	spin_lock_irqsave(&vm->status_lock, flags);
	run->exit_reason = GH_VCPU_EXIT_STATUS;
	if (vm->rm_status == GH_RM_VM_STATUS_INIT_FAILED)
		run->status.status = GH_VM_STATUS_LOAD_FAILED;
	else if (vm->rm_status == GH_RM_VM_STATUS_EXITED || vm->exited)
		run->status.status = GH_VM_STATUS_EXITED;
	else
		run->status.status = GH_VM_STATUS_CRASHED;
	run->status.exit_info = vm->exit_info;
	spin_unlock_irqrestore(&vm->status_lock, flags);
}

/* Sleep until the wakeup VIRQ or a VM status change; -EINTR on a signal. */
static int gh_vcpu_wait(struct gh_vcpu *vcpu, bool for_exit)
{
	struct gh_vm *vm = vcpu->vm;

	if (wait_event_interruptible(vm->status_wq,
				     (!for_exit && READ_ONCE(vcpu->woken)) ||
				     !gh_vm_is_running(vm)))
		return -EINTR;
	return 0;
}

static long gh_vcpu_run(struct gh_vcpu *vcpu)
{
	struct gh_vm *vm = vcpu->vm;
	struct gh_vcpu_run *run = vcpu->run;
	struct gh_vcpu_run_result r;
	u64 resume0;
	long err;
	int ret;

	if (current->mm != vm->mm)
		return -EPERM;
	if (mutex_lock_interruptible(&vcpu->run_lock))
		return -EINTR;
	if (READ_ONCE(vcpu->removed)) {
		ret = -ENODEV;
		goto out;
	}
	ret = gh_vcpu_bind(vcpu);
	if (ret)
		goto out;

	for (;;) {
		if (READ_ONCE(run->immediate_exit) || signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (!gh_vm_is_running(vm)) {
			gh_vcpu_status_exit(vcpu);
			break;
		}
		resume0 = 0;
		if (vcpu->mmio_read) {
			u8 data[8] = {};

			memcpy(data, run->mmio.data,
			       min_t(u32, run->mmio.len, sizeof(data)));
			resume0 = get_unaligned_le64(data);
		}
		WRITE_ONCE(vcpu->woken, false);
		err = gh_hvc_vcpu_run(vcpu->res->cap, resume0, 0, 0, &r);
		if (err == GH_ERROR_BUSY || err == GH_ERROR_RETRY) {
			/* Runnable elsewhere or momentarily busy: try again. */
			schedule_timeout_interruptible(1);
			continue;
		}
		if (err) {
			ret = gh_error_to_errno(err);
			break;
		}
		vcpu->mmio_read = false;

		switch (r.state) {
		case GH_VCPU_STATE_READY:
		case GH_VCPU_STATE_BLOCKED:
			cond_resched();
			continue;
		case GH_VCPU_STATE_EXPECTS_WAKEUP:
			ret = gh_vcpu_wait(vcpu, false);
			if (ret)
				goto out;
			continue;
		case GH_VCPU_STATE_POWERED_OFF:
			/* Exited (PSCI SYSTEM_OFF, VM_STOP): wait for the RM's word. */
			ret = gh_vcpu_wait(vcpu, r.data[0] & GH_VCPU_POWERED_OFF_EXITED);
			if (ret)
				goto out;
			continue;
		case GH_VCPU_STATE_SYSTEM_RESET:
		case GH_VCPU_STATE_FAULT:
			/* The RM sees it too and reports the VM exited. */
			ret = gh_vcpu_wait(vcpu, true);
			if (ret)
				goto out;
			continue;
		case GH_VCPU_STATE_VMMIO_READ:
			run->exit_reason = GH_VCPU_EXIT_MMIO;
			run->mmio.phys_addr = r.data[0];
			run->mmio.len = r.data[1];
			run->mmio.is_write = 0;
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
			vcpu->mmio_read = true;
			ret = 0;
			goto out;
		case GH_VCPU_STATE_VMMIO_WRITE:
			if (gh_ioeventfd_write(vm, r.data[0], r.data[1], r.data[2]))
				continue;
			run->exit_reason = GH_VCPU_EXIT_MMIO;
			run->mmio.phys_addr = r.data[0];
			run->mmio.len = r.data[1];
			run->mmio.is_write = 1;
			put_unaligned_le64(r.data[2], run->mmio.data);
			ret = 0;
			goto out;
		default:
			pr_warn_ratelimited("VM %u vCPU %u: unknown vcpu_run state %#llx\n",
					    vm->vmid, vcpu->id, r.state);
			run->exit_reason = GH_VCPU_EXIT_UNKNOWN;
			ret = 0;
			goto out;
		}
	}
out:
	mutex_unlock(&vcpu->run_lock);
	return ret;
}

static long gh_vcpu_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct gh_vcpu *vcpu = filp->private_data;

	switch (cmd) {
	case GH_VCPU_RUN:
		return gh_vcpu_run(vcpu);
	case GH_VCPU_MMAP_SIZE:
		return PAGE_SIZE;
	default:
		return -ENOTTY;
	}
}

static vm_fault_t gh_vcpu_fault(struct vm_fault *vmf)
{
	struct gh_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vcpu->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct gh_vcpu_vm_ops = {
	.fault = gh_vcpu_fault,
};

static int gh_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	vma->vm_ops = &gh_vcpu_vm_ops;
	return 0;
}

static int gh_vcpu_release(struct inode *inode, struct file *filp)
{
	struct gh_vcpu *vcpu = filp->private_data;
	struct gh_vm *vm = vcpu->vm;

	mutex_lock(&vm->fn_lock);
	if (!vcpu->removed)
		list_del(&vcpu->list);
	mutex_unlock(&vm->fn_lock);
	if (vcpu->irq) {
		free_irq(vcpu->irq, vcpu);
		irq_dispose_mapping(vcpu->irq);
	}
	free_page((unsigned long)vcpu->run);
	fput(vcpu->vm_file);
	kfree(vcpu);
	return 0;
}

static const struct file_operations gh_vcpu_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = gh_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = gh_vcpu_mmap,
	.release = gh_vcpu_release,
	.llseek = noop_llseek,
};

long gh_vcpu_add(struct gh_vm *vm, struct file *vm_file,
		 const struct gh_fn_vcpu_arg *arg)
{
	struct gh_vcpu *vcpu, *other;
	char name[24];
	int fd;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL);
	if (!vcpu)
		return -ENOMEM;
	vcpu->run = (struct gh_vcpu_run *)get_zeroed_page(GFP_KERNEL);
	if (!vcpu->run) {
		kfree(vcpu);
		return -ENOMEM;
	}
	vcpu->vm = vm;
	vcpu->id = arg->id;
	mutex_init(&vcpu->run_lock);

	mutex_lock(&vm->fn_lock);
	list_for_each_entry(other, &vm->vcpus, list) {
		if (other->id == arg->id) {
			mutex_unlock(&vm->fn_lock);
			free_page((unsigned long)vcpu->run);
			kfree(vcpu);
			return -EEXIST;
		}
	}
	snprintf(name, sizeof(name), "gh-vcpu:%u", arg->id);
	vcpu->vm_file = get_file(vm_file);
	fd = anon_inode_getfd(name, &gh_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		mutex_unlock(&vm->fn_lock);
		fput(vm_file);
		free_page((unsigned long)vcpu->run);
		kfree(vcpu);
		return fd;
	}
	list_add_tail(&vcpu->list, &vm->vcpus);
	mutex_unlock(&vm->fn_lock);
	return fd;
}

long gh_vcpu_remove(struct gh_vm *vm, const struct gh_fn_vcpu_arg *arg)
{
	struct gh_vcpu *vcpu;

	mutex_lock(&vm->fn_lock);
	list_for_each_entry(vcpu, &vm->vcpus, list) {
		if (vcpu->id != arg->id)
			continue;
		/* Its fd stays open; GH_VCPU_RUN on it now says -ENODEV. */
		list_del(&vcpu->list);
		WRITE_ONCE(vcpu->removed, true);
		mutex_unlock(&vm->fn_lock);
		return 0;
	}
	mutex_unlock(&vm->fn_lock);
	return -ENOENT;
}
