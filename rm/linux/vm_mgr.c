// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/gunyah and its VM file descriptors (gunyah-abi.md §7.2, v14 GH_*,
 * and §7.3 GH_VM_ANDROID_LEND_USER_MEM).
 * GH_CREATE_VM allocates a VMID from the RM (VM_ALLOCATE, §5.7 step 1).
 * GH_VM_SET_USER_MEM_REGION / GH_VM_ANDROID_LEND_USER_MEM pin user pages;
 * GH_VM_SET_DTB_CONFIG names the DTB; GH_VM_START runs the v14 sequence
 * (§5.7): MEM_SHARE (or MEM_LEND) of each region, VM_CONFIG_IMAGE, VM_INIT,
 * VM_GET_HYP_RESOURCES, VM_START. GH_VM_ADD_FUNCTION / REMOVE_FUNCTION manage
 * vCPUs (vcpu.c), irqfds (irqfd.c) and ioeventfds (ioeventfd.c). RM
 * notifications about the VM (NOTIFY_VM_EXITED, NOTIFY_VM_STATUS) update its
 * status for GH_VCPU_RUN. Closing the last reference tears the VM down:
 * VM_STOP (force) if it runs, its killed proxy vCPUs run until they exit,
 * VM_RESET if it was initialised (which releases the parcels the VM held),
 * MEM_RECLAIM of every parcel, VM_DEALLOCATE, unpin.
 */

#define pr_fmt(fmt) "gunyah: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>

#include "include/uapi/linux/gunyah.h"
#include "hypercall.h"
#include "rsc_mgr.h"
#include "vm_mgr.h"

#define GH_MEM_ALLOW_ALL	(GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | \
				 GH_MEM_ALLOW_EXEC)
/* ACL rights bits of the RM parcel layout (§5.4): bit0 X, bit1 W, bit2 R. */
#define GH_RM_ACL_X		BIT(0)
#define GH_RM_ACL_W		BIT(1)
#define GH_RM_ACL_R		BIT(2)
/* SGL entries per MEM_SHARE / MEM_LEND / MEM_APPEND (Linux's limit, §5.4). */
#define GH_RM_MAX_SGL		512
/* Create-layout header flag: more SGL entries follow by MEM_APPEND (§5.4). */
#define GH_RM_MEM_FLAG_APPEND	BIT(1)
/* MEM_APPEND flag: the last part (§5.4). */
#define GH_RM_MEM_APPEND_END	BIT(0)
/* VM_GET_HYP_RESOURCES entry size (§5.6). */
#define GH_RM_HYP_RESOURCE_SIZE	44
/* VM_STOP flags and the reason Linux sends (§5.4). */
#define GH_RM_VM_STOP_FORCE	BIT(0)
#define GH_RM_VM_STOP_REASON_FORCE 3
#define GH_RM_INVALID_HANDLE	0xffffffffU
/* The flattened devicetree header (Devicetree Specification §5.2). */
#define GH_FDT_MAGIC		0xd00dfeedU
/* How long the teardown waits for NOTIFY_VM_STATUS(RESET). */
#define GH_VM_RESET_TIMEOUT	(5 * HZ)
/* vcpu_run calls a killed proxy vCPU may need to exit at teardown. */
#define GH_VCPU_UNWIND_MAX	10000

struct gh_vm_mem {
	struct list_head list;
	struct gh_userspace_memory_region region;
	bool lend;		/* GH_VM_ANDROID_LEND_USER_MEM: MEM_LEND */
	struct page **pages;
	unsigned long npages;
	unsigned int nr_runs;	/* physically contiguous runs = SGL entries */
	u32 handle;		/* the parcel, or GH_RM_INVALID_HANDLE */
};

/* Every VM, for RM notifications naming a VMID. */
static LIST_HEAD(gh_vms);
static DEFINE_SPINLOCK(gh_vms_lock);

bool gh_vm_is_running(struct gh_vm *vm)
{
	unsigned long flags;
	bool running;

	spin_lock_irqsave(&vm->status_lock, flags);
	running = vm->rm_status == GH_RM_VM_STATUS_RUNNING && !vm->exited;
	spin_unlock_irqrestore(&vm->status_lock, flags);
	return running;
}

