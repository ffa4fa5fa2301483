// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyah-test: opens /dev/gunyah, creates a VM (GH_CREATE_VM), prints the
 * VM fd, and the errno of every request the driver must refuse on a VM that
 * has not started, one line each: GH_CREATE_VM, GH_VM_SET_USER_MEM_REGION,
 * GH_VM_ANDROID_LEND_USER_MEM, GH_VM_SET_DTB_CONFIG, GH_VM_START,
 * GH_VM_ADD_FUNCTION / GH_VM_REMOVE_FUNCTION (vCPU, irqfd, ioeventfd), and
 * on a vCPU fd GH_VCPU_RUN, mmap and unknown ioctls. (The refusals of a
 * started VM are in gunyah-vm-test.) Built static for the primary's
 * initramfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
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
	report("DTB config wrapping around", set_dtb(vm, ~0ULL - 0xfff, 0x2000));
	report("DTB config with a bad pointer",
	       ioctl(vm, GH_VM_SET_DTB_CONFIG, (void *)8));
	report("region with a bad pointer",
	       ioctl(vm, GH_VM_SET_USER_MEM_REGION, (void *)8));
	report("region wrapping around",
	       set_region(vm, 2, rwx, ~0ULL - 0xfff, 0x2000, mem));
	report("region of unmapped user memory",
	       set_region(vm, 2, rwx, REGION_GPA + 0x200000, REGION_SIZE,
			  (void *)0x1000));
}

static int lend_region(int vm, __u32 label, __u32 flags, __u64 gpa, __u64 size,
		       void *mem)
{
	struct gh_userspace_memory_region r = {
		.label = label,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (__u64)(unsigned long)mem,
	};

	return ioctl(vm, GH_VM_ANDROID_LEND_USER_MEM, &r);
}

/* The same rules for lent memory (§7.3), against region 0. */
static void refused_lends(int vm, unsigned char *mem)
{
	const __u32 rwx = GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE |
			  GH_MEM_ALLOW_EXEC;

	report("lend with unknown flag 0x8",
	       lend_region(vm, 5, rwx | 8, REGION_GPA + 0x100000, REGION_SIZE,
			   mem + REGION_SIZE));
	report("lend with unaligned size",
	       lend_region(vm, 5, rwx, REGION_GPA + 0x100000, 0x800,
			   mem + REGION_SIZE));
	report("lend with duplicate label 0",
	       lend_region(vm, 0, rwx, REGION_GPA + 0x100000, REGION_SIZE,
			   mem + REGION_SIZE));
	report("lend overlapping region 0",
	       lend_region(vm, 5, rwx, REGION_GPA, REGION_SIZE, mem + REGION_SIZE));
}

static int add_fn(int vm, unsigned long cmd, __u32 type, void *arg, __u32 size)
{
	struct gh_fn_desc f = { .type = type, .arg_size = size,
				.arg = (__u64)(unsigned long)arg };

	return ioctl(vm, cmd, &f);
}

