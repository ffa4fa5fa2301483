// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/gunyah and its VM file descriptors (gunyah-abi.md §7.2, v14 GH_*).
 * GH_CREATE_VM allocates a VMID from the RM (VM_ALLOCATE, §5.7 step 1).
 * GH_VM_SET_USER_MEM_REGION pins user pages; GH_VM_SET_DTB_CONFIG names the
 * DTB; GH_VM_START runs the v14 sequence (§5.7): MEM_SHARE of each region,
 * VM_CONFIG_IMAGE, VM_INIT, VM_GET_HYP_RESOURCES, VM_START. Closing the last
 * reference tears the VM down: VM_STOP (force) if it runs, MEM_RECLAIM of
 * every parcel, VM_RESET if it was initialised, VM_DEALLOCATE, unpin.
 */

#define pr_fmt(fmt) "gunyah: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>

#include "include/uapi/linux/gunyah.h"
#include "rsc_mgr.h"

#define GH_MEM_ALLOW_ALL	(GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | \
				 GH_MEM_ALLOW_EXEC)
/* ACL rights bits of the RM parcel layout (§5.4): bit0 X, bit1 W, bit2 R. */
#define GH_RM_ACL_X		BIT(0)
#define GH_RM_ACL_W		BIT(1)
#define GH_RM_ACL_R		BIT(2)
/* SGL entries sent in one MEM_SHARE (Linux's per-message limit, §5.4). */
#define GH_RM_MAX_SGL		512
/* VM_GET_HYP_RESOURCES entry size (§5.6). */
#define GH_RM_HYP_RESOURCE_SIZE	44
/* VM_STOP flags and the reason Linux sends (§5.4). */
#define GH_RM_VM_STOP_FORCE	BIT(0)
#define GH_RM_VM_STOP_REASON_FORCE 3
#define GH_RM_INVALID_HANDLE	0xffffffffU

struct gh_vm_mem {
	struct list_head list;
	struct gh_userspace_memory_region region;
	struct page **pages;
	unsigned long npages;
	unsigned int nr_runs;	/* physically contiguous runs = SGL entries */
	u32 handle;		/* MEM_SHARE parcel, or GH_RM_INVALID_HANDLE */
};

enum gh_vm_state {
	GH_VM_NOT_STARTED,
	GH_VM_RUNNING,
	GH_VM_START_FAILED,
};

struct gh_vm {
	struct gh_rm *rm;
	u16 vmid;
	struct mutex lock;
	struct list_head mem;
	bool have_dtb;
	struct gh_vm_dtb_config dtb;
	enum gh_vm_state state;
	bool initialised;	/* VM_CONFIG_IMAGE reached: VM_RESET at release */
};

static unsigned int gh_vm_mem_runs(struct page **pages, unsigned long npages)
{
	unsigned int runs = 1;
	unsigned long i;

	for (i = 1; i < npages; i++)
		if (page_to_phys(pages[i]) !=
		    page_to_phys(pages[i - 1]) + PAGE_SIZE)
			runs++;
	return runs;
}

static long gh_vm_set_user_mem_region(struct gh_vm *vm, void __user *argp)
{
	struct gh_userspace_memory_region r;
	struct gh_vm_mem *m, *other;
	u64 end;
	long pinned;
	int ret;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.flags & ~GH_MEM_ALLOW_ALL)
		return -EINVAL;
	if (!r.memory_size || !PAGE_ALIGNED(r.memory_size) ||
	    !PAGE_ALIGNED(r.guest_phys_addr) || !PAGE_ALIGNED(r.userspace_addr))
		return -EINVAL;
	if (check_add_overflow(r.guest_phys_addr, r.memory_size, &end) ||
	    r.memory_size >> PAGE_SHIFT > INT_MAX)
		return -EINVAL;

	mutex_lock(&vm->lock);
	ret = -EINVAL;
	if (vm->state != GH_VM_NOT_STARTED)
		goto unlock;
	list_for_each_entry(other, &vm->mem, list) {
		if (other->region.label == r.label)
			goto unlock;
		if (r.guest_phys_addr < other->region.guest_phys_addr +
					other->region.memory_size &&
		    other->region.guest_phys_addr < end)
			goto unlock;
	}

	ret = -ENOMEM;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		goto unlock;
	m->region = r;
	m->handle = GH_RM_INVALID_HANDLE;
	m->npages = r.memory_size >> PAGE_SHIFT;
	m->pages = kvcalloc(m->npages, sizeof(*m->pages), GFP_KERNEL);
	if (!m->pages)
		goto free;
	pinned = pin_user_pages_fast(r.userspace_addr, m->npages,
				     FOLL_WRITE | FOLL_LONGTERM, m->pages);
	if (pinned < 0) {
		ret = pinned;
		goto free_pages;
	}
	if (pinned != m->npages) {
		unpin_user_pages(m->pages, pinned);
		ret = -EFAULT;
		goto free_pages;
	}
	m->nr_runs = gh_vm_mem_runs(m->pages, m->npages);
	if (m->nr_runs > GH_RM_MAX_SGL) {
		/* One MEM_SHARE message only: MEM_APPEND is not built. */
		unpin_user_pages(m->pages, m->npages);
		ret = -E2BIG;
		goto free_pages;
	}
	list_add_tail(&m->list, &vm->mem);
	mutex_unlock(&vm->lock);
	return 0;

