// SPDX-License-Identifier: GPL-2.0-only
/*
 * irqfd functions (gunyah-abi.md §7.1–§7.2, §4.2): an eventfd bound to the
 * doorbell whose source end the RM gave this VM (VM_GET_HYP_RESOURCES type
 * 0 BELL_TX) with the irqfd's label. Each signal of the eventfd sends flag 1
 * on the doorbell (doorbell_send), which asserts the doorbell's VIRQ in the
 * guest. The eventfd is watched with a wait-queue entry, as KVM's irqfd
 * does: the send happens in the eventfd's wakeup, no thread is involved.
 * GH_IRQFD_LEVEL: the doorbell is first given enable mask 1 and ack mask 1
 * (doorbell_mask, as Linux does for a level-triggered irqfd, §4.2); the
 * hypervisor allows that only with the doorbell's RECEIVE right, which the
 * RM gives the receiver, so when it refuses, the doorbell keeps its default
 * masks (flags stay set until the receiver clears them: a level source).
 * Signals before the VM has started are sent when it starts.
 */

#define pr_fmt(fmt) "gunyah: " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "hypercall.h"
#include "vm_mgr.h"

/* The doorbell flag an irqfd sends (§4.2: Linux sends 1). */
#define GH_IRQFD_BELL_FLAG	BIT(0)

struct gh_irqfd {
	struct gh_vm *vm;
	struct list_head list;		/* in vm->irqfds (fn_lock) */
	u32 label;
	bool level;
	struct eventfd_ctx *ctx;
	wait_queue_entry_t wait;
	wait_queue_head_t *wqh;
	poll_table pt;

	spinlock_t lock;		/* the fields below; taken in the wakeup */
	bool bound;
	u64 cap;
	bool pending;			/* signalled before the VM started */
	bool hup;			/* the eventfd was closed */
};

static void gh_irqfd_send(struct gh_irqfd *irqfd, u64 cap)
{
	long err = gh_hvc_bell_send(cap, GH_IRQFD_BELL_FLAG);

	if (err)
		pr_warn_ratelimited("VM %u irqfd %u: doorbell_send failed: %ld\n",
				    irqfd->vm->vmid, irqfd->label, err);
}

/* The eventfd was signalled: consume the count, ring the doorbell. */
static void gh_irqfd_signalled(struct gh_irqfd *irqfd)
{
	unsigned long flags;
	u64 cnt, cap = 0;
	bool send;

	eventfd_ctx_do_read(irqfd->ctx, &cnt);
	spin_lock_irqsave(&irqfd->lock, flags);
	send = irqfd->bound;
	if (send)
		cap = irqfd->cap;
	else
		irqfd->pending = true;
	spin_unlock_irqrestore(&irqfd->lock, flags);
	if (send)
		gh_irqfd_send(irqfd, cap);
}

/* Called with the eventfd's wait-queue lock held. */
static int gh_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			   int sync, void *key)
{
	struct gh_irqfd *irqfd = container_of(wait, struct gh_irqfd, wait);
	__poll_t events = key_to_poll(key);
	unsigned long flags;

	if (events & EPOLLIN)
		gh_irqfd_signalled(irqfd);
	if (events & EPOLLHUP) {
		/* The eventfd is going away: stop watching it. */
		__remove_wait_queue(irqfd->wqh, &irqfd->wait);
		spin_lock_irqsave(&irqfd->lock, flags);
		irqfd->hup = true;
		spin_unlock_irqrestore(&irqfd->lock, flags);
	}
	return 0;
}

static void gh_irqfd_queue(struct file *file, wait_queue_head_t *wqh,
			   poll_table *pt)
{
	struct gh_irqfd *irqfd = container_of(pt, struct gh_irqfd, pt);

	irqfd->wqh = wqh;
	add_wait_queue(wqh, &irqfd->wait);
}

/* Bind to the doorbell if the VM has it; -ENODEV if it has started without. */
static int gh_irqfd_bind(struct gh_irqfd *irqfd)
{
	const struct gh_vm_resource *res;
	unsigned long flags;
	bool pending;
	long err;

	res = gh_vm_find_resource(irqfd->vm, GH_RM_RESOURCE_BELL_TX, irqfd->label);
	if (!res)
		return -ENODEV;
	if (irqfd->level) {
		err = gh_hvc_bell_mask(res->cap, GH_IRQFD_BELL_FLAG,
				       GH_IRQFD_BELL_FLAG);
		if (err && err != GH_ERROR_CSPACE_INSUFFICIENT_RIGHTS)
			return gh_error_to_errno(err);
	}
	spin_lock_irqsave(&irqfd->lock, flags);
	irqfd->cap = res->cap;
	irqfd->bound = true;
	pending = irqfd->pending;
	irqfd->pending = false;
	spin_unlock_irqrestore(&irqfd->lock, flags);
	if (pending)
		gh_irqfd_send(irqfd, res->cap);
	return 0;
}

