// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyah-test: opens /dev/gunyah, creates a VM (GH_CREATE_VM), prints the
 * VM fd, and the errno of requests the driver must refuse (one line each:
 * GH_CREATE_VM, GH_VM_SET_USER_MEM_REGION, GH_VM_SET_DTB_CONFIG,
 * GH_VM_START). Built static for the primary VM's initramfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../include/uapi/linux/gunyah.h"

static void report(const char *what, long ret)
{
	if (ret < 0)
		printf("gunyah-test: %s -> errno %d (%s)\n", what, errno, strerror(errno));
	else
		printf("gunyah-test: %s -> %ld\n", what, ret);
}

#define REGION_GPA	0x80000000ULL
#define REGION_SIZE	0x10000ULL

static int set_region(int vm, __u32 label, __u32 flags, __u64 gpa, __u64 size,
		      void *mem)
{
	struct gh_userspace_memory_region r = {
		.label = label,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (__u64)(unsigned long)mem,
	};

	return ioctl(vm, GH_VM_SET_USER_MEM_REGION, &r);
}

static int set_dtb(int vm, __u64 gpa, __u64 size)
{
	struct gh_vm_dtb_config c = { .guest_phys_addr = gpa, .size = size };

	return ioctl(vm, GH_VM_SET_DTB_CONFIG, &c);
}

/* The -EINVAL rules of §7.2 on a VM that is not started. */
static void refused_requests(int vm, unsigned char *mem)
{
	const __u32 rwx = GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE |
			  GH_MEM_ALLOW_EXEC;

	report("region with unknown flag 0x8",
	       set_region(vm, 0, rwx | 8, REGION_GPA, REGION_SIZE, mem));
	report("region with unaligned address",
	       set_region(vm, 0, rwx, REGION_GPA + 0x800, REGION_SIZE, mem));
	report("region with unaligned size",
	       set_region(vm, 0, rwx, REGION_GPA, REGION_SIZE - 0x800, mem));
	report("region with unaligned user address",
	       set_region(vm, 0, rwx, REGION_GPA, REGION_SIZE, mem + 0x800));
	report("region with size 0", set_region(vm, 0, rwx, REGION_GPA, 0, mem));
	report("region 0 at 0x80000000",
	       set_region(vm, 0, rwx, REGION_GPA, REGION_SIZE, mem));
	report("region with duplicate label 0",
	       set_region(vm, 0, rwx, REGION_GPA + 0x100000, REGION_SIZE,
			  mem + REGION_SIZE));
	report("region 1 overlapping region 0",
	       set_region(vm, 1, rwx, REGION_GPA + 0x8000, REGION_SIZE,
			  mem + REGION_SIZE));
	report("start without DTB config", ioctl(vm, GH_VM_START));
	report("DTB config of size 0", set_dtb(vm, REGION_GPA, 0));
	report("DTB config outside the regions",
	       set_dtb(vm, REGION_GPA + REGION_SIZE, 0x1000));
	report("start with the DTB outside the regions", ioctl(vm, GH_VM_START));
}

int main(int argc, char **argv)
{
	unsigned char *mem;
	int dev, vm;

	dev = open("/dev/gunyah", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		report("open /dev/gunyah", dev);
		return 1;
	}
	vm = ioctl(dev, GH_CREATE_VM, 0);
	report("GH_CREATE_VM", vm);
	report("GH_CREATE_VM with arg 1", ioctl(dev, GH_CREATE_VM, 1));
	report("unknown ioctl 0x47ff", ioctl(dev, _IO(GH_IOCTL_TYPE, 0xff), 0));
	if (vm < 0)
		return 1;
	mem = mmap(NULL, 2 * REGION_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		report("mmap", -1);
		return 1;
	}
	memset(mem, 0, 2 * REGION_SIZE);
	refused_requests(vm, mem);
	/* With an argument, keep the VM until a line arrives on stdin. */
	if (argc > 1 && strcmp(argv[1], "--hold") == 0) {
		char line[16];

		printf("gunyah-test: holding the VM; press Enter to release it\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			line[0] = 0;
	}
	report("close VM fd", close(vm));
	printf("gunyah-test: done\n");
	return 0;
}
