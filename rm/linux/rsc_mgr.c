// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah resource manager client for gunyah-ts, written from the ABI facts
 * in gunyah-abi.md §4.1, §5 and §6.
 *
 * The RM's node sits below the devicetree's /hypervisor node (compatible
 * "gunyah-hypervisor"): reg = <TX msgqueue cap>, <RX msgqueue cap>,
 * interrupts = <TX allowed>, <RX requested>. Requests are split in 240-byte
 * messages (8-byte header + 232 bytes), sent one request at a time; replies
 * and notifications are reassembled from the RX queue by a threaded
 * interrupt handler.
 */

#define pr_fmt(fmt) "gunyah: " fmt

#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/platform_device.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/unaligned.h>

#include "hypercall.h"
#include "rsc_mgr.h"

#define GH_RM_MSG_SIZE		240	/* msgqueue max message size (§4.1) */
#define GH_RM_HDR_SIZE		8
#define GH_RM_PAYLOAD_SIZE	(GH_RM_MSG_SIZE - GH_RM_HDR_SIZE)
#define GH_RM_MAX_FRAGMENTS	62
#define GH_RM_API		0x21	/* version 1, header of 2 words */

#define GH_RM_TYPE_CONTINUATION	0
#define GH_RM_TYPE_REQUEST	1
#define GH_RM_TYPE_REPLY	2
#define GH_RM_TYPE_NOTIFICATION	3
#define GH_RM_TYPE_MASK		0x3
#define GH_RM_FRAGS_SHIFT	2

struct gh_rm_msg {
	u8 type;
	u8 fragments;		/* continuation messages announced */
	u8 received;		/* continuation messages seen */
	u16 seq;
	u32 msg_id;
	u8 *buf;
	size_t len;
};

struct gh_rm_pending {
	u16 seq;
	u32 msg_id;
	struct completion done;
	u8 *payload;		/* reply payload, RM error word first */
	size_t len;
};

struct gh_rm {
	struct device *dev;
	u64 tx_cap;
	u64 rx_cap;
	int tx_irq;
	int rx_irq;

	struct mutex call_lock;	/* one request at a time (§5.1) */
	u16 next_seq;
	struct completion send_ready;
	u8 tx_buf[GH_RM_MSG_SIZE];

	struct mutex rx_lock;	/* the RX queue is drained by one reader */
	u8 rx_buf[GH_RM_MSG_SIZE];
	struct gh_rm_msg partial;

	spinlock_t pending_lock;
	struct gh_rm_pending *pending;

	u16 vmid;
	struct fwnode_handle *gic;	/* the interrupt parent of the RM node */
	struct miscdevice miscdev;
};

static int gh_rm_error_to_errno(u32 err)
{
	switch (err) {
	case 0x0:
		return 0;
	case 0xffffffff:
		return -EOPNOTSUPP;
	case 0x1:
		return -ENOMEM;
	case 0x2:
		return -ENODEV;
	case 0x3:
		return -EPERM;
	case 0x5:
		return -EBUSY;
	case 0x4:
	case 0x6 ... 0x11:
		return -EINVAL;
	default:
		return -EBADMSG;
	}
}

static void gh_rm_partial_reset(struct gh_rm *rm)
{
	kfree(rm->partial.buf);
	memset(&rm->partial, 0, sizeof(rm->partial));
}

static void gh_rm_deliver(struct gh_rm *rm)
{
	struct gh_rm_msg *msg = &rm->partial;
	struct gh_rm_pending *p;
	unsigned long flags;

	if (msg->type == GH_RM_TYPE_NOTIFICATION) {
		dev_dbg(rm->dev, "RM notification %#x (%zu bytes)\n",
			msg->msg_id, msg->len);
		if (msg->msg_id == GH_RM_NOTIFY_VM_SHUTDOWN) {
			/* {u32 stop_reason}: our owner's VM_STOP without FORCE. */
			dev_info(rm->dev, "the resource manager asks this VM to shut down (stop reason %u)\n",
				 msg->len >= 4 ? get_unaligned_le32(msg->buf) : 0);
			/* force: power off even if no poweroff program can be run. */
			orderly_poweroff(true);
			gh_rm_partial_reset(rm);
			return;
		}
		gh_vm_mgr_notify(rm, msg->msg_id, msg->buf, msg->len);
		gh_rm_partial_reset(rm);
		return;
	}

	spin_lock_irqsave(&rm->pending_lock, flags);
	p = rm->pending;
	if (p && p->seq == msg->seq && p->msg_id == msg->msg_id) {
		p->payload = msg->buf;
		p->len = msg->len;
		msg->buf = NULL;
		rm->pending = NULL;
		complete(&p->done);
	} else {
		dev_warn(rm->dev, "dropping reply seq %u msg_id %#x: no such request\n",
			 msg->seq, msg->msg_id);
	}
	spin_unlock_irqrestore(&rm->pending_lock, flags);
	gh_rm_partial_reset(rm);
}