/* GH_VM_ADD_FUNCTION / GH_VM_REMOVE_FUNCTION and a vCPU fd before start. */
static void refused_functions(int vm)
{
	struct gh_fn_vcpu_arg vcpu = { .id = 0 };
	struct gh_fn_irqfd_arg irq = { .label = 7 };
	struct gh_fn_ioeventfd_arg io = { .addr = 0x0a000000, .len = 4 };
	int efd = eventfd(0, EFD_CLOEXEC), null = open("/dev/null", O_RDONLY);
	int vcpu_fd, status;
	void *p;
	pid_t pid;

	report("function of unknown type 9",
	       add_fn(vm, GH_VM_ADD_FUNCTION, 9, &vcpu, sizeof(vcpu)));
	report("vcpu function with arg_size 8",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_VCPU, &vcpu, 8));
	report("vcpu function with arg_size 257",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_VCPU, &vcpu, 257));
	report("vcpu function with a bad arg pointer",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_VCPU, (void *)8, sizeof(vcpu)));
	report("function with a bad descriptor pointer",
	       ioctl(vm, GH_VM_ADD_FUNCTION, (void *)8));
	vcpu_fd = add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_VCPU, &vcpu, sizeof(vcpu));
	printf("gunyah-test: vcpu 0 -> %s\n", vcpu_fd >= 0 ? "fd" : strerror(errno));
	report("vcpu 0 again",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_VCPU, &vcpu, sizeof(vcpu)));
	report("GH_VCPU_RUN before start", ioctl(vcpu_fd, GH_VCPU_RUN));
	report("unknown vCPU ioctl 0x47ff", ioctl(vcpu_fd, _IO(GH_IOCTL_TYPE, 0xff)));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 4096);
	report("mmap of the vCPU fd at offset 4096", p == MAP_FAILED ? -1 : 0);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
	report("mmap of two pages of the vCPU fd", p == MAP_FAILED ? -1 : 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		report("GH_VCPU_RUN from another process", ioctl(vcpu_fd, GH_VCPU_RUN));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	report("remove vcpu 3 (none)",
	       add_fn(vm, GH_VM_REMOVE_FUNCTION, GH_FN_VCPU,
		      &(struct gh_fn_vcpu_arg){ .id = 3 }, sizeof(vcpu)));
	report("remove vcpu 0",
	       add_fn(vm, GH_VM_REMOVE_FUNCTION, GH_FN_VCPU, &vcpu, sizeof(vcpu)));
	report("GH_VCPU_RUN of a removed vcpu", ioctl(vcpu_fd, GH_VCPU_RUN));
	close(vcpu_fd);

	irq.fd = 999;
	report("irqfd of a closed fd",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IRQFD, &irq, sizeof(irq)));
	irq.fd = null;
	report("irqfd of a file that is no eventfd",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IRQFD, &irq, sizeof(irq)));
	irq.fd = efd;
	irq.flags = 2;
	report("irqfd with unknown flag 0x2",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IRQFD, &irq, sizeof(irq)));
	irq.flags = 0;
	report("irqfd label 7",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IRQFD, &irq, sizeof(irq)));
	report("irqfd label 7 again",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IRQFD, &irq, sizeof(irq)));
	report("remove irqfd label 7",
	       add_fn(vm, GH_VM_REMOVE_FUNCTION, GH_FN_IRQFD, &irq, sizeof(irq)));
	report("remove irqfd label 7 again",
	       add_fn(vm, GH_VM_REMOVE_FUNCTION, GH_FN_IRQFD, &irq, sizeof(irq)));

	io.fd = efd;
	io.len = 3;
	report("ioeventfd of length 3",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IOEVENTFD, &io, sizeof(io)));
	io.len = 0;
	io.flags = GH_IOEVENTFD_DATAMATCH;
	report("ioeventfd matching data of any length",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IOEVENTFD, &io, sizeof(io)));
	io.len = 4;
	io.flags = 2;
	report("ioeventfd with unknown flag 0x2",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IOEVENTFD, &io, sizeof(io)));
	io.flags = 0;
	io.fd = 999;
	report("ioeventfd of a closed fd",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IOEVENTFD, &io, sizeof(io)));
	io.fd = efd;
	io.addr = ~0ULL - 1;
	report("ioeventfd wrapping around",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IOEVENTFD, &io, sizeof(io)));
	io.addr = 0x0a000000;
	report("ioeventfd at 0xa000000",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IOEVENTFD, &io, sizeof(io)));
	report("ioeventfd at 0xa000000 again",
	       add_fn(vm, GH_VM_ADD_FUNCTION, GH_FN_IOEVENTFD, &io, sizeof(io)));
	report("remove ioeventfd at 0xa000000",
	       add_fn(vm, GH_VM_REMOVE_FUNCTION, GH_FN_IOEVENTFD, &io, sizeof(io)));
	report("remove ioeventfd at 0xa000000 again",
	       add_fn(vm, GH_VM_REMOVE_FUNCTION, GH_FN_IOEVENTFD, &io, sizeof(io)));
	close(efd);
	close(null);
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
	refused_lends(vm, mem);
	refused_functions(vm);
	/* The DTB config inside region 0, but no devicetree there. */
	report("DTB config of 0x1000 in region 0", set_dtb(vm, REGION_GPA, 0x1000));
	report("start with no devicetree at the DTB config", ioctl(vm, GH_VM_START));
	memcpy(mem, "\xd0\x0d\xfe\xed\x00\x00\x20\x00", 8);	/* totalsize 0x2000 */
	report("start with a devicetree larger than the DTB config",
	       ioctl(vm, GH_VM_START));
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