const struct gh_vm_resource *gh_vm_find_resource(struct gh_vm *vm, u8 type,
						 u32 label)
{
	const struct gh_vm_resource *r = NULL;
	u32 i;

	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_res; i++)
		if (vm->res[i].type == type && vm->res[i].label == label) {
			r = &vm->res[i];
			break;
		}
	mutex_unlock(&vm->lock);
	/* The array is not changed again until the VM is released. */
	return r;
}

void gh_vm_mgr_notify(struct gh_rm *rm, u32 msg_id, const u8 *payload,
		      size_t len)
{
	struct gh_vm *vm;
	unsigned long flags;
	u16 vmid;

	if ((msg_id != GH_RM_NOTIFY_VM_EXITED && msg_id != GH_RM_NOTIFY_VM_STATUS) ||
	    len < 8)
		return;
	vmid = get_unaligned_le16(payload);
	spin_lock(&gh_vms_lock);
	list_for_each_entry(vm, &gh_vms, node) {
		if (vm->rm != rm || vm->vmid != vmid)
			continue;
		spin_lock_irqsave(&vm->status_lock, flags);
		if (msg_id == GH_RM_NOTIFY_VM_EXITED) {
			/* {u16 vmid; u16 exit_type; u32 reason_size; reason[]} */
			u32 size = get_unaligned_le32(payload + 4);

			size = min_t(size_t, min_t(size_t, size, len - 8),
				     GH_VM_MAX_EXIT_REASON_SIZE);
			vm->exited = true;
			vm->rm_status = GH_RM_VM_STATUS_EXITED;
			vm->exit_info.type = get_unaligned_le16(payload + 2);
			vm->exit_info.reason_size = size;
			memset(vm->exit_info.reason, 0, sizeof(vm->exit_info.reason));
			memcpy(vm->exit_info.reason, payload + 8, size);
		} else {
			/* {u16 vmid; u16 res; u8 vm_status; u8 os; u16 app} */
			vm->rm_status = payload[4];
		}
		spin_unlock_irqrestore(&vm->status_lock, flags);
		wake_up_all(&vm->status_wq);
		break;
	}
	spin_unlock(&gh_vms_lock);
}

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

static long gh_vm_add_user_mem(struct gh_vm *vm, void __user *argp, bool lend)
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
	m->lend = lend;
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

/* Write SGL entries [first, first + n) of the region's runs at p. */
static u8 *gh_vm_mem_put_sgl(struct gh_vm_mem *m, unsigned int first,
			     unsigned int n, u8 *p)
{
	unsigned int run = 0;
	unsigned long i;
	u64 base, len;

	base = page_to_phys(m->pages[0]);
	len = PAGE_SIZE;
	for (i = 1; i <= m->npages && run < first + n; i++) {
		if (i < m->npages && page_to_phys(m->pages[i]) == base + len) {
			len += PAGE_SIZE;
			continue;
		}
		if (run >= first) {
			put_unaligned_le64(base, p);
			put_unaligned_le64(len, p + 8);
			p += 16;
		}
		run++;
		if (i < m->npages) {
			base = page_to_phys(m->pages[i]);
			len = PAGE_SIZE;
		}
	}
	return p;
}

/*
 * MEM_SHARE (guest with the region's rights, this VM with RWX) or MEM_LEND
 * (the guest alone), §5.4 / §5.7 step 2; runs past the first 512 follow by
 * MEM_APPEND.
 */