/* One message from the RX queue: a first fragment or a continuation. */
static void gh_rm_receive(struct gh_rm *rm, const u8 *data, size_t size)
{
	struct gh_rm_msg *msg = &rm->partial;
	u8 type, fragments;
	u16 seq;
	u32 msg_id;
	size_t chunk;

	if (size < GH_RM_HDR_SIZE || data[0] != GH_RM_API) {
		dev_warn(rm->dev, "dropping malformed RM message (%zu bytes)\n", size);
		return;
	}
	type = data[1] & GH_RM_TYPE_MASK;
	fragments = data[1] >> GH_RM_FRAGS_SHIFT;
	seq = get_unaligned_le16(data + 2);
	msg_id = get_unaligned_le32(data + 4);
	chunk = size - GH_RM_HDR_SIZE;

	if (type == GH_RM_TYPE_CONTINUATION) {
		if (!msg->buf || msg->seq != seq || msg->msg_id != msg_id ||
		    msg->fragments != fragments) {
			dev_warn(rm->dev, "dropping stray continuation of %#x\n", msg_id);
			return;
		}
		memcpy(msg->buf + msg->len, data + GH_RM_HDR_SIZE, chunk);
		msg->len += chunk;
		if (++msg->received == msg->fragments)
			gh_rm_deliver(rm);
		return;
	}
	if (type != GH_RM_TYPE_REPLY && type != GH_RM_TYPE_NOTIFICATION) {
		dev_warn(rm->dev, "dropping RM message of type %u\n", type);
		return;
	}
	if (msg->buf) {
		dev_warn(rm->dev, "message %#x aborted by a new one\n", msg->msg_id);
		gh_rm_partial_reset(rm);
	}
	if (fragments > GH_RM_MAX_FRAGMENTS)
		return;
	msg->buf = kmalloc((fragments + 1) * GH_RM_PAYLOAD_SIZE, GFP_KERNEL);
	if (!msg->buf)
		return;
	msg->type = type;
	msg->fragments = fragments;
	msg->received = 0;
	msg->seq = seq;
	msg->msg_id = msg_id;
	memcpy(msg->buf, data + GH_RM_HDR_SIZE, chunk);
	msg->len = chunk;
	if (fragments == 0)
		gh_rm_deliver(rm);
}

static void gh_rm_drain(struct gh_rm *rm)
{
	bool ready = true;
	size_t size;
	long err;

	mutex_lock(&rm->rx_lock);
	while (ready) {
		err = gh_hvc_msgq_recv(rm->rx_cap, rm->rx_buf, sizeof(rm->rx_buf),
				       &size, &ready);
		if (err == GH_ERROR_MSGQUEUE_EMPTY)
			break;
		if (err) {
			dev_err(rm->dev, "msgqueue_receive failed: %ld\n", err);
			break;
		}
		gh_rm_receive(rm, rm->rx_buf, size);
	}
	mutex_unlock(&rm->rx_lock);
}

static irqreturn_t gh_rm_rx_thread(int irq, void *data)
{
	gh_rm_drain(data);
	return IRQ_HANDLED;
}

static irqreturn_t gh_rm_tx_irq(int irq, void *data)
{
	struct gh_rm *rm = data;

	complete(&rm->send_ready);
	return IRQ_HANDLED;
}

static int gh_rm_send_one(struct gh_rm *rm, size_t size, u64 flags)
{
	bool ready;
	long err;

	for (;;) {
		reinit_completion(&rm->send_ready);
		err = gh_hvc_msgq_send(rm->tx_cap, size, rm->tx_buf, flags, &ready);
		if (err == GH_ERROR_OK)
			return 0;
		if (err != GH_ERROR_MSGQUEUE_FULL && err != GH_ERROR_RETRY) {
			dev_err(rm->dev, "msgqueue_send failed: %ld\n", err);
			return -EIO;
		}
		if (wait_for_completion_killable(&rm->send_ready))
			return -EINTR;
	}
}

