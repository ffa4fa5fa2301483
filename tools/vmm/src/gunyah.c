// SPDX-License-Identifier: GPL-2.0-only
/* The ioctl wrappers of gunyah.h. */
#include "gunyah.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int ret(int r)
{
	return r < 0 ? -errno : r;
}

int gh_open_device(void)
{
	return ret(open(GUNYAH_DEVICE, O_RDWR | O_CLOEXEC));
}

int gh_create_vm(int dev)
{
	return ret(ioctl(dev, GH_CREATE_VM, 0));
}

int gh_set_user_memory(int vm, int lend, uint32_t label, uint32_t flags, uint64_t gpa,
		       uint64_t size, void *host)
{
	struct gh_userspace_memory_region r = {
		.label = label,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	return ret(ioctl(vm, lend ? GH_VM_ANDROID_LEND_USER_MEM : GH_VM_SET_USER_MEM_REGION, &r));
}

int gh_set_dtb_config(int vm, uint64_t gpa, uint64_t size)
{
	struct gh_vm_dtb_config c = { .guest_phys_addr = gpa, .size = size };

	return ret(ioctl(vm, GH_VM_SET_DTB_CONFIG, &c));
}

static int add_function(int vm, uint32_t type, void *arg, uint32_t size)
{
	struct gh_fn_desc d = { .type = type, .arg_size = size, .arg = (uint64_t)(uintptr_t)arg };

	return ret(ioctl(vm, GH_VM_ADD_FUNCTION, &d));
}

int gh_add_irqfd(int vm, int eventfd, uint32_t label, int level)
{
	struct gh_fn_irqfd_arg a = {
		.fd = (uint32_t)eventfd,
		.label = label,
		.flags = level ? GH_IRQFD_LEVEL : 0,
	};

	return add_function(vm, GH_FN_IRQFD, &a, sizeof(a));
}

int gh_add_ioeventfd(int vm, int eventfd, uint64_t addr, uint32_t len, uint64_t datamatch)
{
	struct gh_fn_ioeventfd_arg a = {
		.datamatch = datamatch,
		.addr = addr,
		.len = len,
		.fd = eventfd,
		.flags = GH_IOEVENTFD_DATAMATCH,
	};

	return add_function(vm, GH_FN_IOEVENTFD, &a, sizeof(a));
}

int gh_add_vcpu(int vm, uint32_t id)
{
	struct gh_fn_vcpu_arg a = { .id = id };

	return add_function(vm, GH_FN_VCPU, &a, sizeof(a));
}

int gh_start(int vm)
{
	return ret(ioctl(vm, GH_VM_START, 0));
}

int gh_vcpu_mmap_size(int vcpu)
{
	return ret(ioctl(vcpu, GH_VCPU_MMAP_SIZE, 0));
}