free_pages:
	kvfree(m->pages);
free:
	kfree(m);
unlock:
	mutex_unlock(&vm->lock);
	return ret;
}

static long gh_vm_set_dtb_config(struct gh_vm *vm, void __user *argp)
{
	struct gh_vm_dtb_config c;
	u64 end;
	long ret = 0;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (!c.size || check_add_overflow(c.guest_phys_addr, c.size, &end))
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (vm->state != GH_VM_NOT_STARTED) {
		ret = -EINVAL;
	} else {
		vm->dtb = c;
		vm->have_dtb = true;
	}
	mutex_unlock(&vm->lock);
	return ret;
}

/* MEM_SHARE (§5.4): guest with the region's rights, this VM with RWX. */
static int gh_vm_mem_share(struct gh_vm *vm, struct gh_vm_mem *m)
{
	size_t size = 8 + 4 + 2 * 4 + 4 + m->nr_runs * 16 + 4;
	u8 rights = 0, *req, *p;
	void *resp = NULL;
	size_t resp_size = 0;
	unsigned long i;
	u64 base, len;
	int ret;

	if (m->region.flags & GH_MEM_ALLOW_READ)
		rights |= GH_RM_ACL_R;
	if (m->region.flags & GH_MEM_ALLOW_WRITE)
		rights |= GH_RM_ACL_W;
	if (m->region.flags & GH_MEM_ALLOW_EXEC)
		rights |= GH_RM_ACL_X;
	req = kzalloc(size, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	/* Header: mem_type 0 NORMAL, flags 0, label. */
	put_unaligned_le32(m->region.label, req + 4);
	p = req + 8;
	put_unaligned_le16(2, p);
	put_unaligned_le16(vm->vmid, p + 4);
	p[6] = rights;
	put_unaligned_le16(gh_rm_self_vmid(vm->rm), p + 8);
	p[10] = GH_RM_ACL_R | GH_RM_ACL_W | GH_RM_ACL_X;
	p += 12;
	put_unaligned_le16(m->nr_runs, p);
	p += 4;
	base = page_to_phys(m->pages[0]);
	len = PAGE_SIZE;
	for (i = 1; i <= m->npages; i++) {
		if (i < m->npages && page_to_phys(m->pages[i]) == base + len) {
			len += PAGE_SIZE;
			continue;
		}
		put_unaligned_le64(base, p);
		put_unaligned_le64(len, p + 8);
		p += 16;
		if (i < m->npages) {
			base = page_to_phys(m->pages[i]);
			len = PAGE_SIZE;
		}
	}
	/* Empty attribute list: its count word is already 0. */
	ret = gh_rm_call(vm->rm, GH_RM_MEM_SHARE, req, size, &resp, &resp_size);
	kfree(req);
	if (!ret && resp_size < sizeof(u32))
		ret = -EBADMSG;
	if (!ret)
		m->handle = get_unaligned_le32(resp);
	kfree(resp);
	return ret;
}

static int gh_vm_vmid_req(struct gh_vm *vm, u32 msg_id, void **resp,
			  size_t *resp_size)
{
	__le32 req = cpu_to_le32(vm->vmid);
	size_t ignored;

	return gh_rm_call(vm->rm, msg_id, &req, sizeof(req), resp,
			  resp_size ? resp_size : &ignored);
}

static int gh_vm_config_image(struct gh_vm *vm)
{
	struct gh_vm_mem *m;
	u8 req[40] = {};

	list_for_each_entry(m, &vm->mem, list) {
		u64 start = m->region.guest_phys_addr;
		u64 end = start + m->region.memory_size;

		if (vm->dtb.guest_phys_addr < start ||
		    vm->dtb.guest_phys_addr + vm->dtb.size > end)
			continue;
		put_unaligned_le16(vm->vmid, req);
		/* auth 0 NONE; image offset and size 0 (§5.7 step 3). */
		put_unaligned_le32(m->handle, req + 4);
		put_unaligned_le64(vm->dtb.guest_phys_addr - start, req + 24);
		put_unaligned_le64(vm->dtb.size, req + 32);
		return gh_rm_call(vm->rm, GH_RM_VM_CONFIG_IMAGE, req,
				  sizeof(req), NULL, NULL);
	}
	return -EINVAL;
}

static long gh_vm_start(struct gh_vm *vm)
{
	struct gh_vm_mem *m;
	void *resp = NULL;
	size_t resp_size = 0;
	u32 n;
	int ret;

	mutex_lock(&vm->lock);
	if (vm->state != GH_VM_NOT_STARTED || !vm->have_dtb) {
		ret = -EINVAL;
		goto unlock;
	}
	/* The DTB must lie inside one region: checked before anything is sent. */
	ret = -EINVAL;
	list_for_each_entry(m, &vm->mem, list)
		if (vm->dtb.guest_phys_addr >= m->region.guest_phys_addr &&
		    vm->dtb.guest_phys_addr + vm->dtb.size <=
		    m->region.guest_phys_addr + m->region.memory_size)
			ret = 0;
	if (ret)
		goto unlock;

	vm->state = GH_VM_START_FAILED;
	list_for_each_entry(m, &vm->mem, list) {
		ret = gh_vm_mem_share(vm, m);
		if (ret) {
			pr_warn("VM %u: MEM_SHARE of region %u failed: %d\n",
				vm->vmid, m->region.label, ret);
			goto unlock;
		}
	}
	vm->initialised = true;
	ret = gh_vm_config_image(vm);
	if (ret) {
		pr_warn("VM %u: VM_CONFIG_IMAGE failed: %d\n", vm->vmid, ret);
		goto unlock;
	}
	ret = gh_vm_vmid_req(vm, GH_RM_VM_INIT, NULL, NULL);
	if (ret) {
		pr_warn("VM %u: VM_INIT failed: %d\n", vm->vmid, ret);
		goto unlock;
	}
	ret = gh_vm_vmid_req(vm, GH_RM_VM_GET_HYP_RESOURCES, &resp, &resp_size);
	if (!ret && (resp_size < sizeof(u32) ||
		     resp_size != sizeof(u32) + (size_t)get_unaligned_le32(resp) *
					GH_RM_HYP_RESOURCE_SIZE))
		ret = -EBADMSG;
	n = ret ? 0 : get_unaligned_le32(resp);
	kfree(resp);
	if (ret) {
		pr_warn("VM %u: VM_GET_HYP_RESOURCES failed: %d\n", vm->vmid, ret);
		goto unlock;
	}
	ret = gh_vm_vmid_req(vm, GH_RM_VM_START, NULL, NULL);
	if (ret) {
		pr_warn("VM %u: VM_START failed: %d\n", vm->vmid, ret);
		goto unlock;
	}
	vm->state = GH_VM_RUNNING;
	pr_info("VM %u started (%u hypervisor resources)\n", vm->vmid, n);
unlock:
	mutex_unlock(&vm->lock);
	return ret;
}

static long gh_vm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct gh_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case GH_VM_SET_USER_MEM_REGION:
		return gh_vm_set_user_mem_region(vm, argp);
	case GH_VM_SET_DTB_CONFIG:
		return gh_vm_set_dtb_config(vm, argp);
	case GH_VM_START:
		return gh_vm_start(vm);
	default:
		/* Functions (vCPUs, irqfd, ioeventfd): not built yet. */
		return -ENOTTY;
	}
}

