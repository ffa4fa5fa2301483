/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Userspace interface of the Gunyah VM manager, /dev/gunyah: the v14-era
 * "GH_" ioctls (gunyah-abi.md §7.2) and the Android common kernel's 'A'
 * ioctls used by QEMU's gunyah accelerator (§7.3). Written for gunyah-ts from
 * that fact sheet; names, numbers and layouts are the ABI, nothing else is
 * taken. All structs are little-endian with natural alignment; the offsets
 * in the comments are part of the contract (sizes are checked below).
 */
#ifndef _UAPI_LINUX_GUNYAH_H
#define _UAPI_LINUX_GUNYAH_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define GH_IOCTL_TYPE			'G'

/* On /dev/gunyah: arg must be 0; returns a VM fd. */
#define GH_CREATE_VM			_IO(GH_IOCTL_TYPE, 0x0)

#define GH_MEM_ALLOW_READ		(1UL << 0)
#define GH_MEM_ALLOW_WRITE		(1UL << 1)
#define GH_MEM_ALLOW_EXEC		(1UL << 2)

struct gh_userspace_memory_region {
	__u32 label;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
};

#define GH_VM_SET_USER_MEM_REGION	_IOW(GH_IOCTL_TYPE, 0x1, \
					     struct gh_userspace_memory_region)

struct gh_vm_dtb_config {
	__u64 guest_phys_addr;
	__u64 size;
};

#define GH_VM_SET_DTB_CONFIG		_IOW(GH_IOCTL_TYPE, 0x2, struct gh_vm_dtb_config)
#define GH_VM_START			_IO(GH_IOCTL_TYPE, 0x3)

enum gh_fn_type {
	GH_FN_VCPU = 1,
	GH_FN_IRQFD,
	GH_FN_IOEVENTFD,
};

#define GH_FN_MAX_ARG_SIZE		256

struct gh_fn_vcpu_arg {
	__u32 id;
};

/*
 * GH_FN_IRQFD: an eventfd signal sends doorbell flags 1 on the BELL_TX
 * resource whose label is `label` (the doorbell's label in the guest DT).
 * flags 0: edge — each signal is one send. GH_IRQFD_LEVEL: the doorbell's
 * masks are set for a level-triggered line (its flag stays asserted until
 * the guest's acknowledgement clears it), as §7.2 describes.
 */
#define GH_IRQFD_LEVEL			(1UL << 0)
#define GH_IRQFD_FLAGS_LEVEL		GH_IRQFD_LEVEL	/* later spelling */

struct gh_fn_irqfd_arg {
	__u32 fd;
	__u32 label;
	__u32 flags;
	__u32 padding;
};

/*
 * GH_FN_IOEVENTFD: a guest MMIO write of `len` bytes (1, 2, 4, 8; 0 = any
 * length) to `addr` (and, with GH_IOEVENTFD_DATAMATCH, of the value
 * `datamatch`) signals eventfd `fd` and is completed in the kernel: the vCPU
 * is resumed without a GH_VCPU_RUN exit to user space.
 */
#define GH_IOEVENTFD_DATAMATCH		(1UL << 0)
#define GH_IOEVENTFD_FLAGS_DATAMATCH	GH_IOEVENTFD_DATAMATCH	/* later spelling */

struct gh_fn_ioeventfd_arg {
	__u64 datamatch;
	__u64 addr;
	__u32 len;
	__s32 fd;
	__u32 flags;
	__u32 padding;
};

/*
 * type: enum gh_fn_type; arg_size: size of the argument struct (at most
 * GH_FN_MAX_ARG_SIZE); arg: user pointer to it. GH_VM_ADD_FUNCTION with
 * GH_FN_VCPU returns a vCPU fd (mmap it at offset 0 for struct gh_vcpu_run).
 * GH_VM_REMOVE_FUNCTION removes the instance of that type whose argument
 * matches: irqfd by label, ioeventfd by addr/len/datamatch, vCPU by id.
 */