static void gh_irqfd_free(struct gh_irqfd *irqfd)
{
	unsigned long flags;
	bool hup;
	u64 cnt;

	spin_lock_irqsave(&irqfd->lock, flags);
	hup = irqfd->hup;
	spin_unlock_irqrestore(&irqfd->lock, flags);
	if (!hup)
		eventfd_ctx_remove_wait_queue(irqfd->ctx, &irqfd->wait, &cnt);
	eventfd_ctx_put(irqfd->ctx);
	kfree(irqfd);
}

long gh_irqfd_add(struct gh_vm *vm, const struct gh_fn_irqfd_arg *arg)
{
	struct gh_irqfd *irqfd, *other;
	struct fd f;
	__poll_t events;
	int ret;

	if (arg->flags & ~GH_IRQFD_LEVEL)
		return -EINVAL;
	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL);
	if (!irqfd)
		return -ENOMEM;
	irqfd->vm = vm;
	irqfd->label = arg->label;
	irqfd->level = arg->flags & GH_IRQFD_LEVEL;
	spin_lock_init(&irqfd->lock);

	f = fdget(arg->fd);
	if (!f.file) {
		kfree(irqfd);
		return -EBADF;
	}
	irqfd->ctx = eventfd_ctx_fileget(f.file);
	if (IS_ERR(irqfd->ctx)) {
		ret = PTR_ERR(irqfd->ctx);
		goto put_fd;
	}

	mutex_lock(&vm->fn_lock);
	list_for_each_entry(other, &vm->irqfds, list) {
		if (other->label == arg->label) {
			ret = -EEXIST;
			goto unlock;
		}
	}
	if (READ_ONCE(vm->state) == GH_VM_RUNNING) {
		ret = gh_irqfd_bind(irqfd);
		if (ret)
			goto unlock;
	}
	init_waitqueue_func_entry(&irqfd->wait, gh_irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, gh_irqfd_queue);
	list_add_tail(&irqfd->list, &vm->irqfds);
	events = vfs_poll(f.file, &irqfd->pt);
	if ((events & EPOLLIN) && irqfd->wqh) {
		unsigned long flags;

		/* Already signalled: as in the wakeup, under the eventfd's lock. */
		spin_lock_irqsave(&irqfd->wqh->lock, flags);
		gh_irqfd_signalled(irqfd);
		spin_unlock_irqrestore(&irqfd->wqh->lock, flags);
	}
	mutex_unlock(&vm->fn_lock);
	fdput(f);
	return 0;

unlock:
	mutex_unlock(&vm->fn_lock);
	eventfd_ctx_put(irqfd->ctx);
put_fd:
	fdput(f);
	kfree(irqfd);
	return ret;
}

long gh_irqfd_remove(struct gh_vm *vm, const struct gh_fn_irqfd_arg *arg)
{
	struct gh_irqfd *irqfd;

	mutex_lock(&vm->fn_lock);
	list_for_each_entry(irqfd, &vm->irqfds, list) {
		if (irqfd->label != arg->label)
			continue;
		list_del(&irqfd->list);
		mutex_unlock(&vm->fn_lock);
		gh_irqfd_free(irqfd);
		return 0;
	}
	mutex_unlock(&vm->fn_lock);
	return -ENOENT;
}

void gh_irqfds_bind(struct gh_vm *vm)
{
	struct gh_irqfd *irqfd;
	int ret;

	mutex_lock(&vm->fn_lock);
	list_for_each_entry(irqfd, &vm->irqfds, list) {
		ret = gh_irqfd_bind(irqfd);
		if (ret)
			pr_warn("VM %u: irqfd %u has no doorbell (%d): its signals are not sent\n",
				vm->vmid, irqfd->label, ret);
	}
	mutex_unlock(&vm->fn_lock);
}

void gh_irqfds_release(struct gh_vm *vm)
{
	struct gh_irqfd *irqfd, *tmp;

	mutex_lock(&vm->fn_lock);
	list_for_each_entry_safe(irqfd, tmp, &vm->irqfds, list) {
		list_del(&irqfd->list);
		gh_irqfd_free(irqfd);
	}
	mutex_unlock(&vm->fn_lock);
}
