/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Gunyah VM manager's ioctls as gunyah-vmm uses them (the v14 GH_* uapi
 * of rm/linux/include/uapi/linux/gunyah.h, gunyah-abi.md §7.2-§7.3). Each
 * returns a result >= 0 or -errno.
 */
#ifndef GUNYAH_VMM_GUNYAH_H
#define GUNYAH_VMM_GUNYAH_H

#include <stdint.h>

#include <linux/gunyah.h>

#ifndef GH_VM_ANDROID_LEND_USER_MEM
/* Android common kernel extra (gunyah-abi.md §7.3): the region is lent, not shared. */
#define GH_ANDROID_IOCTL_TYPE		'A'
#define GH_VM_ANDROID_LEND_USER_MEM	_IOW(GH_ANDROID_IOCTL_TYPE, 0x11, \
					     struct gh_userspace_memory_region)
#endif

#define GUNYAH_DEVICE		"/dev/gunyah"

int gh_open_device(void);
int gh_create_vm(int dev);
int gh_set_user_memory(int vm, int lend, uint32_t label, uint32_t flags, uint64_t gpa,
		       uint64_t size, void *host);
int gh_set_dtb_config(int vm, uint64_t gpa, uint64_t size);
int gh_add_irqfd(int vm, int eventfd, uint32_t label, int level);
int gh_add_ioeventfd(int vm, int eventfd, uint64_t addr, uint32_t len, uint64_t datamatch);
/* A vCPU fd for vCPU `id` (RM resource label). */
int gh_add_vcpu(int vm, uint32_t id);
int gh_start(int vm);
/* The size of the vCPU run page (GH_VCPU_MMAP_SIZE). */
int gh_vcpu_mmap_size(int vcpu);

#endif