static int gh_vm_mem_give(struct gh_vm *vm, struct gh_vm_mem *m)
{
	unsigned int nacl = m->lend ? 1 : 2;
	unsigned int first = min_t(unsigned int, m->nr_runs, GH_RM_MAX_SGL);
	size_t size = 8 + 4 + nacl * 4 + 4 + first * 16 + 4;
	u8 rights = 0, *req, *p;
	void *resp = NULL;
	size_t resp_size = 0;
	unsigned int done;
	int ret;

	if (m->region.flags & GH_MEM_ALLOW_READ)
		rights |= GH_RM_ACL_R;
	if (m->region.flags & GH_MEM_ALLOW_WRITE)
		rights |= GH_RM_ACL_W;
	if (m->region.flags & GH_MEM_ALLOW_EXEC)
		rights |= GH_RM_ACL_X;
	req = kzalloc(max_t(size_t, size, 12 + GH_RM_MAX_SGL * 16), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	/* Header: mem_type 0 NORMAL, flags, label. */
	if (first < m->nr_runs)
		req[2] = GH_RM_MEM_FLAG_APPEND;
	put_unaligned_le32(m->region.label, req + 4);
	p = req + 8;
	put_unaligned_le16(nacl, p);
	put_unaligned_le16(vm->vmid, p + 4);
	p[6] = rights;
	if (!m->lend) {
		put_unaligned_le16(gh_rm_self_vmid(vm->rm), p + 8);
		p[10] = GH_RM_ACL_R | GH_RM_ACL_W | GH_RM_ACL_X;
	}
	p += 4 + nacl * 4;
	put_unaligned_le16(first, p);
	gh_vm_mem_put_sgl(m, 0, first, p + 4);
	/* Empty attribute list: its count word is already 0. */
	ret = gh_rm_call(vm->rm, m->lend ? GH_RM_MEM_LEND : GH_RM_MEM_SHARE,
			 req, size, &resp, &resp_size);
	if (!ret && resp_size < sizeof(u32))
		ret = -EBADMSG;
	if (!ret)
		m->handle = get_unaligned_le32(resp);
	kfree(resp);

	/* MEM_APPEND: {u32 handle; u8 flags; u8 res[3]; u16 n; u16 res; sgl[n]} */
	for (done = first; !ret && done < m->nr_runs;) {
		unsigned int n = min_t(unsigned int, m->nr_runs - done,
				       GH_RM_MAX_SGL);

		memset(req, 0, 12);
		put_unaligned_le32(m->handle, req);
		if (done + n == m->nr_runs)
			req[4] = GH_RM_MEM_APPEND_END;
		put_unaligned_le16(n, req + 8);
		gh_vm_mem_put_sgl(m, done, n, req + 12);
		ret = gh_rm_call(vm->rm, GH_RM_MEM_APPEND, req, 12 + n * 16,
				 NULL, NULL);
		done += n;
	}
	kfree(req);
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

/* The region holding the whole DTB config, or NULL. */
static struct gh_vm_mem *gh_vm_dtb_region(struct gh_vm *vm)
{
	struct gh_vm_mem *m;

	list_for_each_entry(m, &vm->mem, list)
		if (vm->dtb.guest_phys_addr >= m->region.guest_phys_addr &&
		    vm->dtb.guest_phys_addr + vm->dtb.size <=
		    m->region.guest_phys_addr + m->region.memory_size)
			return m;
	return NULL;
}

/*
 * The DTB must be a flattened devicetree whose totalsize fits the DTB
 * config: what is left after it is the room the RM writes its /hypervisor
 * overlay into at VM_INIT.
 */
static int gh_vm_check_dtb(struct gh_vm *vm, struct gh_vm_mem *m)
{
	u64 off = vm->dtb.guest_phys_addr - m->region.guest_phys_addr;
	struct page *page = m->pages[off >> PAGE_SHIFT];
	unsigned int in_page = offset_in_page(off);
	__be32 hdr[2];
	u8 *va;

	if (in_page > PAGE_SIZE - sizeof(hdr) || vm->dtb.size < sizeof(hdr)) {
		pr_warn("VM %u: the DTB config is too small or straddles a page at its header\n",
			vm->vmid);
		return -EINVAL;
	}
	va = kmap_local_page(page);
	memcpy(hdr, va + in_page, sizeof(hdr));
	kunmap_local(va);
	if (be32_to_cpu(hdr[0]) != GH_FDT_MAGIC) {
		pr_warn("VM %u: no devicetree (magic %#x) at the DTB config's address\n",
			vm->vmid, be32_to_cpu(hdr[0]));
		return -EINVAL;
	}
	if (be32_to_cpu(hdr[1]) > vm->dtb.size) {
		pr_warn("VM %u: the devicetree (%u bytes) is larger than the DTB config (%llu)\n",
			vm->vmid, be32_to_cpu(hdr[1]), vm->dtb.size);
		return -EINVAL;
	}
	return 0;
}

static int gh_vm_config_image(struct gh_vm *vm, struct gh_vm_mem *m)
{
	u8 req[40] = {};

	put_unaligned_le16(vm->vmid, req);
	/* auth 0 NONE; image offset and size 0 (§5.7 step 3). */
	put_unaligned_le32(m->handle, req + 4);
	put_unaligned_le64(vm->dtb.guest_phys_addr - m->region.guest_phys_addr,
			   req + 24);
	put_unaligned_le64(vm->dtb.size, req + 32);
	return gh_rm_call(vm->rm, GH_RM_VM_CONFIG_IMAGE, req, sizeof(req),
			  NULL, NULL);
}

/* VM_GET_HYP_RESOURCES → vm->res (§5.6). */
static int gh_vm_get_resources(struct gh_vm *vm)
{
	void *resp = NULL;
	size_t resp_size = 0;
	u32 n, i;
	int ret;

	ret = gh_vm_vmid_req(vm, GH_RM_VM_GET_HYP_RESOURCES, &resp, &resp_size);
	if (ret)
		return ret;
	if (resp_size < sizeof(u32) ||
	    resp_size != sizeof(u32) + (size_t)get_unaligned_le32(resp) *
				       GH_RM_HYP_RESOURCE_SIZE) {
		kfree(resp);
		return -EBADMSG;
	}
	n = get_unaligned_le32(resp);
	vm->res = kcalloc(n, sizeof(*vm->res), GFP_KERNEL);
	if (n && !vm->res) {
		kfree(resp);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const u8 *e = (const u8 *)resp + 4 + i * GH_RM_HYP_RESOURCE_SIZE;
		u32 virq = get_unaligned_le32(e + 24);

		vm->res[i].type = e[0];
		vm->res[i].label = get_unaligned_le32(e + 8);
		vm->res[i].cap = get_unaligned_le64(e + 12);
		vm->res[i].virq = virq ? virq : GH_RM_NO_VIRQ;
	}
	vm->nr_res = n;
	kfree(resp);
	return 0;
}

static long gh_vm_start(struct gh_vm *vm)
{
	struct gh_vm_mem *m, *dtb;
	unsigned long flags;
	int ret;

	mutex_lock(&vm->lock);
	if (vm->state != GH_VM_NOT_STARTED || !vm->have_dtb) {
		ret = -EINVAL;
		goto unlock;
	}
	/* The DTB must lie inside one region: checked before anything is sent. */
	dtb = gh_vm_dtb_region(vm);
	ret = dtb ? gh_vm_check_dtb(vm, dtb) : -EINVAL;
	if (ret)
		goto unlock;

	vm->state = GH_VM_START_FAILED;
	list_for_each_entry(m, &vm->mem, list) {
		ret = gh_vm_mem_give(vm, m);
		if (ret) {
			pr_warn("VM %u: %s of region %u failed: %d\n", vm->vmid,
				m->lend ? "MEM_LEND" : "MEM_SHARE",
				m->region.label, ret);
			goto unlock;
		}
	}
	vm->initialised = true;
	ret = gh_vm_config_image(vm, dtb);
	if (ret) {
		pr_warn("VM %u: VM_CONFIG_IMAGE failed: %d\n", vm->vmid, ret);
		goto unlock;
	}
	ret = gh_vm_vmid_req(vm, GH_RM_VM_INIT, NULL, NULL);
	if (ret) {
		pr_warn("VM %u: VM_INIT failed: %d%s\n", vm->vmid, ret,
			ret == -ENOMEM ?
			" (the RM had no room after the devicetree for its /hypervisor overlay, or no memory)" :
			"");
		goto unlock;
	}
	ret = gh_vm_get_resources(vm);
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
	spin_lock_irqsave(&vm->status_lock, flags);
	/* Unless the VM already stopped (its NOTIFY_VM_EXITED came first). */
	if (!vm->exited)
		vm->rm_status = GH_RM_VM_STATUS_RUNNING;
	spin_unlock_irqrestore(&vm->status_lock, flags);
	pr_info("VM %u started (%u hypervisor resources)\n", vm->vmid, vm->nr_res);
unlock:
	mutex_unlock(&vm->lock);
	if (!ret)
		gh_irqfds_bind(vm);
	return ret;
}

static long gh_vm_function(struct gh_vm *vm, struct file *filp,
			   void __user *argp, bool add)
{
	union {
		struct gh_fn_vcpu_arg vcpu;
		struct gh_fn_irqfd_arg irqfd;
		struct gh_fn_ioeventfd_arg ioeventfd;
	} arg = {};
	struct gh_fn_desc f;
	size_t want;

	if (copy_from_user(&f, argp, sizeof(f)))
		return -EFAULT;
	switch (f.type) {
	case GH_FN_VCPU:
		want = sizeof(arg.vcpu);
		break;
	case GH_FN_IRQFD:
		want = sizeof(arg.irqfd);
		break;
	case GH_FN_IOEVENTFD:
		want = sizeof(arg.ioeventfd);
		break;
	default:
		return -EINVAL;
	}
	/* At most GH_FN_MAX_ARG_SIZE, and exactly the function's struct. */
	if (f.arg_size > GH_FN_MAX_ARG_SIZE || f.arg_size != want)
		return -EINVAL;
	if (copy_from_user(&arg, u64_to_user_ptr(f.arg), want))
		return -EFAULT;

	switch (f.type) {
	case GH_FN_VCPU:
		return add ? gh_vcpu_add(vm, filp, &arg.vcpu) :
			     gh_vcpu_remove(vm, &arg.vcpu);
	case GH_FN_IRQFD:
		return add ? gh_irqfd_add(vm, &arg.irqfd) :
			     gh_irqfd_remove(vm, &arg.irqfd);
	default:
		return add ? gh_ioeventfd_add(vm, &arg.ioeventfd) :
			     gh_ioeventfd_remove(vm, &arg.ioeventfd);
	}
}

static long gh_vm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct gh_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case GH_VM_SET_USER_MEM_REGION:
		return gh_vm_add_user_mem(vm, argp, false);
	case GH_VM_ANDROID_LEND_USER_MEM:
		return gh_vm_add_user_mem(vm, argp, true);
	case GH_VM_SET_DTB_CONFIG:
		return gh_vm_set_dtb_config(vm, argp);
	case GH_VM_START:
		return gh_vm_start(vm);
	case GH_VM_ADD_FUNCTION:
		return gh_vm_function(vm, filp, argp, true);
	case GH_VM_REMOVE_FUNCTION:
		return gh_vm_function(vm, filp, argp, false);
	default:
		return -ENOTTY;
	}
}

