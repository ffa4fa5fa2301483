// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioeventfd functions (gunyah-abi.md §7.1–§7.2): a guest MMIO write of
 * `len` bytes (1, 2, 4 or 8; 0 = any) to `addr` — with
 * GH_IOEVENTFD_DATAMATCH only of the value `datamatch` — signals the eventfd
 * and is completed here: GH_VCPU_RUN resumes the vCPU without an exit to
 * user space (vcpu.c asks gh_ioeventfd_write for every VMMIO write).
 */

#include <linux/eventfd.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "vm_mgr.h"

struct gh_ioeventfd {
	struct list_head list;		/* in vm->ioeventfds (fn_lock) */
	u64 addr;
	u32 len;
	bool datamatch;
	u64 value;
	struct eventfd_ctx *ctx;
};

static bool gh_ioeventfd_same(const struct gh_ioeventfd *e,
			      const struct gh_fn_ioeventfd_arg *arg)
{
	bool datamatch = arg->flags & GH_IOEVENTFD_DATAMATCH;

	return e->addr == arg->addr && e->len == arg->len &&
	       e->datamatch == datamatch &&
	       (!datamatch || e->value == arg->datamatch);
}

long gh_ioeventfd_add(struct gh_vm *vm, const struct gh_fn_ioeventfd_arg *arg)
{
	struct gh_ioeventfd *e, *other;
	u64 end;

	if (arg->flags & ~GH_IOEVENTFD_DATAMATCH)
		return -EINVAL;
	if (arg->len != 0 && arg->len != 1 && arg->len != 2 && arg->len != 4 &&
	    arg->len != 8)
		return -EINVAL;
	/* A value can only match a write of a known width. */
	if ((arg->flags & GH_IOEVENTFD_DATAMATCH) && !arg->len)
		return -EINVAL;
	if (check_add_overflow(arg->addr, (u64)(arg->len ? arg->len : 1), &end))
		return -EINVAL;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->addr = arg->addr;
	e->len = arg->len;
	e->datamatch = arg->flags & GH_IOEVENTFD_DATAMATCH;
	e->value = arg->datamatch;
	e->ctx = eventfd_ctx_fdget(arg->fd);
	if (IS_ERR(e->ctx)) {
		long ret = PTR_ERR(e->ctx);

		kfree(e);
		return ret;
	}
	mutex_lock(&vm->fn_lock);
	list_for_each_entry(other, &vm->ioeventfds, list) {
		if (gh_ioeventfd_same(other, arg)) {
			mutex_unlock(&vm->fn_lock);
			eventfd_ctx_put(e->ctx);
			kfree(e);
			return -EEXIST;
		}
	}
	list_add_tail(&e->list, &vm->ioeventfds);
	mutex_unlock(&vm->fn_lock);
	return 0;
}

long gh_ioeventfd_remove(struct gh_vm *vm, const struct gh_fn_ioeventfd_arg *arg)
{
	struct gh_ioeventfd *e;

	mutex_lock(&vm->fn_lock);
	list_for_each_entry(e, &vm->ioeventfds, list) {
		if (!gh_ioeventfd_same(e, arg))
			continue;
		list_del(&e->list);
		mutex_unlock(&vm->fn_lock);
		eventfd_ctx_put(e->ctx);
		kfree(e);
		return 0;
	}
	mutex_unlock(&vm->fn_lock);
	return -ENOENT;
}

bool gh_ioeventfd_write(struct gh_vm *vm, u64 addr, u32 len, u64 value)
{
	u64 mask = len >= 8 ? ~0ULL : (1ULL << (len * 8)) - 1;
	struct gh_ioeventfd *e;
	bool taken = false;

	mutex_lock(&vm->fn_lock);
	list_for_each_entry(e, &vm->ioeventfds, list) {
		if (e->addr != addr || (e->len && e->len != len))
			continue;
		if (e->datamatch && e->value != (value & mask))
			continue;
		eventfd_signal(e->ctx, 1);
		taken = true;
		break;
	}
	mutex_unlock(&vm->fn_lock);
	return taken;
}

void gh_ioeventfds_release(struct gh_vm *vm)
{
	struct gh_ioeventfd *e, *tmp;

	mutex_lock(&vm->fn_lock);
	list_for_each_entry_safe(e, tmp, &vm->ioeventfds, list) {
		list_del(&e->list);
		eventfd_ctx_put(e->ctx);
		kfree(e);
	}
	mutex_unlock(&vm->fn_lock);
}