static int gh_vm_release(struct inode *inode, struct file *filp)
{
	struct gh_vm *vm = filp->private_data;
	struct gh_vm_mem *m, *tmp;
	int ret;

	if (vm->state == GH_VM_RUNNING) {
		u8 req[8] = {};

		put_unaligned_le16(vm->vmid, req);
		req[2] = GH_RM_VM_STOP_FORCE;
		put_unaligned_le32(GH_RM_VM_STOP_REASON_FORCE, req + 4);
		ret = gh_rm_call(vm->rm, GH_RM_VM_STOP, req, sizeof(req),
				 NULL, NULL);
		if (ret)
			pr_warn("VM_STOP of VMID %u failed: %d\n", vm->vmid, ret);
	}
	list_for_each_entry(m, &vm->mem, list) {
		u8 req[8] = {};

		if (m->handle == GH_RM_INVALID_HANDLE)
			continue;
		put_unaligned_le32(m->handle, req);
		ret = gh_rm_call(vm->rm, GH_RM_MEM_RECLAIM, req, sizeof(req),
				 NULL, NULL);
		if (ret)
			pr_warn("MEM_RECLAIM of parcel %#x failed: %d\n",
				m->handle, ret);
	}
	if (vm->initialised) {
		ret = gh_vm_vmid_req(vm, GH_RM_VM_RESET, NULL, NULL);
		if (ret)
			pr_warn("VM_RESET of VMID %u failed: %d\n", vm->vmid, ret);
	}
	ret = gh_rm_vm_deallocate(vm->rm, vm->vmid);
	if (ret)
		pr_warn("VM_DEALLOCATE of VMID %u failed: %d\n", vm->vmid, ret);
	list_for_each_entry_safe(m, tmp, &vm->mem, list) {
		unpin_user_pages(m->pages, m->npages);
		kvfree(m->pages);
		kfree(m);
	}
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
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->mem);
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