/*
 * After VM_STOP (force) the hypervisor has killed the vCPUs; a killed
 * proxy-scheduled vCPU only unwinds inside vcpu_run (§3), so run each until
 * it reports that its thread exited.
 */
static void gh_vm_unwind_vcpus(struct gh_vm *vm)
{
	struct gh_vcpu_run_result r;
	u32 i, n;
	long err;

	for (i = 0; i < vm->nr_res; i++) {
		const struct gh_vm_resource *res = &vm->res[i];

		if (res->type != GH_RM_RESOURCE_VCPU || res->virq == GH_RM_NO_VIRQ)
			continue;
		for (n = 0; n < GH_VCPU_UNWIND_MAX; n++) {
			err = gh_hvc_vcpu_run(res->cap, 0, 0, 0, &r);
			if (err == GH_ERROR_BUSY || err == GH_ERROR_RETRY) {
				cond_resched();
				continue;
			}
			if (err || (r.state == GH_VCPU_STATE_POWERED_OFF &&
				    (r.data[0] & GH_VCPU_POWERED_OFF_EXITED)))
				break;
			cond_resched();
		}
		if (n == GH_VCPU_UNWIND_MAX)
			pr_warn("VM %u: vCPU %u did not exit after VM_STOP\n",
				vm->vmid, res->label);
	}
}