static int gh_rm_send(struct gh_rm *rm, u16 seq, u32 msg_id, const u8 *req,
		      size_t size)
{
	size_t frags = size ? DIV_ROUND_UP(size, GH_RM_PAYLOAD_SIZE) - 1 : 0;
	size_t i, off = 0;
	int ret;

	if (frags > GH_RM_MAX_FRAGMENTS)
		return -E2BIG;
	for (i = 0; i <= frags; i++) {
		size_t chunk = min_t(size_t, size - off, GH_RM_PAYLOAD_SIZE);
		u8 type = i ? GH_RM_TYPE_CONTINUATION : GH_RM_TYPE_REQUEST;

		rm->tx_buf[0] = GH_RM_API;
		rm->tx_buf[1] = type | (frags << GH_RM_FRAGS_SHIFT);
		put_unaligned_le16(seq, rm->tx_buf + 2);
		put_unaligned_le32(msg_id, rm->tx_buf + 4);
		memcpy(rm->tx_buf + GH_RM_HDR_SIZE, req + off, chunk);
		off += chunk;
		ret = gh_rm_send_one(rm, GH_RM_HDR_SIZE + chunk,
				     i == frags ? GH_MSGQ_SEND_PUSH : 0);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * gh_rm_call() - one RM RPC request and its reply
 * @resp: on success, a kmalloc'd copy of the reply after its error word
 *        (NULL if empty); the caller frees it.
 *
 * Returns 0, the errno of the RM's error code, or a transport errno.
 */
int gh_rm_call(struct gh_rm *rm, u32 msg_id, const void *req, size_t req_size,
	       void **resp, size_t *resp_size)
{
	struct gh_rm_pending p = { .msg_id = msg_id };
	unsigned long flags;
	u32 rm_err;
	int ret;

	if (!msg_id)
		return -EINVAL;
	init_completion(&p.done);
	mutex_lock(&rm->call_lock);
	p.seq = rm->next_seq++;
	spin_lock_irqsave(&rm->pending_lock, flags);
	rm->pending = &p;
	spin_unlock_irqrestore(&rm->pending_lock, flags);

	ret = gh_rm_send(rm, p.seq, msg_id, req, req_size);
	if (!ret && wait_for_completion_killable(&p.done))
		ret = -EINTR;

	spin_lock_irqsave(&rm->pending_lock, flags);
	if (rm->pending == &p)
		rm->pending = NULL;
	spin_unlock_irqrestore(&rm->pending_lock, flags);
	mutex_unlock(&rm->call_lock);
	if (ret)
		goto out;

	if (p.len < sizeof(u32)) {
		dev_warn(rm->dev, "reply to %#x has no error word\n", msg_id);
		ret = -EBADMSG;
		goto out;
	}
	rm_err = get_unaligned_le32(p.payload);
	ret = gh_rm_error_to_errno(rm_err);
	if (ret) {
		dev_dbg(rm->dev, "RM error %#x for %#x\n", rm_err, msg_id);
		goto out;
	}
	if (resp) {
		*resp_size = p.len - sizeof(u32);
		*resp = *resp_size ?
			kmemdup(p.payload + sizeof(u32), *resp_size, GFP_KERNEL) : NULL;
		if (*resp_size && !*resp)
			ret = -ENOMEM;
	}
out:
	kfree(p.payload);
	return ret;
}

static int gh_rm_vmid_call(struct gh_rm *rm, u32 msg_id, u16 vmid_in,
			   u16 *vmid_out)
{
	__le32 req = cpu_to_le32(vmid_in);
	size_t size = 0;
	void *resp = NULL;
	int ret;

	ret = gh_rm_call(rm, msg_id, msg_id == GH_RM_VM_GET_VMID ? NULL : &req,
			 msg_id == GH_RM_VM_GET_VMID ? 0 : sizeof(req),
			 vmid_out ? &resp : NULL, &size);
	if (ret)
		return ret;
	if (vmid_out) {
		if (size < sizeof(u32))
			ret = -EBADMSG;
		else
			*vmid_out = get_unaligned_le32(resp) & 0xffff;
	}
	kfree(resp);
	return ret;
}

int gh_rm_vm_allocate(struct gh_rm *rm, u16 *vmid)
{
	return gh_rm_vmid_call(rm, GH_RM_VM_ALLOCATE, 0, vmid);
}

int gh_rm_vm_deallocate(struct gh_rm *rm, u16 vmid)
{
	return gh_rm_vmid_call(rm, GH_RM_VM_DEALLOCATE, vmid, NULL);
}

u16 gh_rm_self_vmid(struct gh_rm *rm)
{
	return rm->vmid;
}

/* GIC INTID ranges (§6.2): SPIs 32..1019, extended SPIs 4096..5119. */
#define GH_GIC_SPI_BASE		32
#define GH_GIC_SPI_LAST		1019
#define GH_GIC_ESPI_BASE	4096
#define GH_GIC_ESPI_LAST	5119
/* GIC devicetree interrupt types (§6.2). */
#define GH_GIC_DT_SPI		0
#define GH_GIC_DT_ESPI		2

int gh_rm_virq_to_irq(struct gh_rm *rm, u32 virq)
{
	struct irq_fwspec fwspec = {
		.fwnode = rm->gic,
		.param_count = 3,
		.param[2] = IRQ_TYPE_EDGE_RISING,
	};
	unsigned int irq;

	if (!rm->gic)
		return -ENODEV;
	if (virq >= GH_GIC_SPI_BASE && virq <= GH_GIC_SPI_LAST) {
		fwspec.param[0] = GH_GIC_DT_SPI;
		fwspec.param[1] = virq - GH_GIC_SPI_BASE;
	} else if (virq >= GH_GIC_ESPI_BASE && virq <= GH_GIC_ESPI_LAST) {
		fwspec.param[0] = GH_GIC_DT_ESPI;
		fwspec.param[1] = virq - GH_GIC_ESPI_BASE;
	} else {
		return -EINVAL;
	}
	irq = irq_create_fwspec_mapping(&fwspec);
	return irq ? irq : -ENXIO;
}

struct gh_rm *gh_rm_from_file(struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return container_of(misc, struct gh_rm, miscdev);
}

static int gh_rm_probe(struct platform_device *pdev)
{
	struct device_node *np = pdev->dev.of_node;
	struct gh_rm *rm;
	int ret;

	if (!np->parent || !of_device_is_compatible(np->parent, "gunyah-hypervisor")) {
		dev_err(&pdev->dev, "not below a \"gunyah-hypervisor\" node\n");
		return -ENODEV;
	}
	rm = devm_kzalloc(&pdev->dev, sizeof(*rm), GFP_KERNEL);
	if (!rm)
		return -ENOMEM;
	rm->dev = &pdev->dev;
	mutex_init(&rm->call_lock);
	mutex_init(&rm->rx_lock);
	spin_lock_init(&rm->pending_lock);
	init_completion(&rm->send_ready);

	ret = of_property_read_u64_index(np, "reg", 0, &rm->tx_cap);
	if (!ret)
		ret = of_property_read_u64_index(np, "reg", 1, &rm->rx_cap);
	if (ret) {
		dev_err(&pdev->dev, "no TX/RX message-queue capabilities in reg\n");
		return ret;
	}
	{
		struct device_node *gic = of_irq_find_parent(np);

		rm->gic = gic ? of_node_to_fwnode(gic) : NULL;
		of_node_put(gic);
	}
	rm->tx_irq = platform_get_irq(pdev, 0);
	if (rm->tx_irq < 0)
		return rm->tx_irq;
	rm->rx_irq = platform_get_irq(pdev, 1);
	if (rm->rx_irq < 0)
		return rm->rx_irq;

	ret = devm_request_irq(&pdev->dev, rm->tx_irq, gh_rm_tx_irq, 0,
			       "gunyah_rm_tx", rm);
	if (ret)
		return ret;
	ret = devm_request_threaded_irq(&pdev->dev, rm->rx_irq, NULL,
					gh_rm_rx_thread, IRQF_ONESHOT,
					"gunyah_rm_rx", rm);
	if (ret)
		return ret;
	/* Anything queued before the edge-triggered RX interrupt was ours. */
	gh_rm_drain(rm);

	ret = gh_rm_vmid_call(rm, GH_RM_VM_GET_VMID, 0, &rm->vmid);
	if (ret) {
		dev_err(&pdev->dev, "VM_GET_VMID failed: %d\n", ret);
		return ret;
	}
	pr_info("resource manager: TX cap %#llx RX cap %#llx, irqs %d/%d; this VM is VMID %u\n",
		rm->tx_cap, rm->rx_cap, rm->tx_irq, rm->rx_irq, rm->vmid);

	rm->miscdev.minor = MISC_DYNAMIC_MINOR;
	rm->miscdev.name = "gunyah";
	rm->miscdev.fops = &gh_dev_fops;
	ret = misc_register(&rm->miscdev);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, rm);
	return 0;
}

static int gh_rm_remove(struct platform_device *pdev)
{
	struct gh_rm *rm = platform_get_drvdata(pdev);

	misc_deregister(&rm->miscdev);
	gh_rm_partial_reset(rm);
	return 0;
}

static const struct of_device_id gh_rm_of_match[] = {
	{ .compatible = "gunyah-resource-manager" },
	{}
};
MODULE_DEVICE_TABLE(of, gh_rm_of_match);

static struct platform_driver gh_rm_driver = {
	.probe = gh_rm_probe,
	.remove = gh_rm_remove,
	.driver = {
		.name = "gunyah_rsc_mgr",
		.of_match_table = gh_rm_of_match,
	},
};
module_platform_driver(gh_rm_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gunyah resource manager client and VM manager (gunyah-ts)");