struct gh_fn_desc {
	__u32 type;
	__u32 arg_size;
	__u64 arg;
};

#define GH_VM_ADD_FUNCTION		_IOW(GH_IOCTL_TYPE, 0x4, struct gh_fn_desc)
#define GH_VM_REMOVE_FUNCTION		_IOW(GH_IOCTL_TYPE, 0x7, struct gh_fn_desc)

enum gh_vm_status {
	GH_VM_STATUS_LOAD_FAILED = 1,
	GH_VM_STATUS_EXITED = 2,
	GH_VM_STATUS_CRASHED = 3,
};

#define GH_VM_MAX_EXIT_REASON_SIZE	8u

struct gh_vm_exit_info {
	__u16 type;
	__u16 padding;
	__u32 reason_size;
	__u8 reason[GH_VM_MAX_EXIT_REASON_SIZE];
};

#define GH_VCPU_EXIT_UNKNOWN		0
#define GH_VCPU_EXIT_MMIO		1
#define GH_VCPU_EXIT_STATUS		2

/*
 * The vCPU run page: mmap(NULL, GH_VCPU_MMAP_SIZE, PROT_READ|PROT_WRITE,
 * MAP_SHARED, vcpu_fd, 0). GH_VCPU_RUN runs the vCPU until an exit needs user
 * space:
 *  - GH_VCPU_EXIT_MMIO: a guest access to an address no memory region backs.
 *    Writes: data[0..len) holds the value. Reads: user space fills
 *    data[0..len) and the next GH_VCPU_RUN returns it to the guest.
 *  - GH_VCPU_EXIT_STATUS: the VM stopped; status is enum gh_vm_status,
 *    exit_info.type the RM exit type and reason[] the RM exit reason bytes
 *    (e.g. PSCI SYSTEM_OFF / SYSTEM_RESET, VM_EXIT).
 * immediate_exit != 0, or a pending signal, ends GH_VCPU_RUN with -EINTR
 * (before entering the guest, or while the vCPU waits for an interrupt).
 */
struct gh_vcpu_run {
	__u8 immediate_exit;			/* 0  in */
	__u8 padding[7];			/* 1 */
	__u32 exit_reason;			/* 8  out: GH_VCPU_EXIT_* */
	union {					/* 16 */
		struct {
			__u64 phys_addr;	/* 16 */
			__u8 data[8];		/* 24 */
			__u32 len;		/* 32 */
			__u8 is_write;		/* 36 */
		} mmio;
		struct {
			enum gh_vm_status status;	/* 16 */
			struct gh_vm_exit_info exit_info; /* 20..35 */
		} status;
	};
};						/* sizeof = 40 */

#define GH_VCPU_RUN			_IO(GH_IOCTL_TYPE, 0x5)
/* Returns the size to mmap for struct gh_vcpu_run (PAGE_SIZE). */
#define GH_VCPU_MMAP_SIZE		_IO(GH_IOCTL_TYPE, 0x6)

/*
 * Android common kernel extras (type 'A', gunyah-abi.md §7.3).
 * GH_ANDROID_TENTATIVE_UAPI names the type. GH_VM_ANDROID_LEND_USER_MEM takes
 * the struct of GH_VM_SET_USER_MEM_REGION, but the region is lent to the VM
 * (RM MEM_LEND) instead of shared: while the VM exists the calling process
 * (and the whole primary VM) loses access — touching those pages raises
 * SIGBUS — and gets it back when the VM is destroyed.
 */
#define GH_ANDROID_IOCTL_TYPE		'A'

#define GH_ANDROID_TENTATIVE_UAPI	_IO(GH_ANDROID_IOCTL_TYPE, 0x10)
#define GH_VM_ANDROID_LEND_USER_MEM	_IOW(GH_ANDROID_IOCTL_TYPE, 0x11, \
					     struct gh_userspace_memory_region)

#endif /* _UAPI_LINUX_GUNYAH_H */