static bool gh_vm_reset_done(struct gh_vm *vm)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&vm->status_lock, flags);
	done = vm->rm_status == GH_RM_VM_STATUS_RESET;
	spin_unlock_irqrestore(&vm->status_lock, flags);
	return done;
}

static int gh_vm_release(struct inode *inode, struct file *filp)
{
	struct gh_vm *vm = filp->private_data;
	struct gh_vm_mem *m, *tmp;
	int ret;

	gh_irqfds_release(vm);
	gh_ioeventfds_release(vm);
	/* Stop it unless it stopped by itself (NOTIFY_VM_EXITED). */
	if (vm->state == GH_VM_RUNNING && gh_vm_is_running(vm)) {
		u8 req[8] = {};

		put_unaligned_le16(vm->vmid, req);
		req[2] = GH_RM_VM_STOP_FORCE;
		put_unaligned_le32(GH_RM_VM_STOP_REASON_FORCE, req + 4);
		ret = gh_rm_call(vm->rm, GH_RM_VM_STOP, req, sizeof(req),
				 NULL, NULL);
		if (ret)
			pr_warn("VM_STOP of VMID %u failed: %d\n", vm->vmid, ret);
	}
	if (vm->state == GH_VM_RUNNING)
		gh_vm_unwind_vcpus(vm);
	/*
	 * VM_RESET before MEM_RECLAIM: the VM still holds (has accepted) its
	 * parcels until it is reset, and the RM refuses to reclaim a parcel a
	 * borrower holds (MEM_INUSE → -EINVAL).
	 */
	if (vm->initialised) {
		ret = gh_vm_vmid_req(vm, GH_RM_VM_RESET, NULL, NULL);
		if (ret)
			pr_warn("VM_RESET of VMID %u failed: %d\n", vm->vmid, ret);
		else if (!wait_event_timeout(vm->status_wq, gh_vm_reset_done(vm),
					     GH_VM_RESET_TIMEOUT))
			pr_warn("VMID %u: no NOTIFY_VM_STATUS(RESET) after VM_RESET\n",
				vm->vmid);
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
	ret = gh_rm_vm_deallocate(vm->rm, vm->vmid);
	if (ret)
		pr_warn("VM_DEALLOCATE of VMID %u failed: %d\n", vm->vmid, ret);
	spin_lock(&gh_vms_lock);
	list_del(&vm->node);
	spin_unlock(&gh_vms_lock);
	list_for_each_entry_safe(m, tmp, &vm->mem, list) {
		unpin_user_pages_dirty_lock(m->pages, m->npages, true);
		kvfree(m->pages);
		kfree(m);
	}
	mmdrop(vm->mm);
	kfree(vm->res);
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
	mutex_init(&vm->fn_lock);
	spin_lock_init(&vm->status_lock);
	init_waitqueue_head(&vm->status_wq);
	INIT_LIST_HEAD(&vm->mem);
	INIT_LIST_HEAD(&vm->vcpus);
	INIT_LIST_HEAD(&vm->irqfds);
	INIT_LIST_HEAD(&vm->ioeventfds);
	ret = gh_rm_vm_allocate(rm, &vm->vmid);
	if (ret) {
		kfree(vm);
		return ret;
	}
	vm->mm = current->mm;
	mmgrab(vm->mm);
	spin_lock(&gh_vms_lock);
	list_add(&vm->node, &gh_vms);
	spin_unlock(&gh_vms_lock);
	fd = anon_inode_getfd("gunyah-vm", &gh_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		spin_lock(&gh_vms_lock);
		list_del(&vm->node);
		spin_unlock(&gh_vms_lock);
		mmdrop(vm->mm);
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
