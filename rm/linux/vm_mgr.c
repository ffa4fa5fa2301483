// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/gunyah and its VM file descriptors (gunyah-abi.md §7.2, v14 GH_*).
 * GH_CREATE_VM allocates a VMID from the RM (VM_ALLOCATE, §5.7 step 1);
 * closing the last reference to the VM fd gives it back (VM_DEALLOCATE).
 */

#define pr_fmt(fmt) "gunyah: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include "include/uapi/linux/gunyah.h"
#include "rsc_mgr.h"

struct gh_vm {
	struct gh_rm *rm;
	u16 vmid;
};

static long gh_vm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	/* Memory regions, DTB config, start and functions: not built yet. */
	return -ENOTTY;
}

static int gh_vm_release(struct inode *inode, struct file *filp)
{
	struct gh_vm *vm = filp->private_data;
	int ret;

	ret = gh_rm_vm_deallocate(vm->rm, vm->vmid);
	if (ret)
		pr_warn("VM_DEALLOCATE of VMID %u failed: %d\n", vm->vmid, ret);
	kfree(vm);
	return 0;
}

static const struct file_operations gh_vm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = gh_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = gh_vm_release,
	.llseek = noop_llseek,
};

static long gh_dev_create_vm(struct gh_rm *rm, unsigned long arg)
{
	struct gh_vm *vm;
	int fd, ret;

	if (arg)
		return -EINVAL;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return -ENOMEM;
	vm->rm = rm;
	ret = gh_rm_vm_allocate(rm, &vm->vmid);
	if (ret) {
		kfree(vm);
		return ret;
	}
	fd = anon_inode_getfd("gunyah-vm", &gh_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		gh_rm_vm_deallocate(rm, vm->vmid);
		kfree(vm);
		return fd;
	}
	pr_info("created VM with VMID %u\n", vm->vmid);
	return fd;
}

static long gh_dev_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case GH_CREATE_VM:
		return gh_dev_create_vm(gh_rm_from_file(filp), arg);
	default:
		return -ENOTTY;
	}
}

const struct file_operations gh_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = gh_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
