// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyah-vm-test: VMMs on /dev/gunyah, one per scenario, each printing one
 * line per step ("gunyah-vm-test: <what> -> <result>") for the e2e test.
 *
 *   start [--hold]  the minimal VMM: one shared memory region with the
 *                   image and its devicetree (hypervisor-scheduled vCPU,
 *                   vGIC at 0x3fff0000), GH_VM_SET_DTB_CONFIG, GH_VM_START,
 *                   no functions; polls what the secondary writes into the
 *                   shared region; with --hold waits for a line on stdin
 *                   before closing the VM (the test lists the RM's VMs).
 *   run [off|reset] [level]
 *                   a proxy vCPU (GH_FN_VCPU, mmap'ed run page,
 *                   GH_VCPU_RUN): PL011 and a test device emulated from MMIO
 *                   exits, an ioeventfd, an irqfd (edge, or GH_IRQFD_LEVEL
 *                   with "level"), immediate_exit and a signal during the
 *                   vCPU's wait, and the STATUS exit of PSCI SYSTEM_OFF or
 *                   SYSTEM_RESET.
 *   lend            "run" with the region given by
 *                   GH_VM_ANDROID_LEND_USER_MEM: a child touching it while
 *                   the VM exists dies of SIGBUS; after teardown it is ours.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../include/uapi/linux/gunyah.h"

extern const unsigned char hyp_image[], hyp_image_end[], hyp_dtb[], hyp_dtb_end[];
extern const unsigned char proxy_image[], proxy_image_end[], proxy_dtb[], proxy_dtb_end[];

#define RAM_GPA		0x80000000ULL
#define RAM_SIZE	0x100000ULL
#define DTB_OFFSET	0x10000ULL
#define DTB_ROOM	0x4000ULL	/* the tree and room for the RM's overlay */
/* What hyp_secondary.S writes into its RAM. */
#define HYP_MAGIC_AT	0x8000
#define HYP_COUNT_AT	0x8008
#define HYP_DONE_AT	0x8010
#define HYP_MAGIC	0x5ec0dda7U
#define HYP_DONE	0xd0eU
#define HYP_COUNT	100000U
/* The devices proxy_secondary.S uses. */
#define UART_BASE	0x09000000ULL
#define UARTDR		0x00
#define UARTFR		0x18
#define TEST_BASE	0x0a000000ULL
#define TEST_ID		0x00
#define TEST_ECHO	0x04
#define TEST_NOTIFY	0x08
#define TEST_WAIT	0x0c
#define TEST_IRQ	0x10
#define TEST_ACTION	0x14
#define TEST_PSCI_FAILED 0x18
#define TEST_ID_VALUE	0x6a5a1234U
/* How long the VMM lets the vCPU wait before ringing the doorbell. */
#define DOORBELL_DELAY_MS 1500
#define ALARM_MS	300

static void say(const char *what, long ret)
{
	if (ret < 0)
		printf("gunyah-vm-test: %s -> errno %d (%s)\n", what, errno, strerror(errno));
	else
		printf("gunyah-vm-test: %s -> %ld\n", what, ret);
	fflush(stdout);
}

static void fail(const char *what)
{
	printf("gunyah-vm-test: FAILED: %s\n", what);
	fflush(stdout);
	exit(1);
}

static long now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

struct vm {
	int dev;
	int fd;
	volatile unsigned char *mem;
};

/* A VM with one region holding the image at 0 and the devicetree at DTB_OFFSET. */
static void make_vm(struct vm *vm, const unsigned char *image, size_t image_size,
		    const unsigned char *dtb, size_t dtb_size, int lend)
{
	struct gh_userspace_memory_region r = {
		.label = 0,
		.flags = GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC,
		.guest_phys_addr = RAM_GPA,
		.memory_size = RAM_SIZE,
	};
	struct gh_vm_dtb_config c = {
		.guest_phys_addr = RAM_GPA + DTB_OFFSET,
		.size = DTB_ROOM,
	};
	unsigned char *mem;

	if (image_size > DTB_OFFSET || dtb_size > DTB_ROOM)
		fail("the secondary's image or devicetree is too large");
	vm->dev = open("/dev/gunyah", O_RDWR | O_CLOEXEC);
	if (vm->dev < 0)
		fail("open /dev/gunyah");
	vm->fd = ioctl(vm->dev, GH_CREATE_VM, 0);
	say("GH_CREATE_VM", vm->fd);
	if (vm->fd < 0)
		exit(1);
	/* Shared, so that a forked child sees the same pages (no copy). */
	mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		fail("mmap");
	memset(mem, 0, RAM_SIZE);
	memcpy(mem, image, image_size);
	memcpy(mem + DTB_OFFSET, dtb, dtb_size);
	r.userspace_addr = (uintptr_t)mem;
	vm->mem = mem;
	say(lend ? "GH_VM_ANDROID_LEND_USER_MEM" : "GH_VM_SET_USER_MEM_REGION",
	    ioctl(vm->fd, lend ? GH_VM_ANDROID_LEND_USER_MEM : GH_VM_SET_USER_MEM_REGION, &r));
	say("GH_VM_SET_DTB_CONFIG", ioctl(vm->fd, GH_VM_SET_DTB_CONFIG, &c));
}

static uint32_t mem32(struct vm *vm, size_t off)
{
	return *(volatile uint32_t *)(vm->mem + off);
}

/* Poll the shared region until mem32(off) == want, up to 120 s. */
static int poll_for(struct vm *vm, size_t off, uint32_t want)
{
	long until = now_ms(CLOCK_MONOTONIC) + 120000;

	while (mem32(vm, off) != want) {
		if (now_ms(CLOCK_MONOTONIC) > until)
			return 0;
		usleep(10000);
	}
	return 1;
}

/* Requests a started VM must refuse, one line each. */
static void refused_after_start(struct vm *vm)
{
	struct gh_userspace_memory_region r = {
		.label = 1,
		.flags = GH_MEM_ALLOW_READ,
		.guest_phys_addr = RAM_GPA + RAM_SIZE,
		.memory_size = 0x1000,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	struct gh_vm_dtb_config c = { RAM_GPA + DTB_OFFSET, DTB_ROOM };
	struct gh_fn_vcpu_arg vcpu_arg = { .id = 0 };
	struct gh_fn_irqfd_arg irq = { .label = 5, .fd = eventfd(0, EFD_CLOEXEC) };
	struct gh_fn_desc f = { GH_FN_VCPU, sizeof(vcpu_arg), (uintptr_t)&vcpu_arg };
	int vcpu;

	say("region after start", ioctl(vm->fd, GH_VM_SET_USER_MEM_REGION, &r));
	say("lend after start", ioctl(vm->fd, GH_VM_ANDROID_LEND_USER_MEM, &r));
	say("DTB config after start", ioctl(vm->fd, GH_VM_SET_DTB_CONFIG, &c));
	say("GH_VM_START again", ioctl(vm->fd, GH_VM_START));
	vcpu = ioctl(vm->fd, GH_VM_ADD_FUNCTION, &f);
	printf("gunyah-vm-test: vcpu 0 of a hypervisor-scheduled VM -> %s\n",
	       vcpu >= 0 ? "fd" : strerror(errno));
	say("GH_VCPU_RUN of a hypervisor-scheduled vCPU", ioctl(vcpu, GH_VCPU_RUN));
	close(vcpu);
	f = (struct gh_fn_desc){ GH_FN_IRQFD, sizeof(irq), (uintptr_t)&irq };
	say("irqfd label 5 (no such doorbell) after start",
	    ioctl(vm->fd, GH_VM_ADD_FUNCTION, &f));
	close(irq.fd);
}

/*
 * A DTB config exactly as large as the tree leaves the RM no room for its
 * /hypervisor overlay: VM_INIT says RM_ERROR_NOMEM, GH_VM_START -ENOMEM,
 * and the teardown (reset, reclaim, deallocate) still gets everything back.
 */
static void no_room_for_the_overlay(void)
{
	struct gh_vm_dtb_config c = {
		.guest_phys_addr = RAM_GPA + DTB_OFFSET,
		.size = (hyp_dtb_end - hyp_dtb + 7) & ~7UL,
	};
	struct vm vm;

	make_vm(&vm, hyp_image, hyp_image_end - hyp_image, hyp_dtb,
		hyp_dtb_end - hyp_dtb, 0);
	say("DTB config of the tree's own size", ioctl(vm.fd, GH_VM_SET_DTB_CONFIG, &c));
	say("GH_VM_START with no room for the overlay", ioctl(vm.fd, GH_VM_START));
	say("close VM fd", close(vm.fd));
	munmap((void *)vm.mem, RAM_SIZE);
	close(vm.dev);
}

static int scenario_start(int hold)
{
	struct vm vm;
	char line[16];
	uint32_t first;
	long ret;

	no_room_for_the_overlay();
	make_vm(&vm, hyp_image, hyp_image_end - hyp_image, hyp_dtb,
		hyp_dtb_end - hyp_dtb, 0);
	ret = ioctl(vm.fd, GH_VM_START);
	say("GH_VM_START", ret);
	if (ret < 0)
		return 1;
	refused_after_start(&vm);
	if (!poll_for(&vm, HYP_MAGIC_AT, HYP_MAGIC)) {
		printf("gunyah-vm-test: no pattern from the secondary (word %#x)\n",
		       mem32(&vm, HYP_MAGIC_AT));
		return 1;
	}
	first = mem32(&vm, HYP_COUNT_AT);
	printf("gunyah-vm-test: the secondary wrote %#x into the shared region\n",
	       mem32(&vm, HYP_MAGIC_AT));
	if (!poll_for(&vm, HYP_DONE_AT, HYP_DONE))
		fail("the secondary did not finish counting");
	printf("gunyah-vm-test: the secondary counted from %u to %u\n", first,
	       mem32(&vm, HYP_COUNT_AT));
	if (hold) {
		printf("gunyah-vm-test: holding the VM; press Enter to release it\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			line[0] = 0;
	}
	say("close VM fd", close(vm.fd));
	printf("gunyah-vm-test: done\n");
	return 0;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

struct doorbell {
	int fd;
	int delay_ms;
};

static void *ring_later(void *arg)
{
	struct doorbell *d = arg;
	uint64_t one = 1;

	usleep(d->delay_ms * 1000);
	if (write(d->fd, &one, sizeof(one)) != sizeof(one))
		perror("gunyah-vm-test: irqfd write");
	return NULL;
}

/* A child that touches the region: its wait status. */
static int child_touch(struct vm *vm)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		volatile unsigned char v = vm->mem[DTB_OFFSET];

		(void)v;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		fail("fork/waitpid");
	return status;
}

static void say_child(const char *what, int status)
{
	if (WIFSIGNALED(status))
		printf("gunyah-vm-test: %s -> killed by signal %d (%s)\n", what,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		printf("gunyah-vm-test: %s -> exit %d\n", what, WEXITSTATUS(status));
	fflush(stdout);
}

static int scenario_run(int action, int level, int lend)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct gh_fn_ioeventfd_arg io = {
		.datamatch = 1,
		.addr = TEST_BASE + TEST_NOTIFY,
		.len = 4,
		.flags = GH_IOEVENTFD_DATAMATCH,
	};
	struct gh_fn_irqfd_arg irq = { .label = 0, .flags = level ? GH_IRQFD_LEVEL : 0 };
	struct gh_fn_vcpu_arg vcpu_arg = { .id = 0 };
	struct gh_fn_desc f;
	struct gh_vcpu_run *run;
	struct doorbell bell;
	struct vm vm;
	pthread_t ringer;
	int notify_fd, irq_fd, vcpu, mmap_size, exits = 0, user_notify = 0;
	uint32_t echo = 0, intid = 0, psci = 0;
	long wait_wall = 0, wait_cpu = 0;
	int have_ringer = 0, eintr = 0, done = 0;
	uint64_t count = 0;
	long ret;

	sigaction(SIGALRM, &sa, NULL);
	make_vm(&vm, proxy_image, proxy_image_end - proxy_image, proxy_dtb,
		proxy_dtb_end - proxy_dtb, lend);

	notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	irq_fd = eventfd(0, EFD_CLOEXEC);
	io.fd = notify_fd;
	irq.fd = irq_fd;
	f = (struct gh_fn_desc){ GH_FN_IOEVENTFD, sizeof(io), (uintptr_t)&io };
	say("GH_VM_ADD_FUNCTION ioeventfd", ioctl(vm.fd, GH_VM_ADD_FUNCTION, &f));
	f = (struct gh_fn_desc){ GH_FN_IRQFD, sizeof(irq), (uintptr_t)&irq };
	say(level ? "GH_VM_ADD_FUNCTION irqfd level" : "GH_VM_ADD_FUNCTION irqfd",
	    ioctl(vm.fd, GH_VM_ADD_FUNCTION, &f));
	f = (struct gh_fn_desc){ GH_FN_VCPU, sizeof(vcpu_arg), (uintptr_t)&vcpu_arg };
	vcpu = ioctl(vm.fd, GH_VM_ADD_FUNCTION, &f);
	say("GH_VM_ADD_FUNCTION vcpu 0", vcpu);
	if (vcpu < 0)
		return 1;
	mmap_size = ioctl(vcpu, GH_VCPU_MMAP_SIZE);
	say("GH_VCPU_MMAP_SIZE", mmap_size);
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		fail("mmap of the vCPU fd");
	say("GH_VCPU_RUN before GH_VM_START", ioctl(vcpu, GH_VCPU_RUN));
	ret = ioctl(vm.fd, GH_VM_START);
	say("GH_VM_START", ret);
	if (ret < 0)
		return 1;
	if (lend)
		say_child("child touching the lent region while the VM runs",
			  child_touch(&vm));

	run->immediate_exit = 1;
	say("GH_VCPU_RUN with immediate_exit", ioctl(vcpu, GH_VCPU_RUN));
	run->immediate_exit = 0;

	while (!done) {
		ret = ioctl(vcpu, GH_VCPU_RUN);
		if (ret < 0) {
			if (errno == EINTR && alarms && !eintr) {
				eintr = 1;
				say("GH_VCPU_RUN while the vCPU waits, SIGALRM", ret);
				continue;
			}
			say("GH_VCPU_RUN", ret);
			return 1;
		}
		exits++;
		switch (run->exit_reason) {
		case GH_VCPU_EXIT_MMIO: {
			uint64_t a = run->mmio.phys_addr, v = 0;

			memcpy(&v, run->mmio.data, run->mmio.len <= 8 ? run->mmio.len : 8);
			if (!run->mmio.is_write) {
				uint64_t r = 0;

				if (a == TEST_BASE + TEST_ID)
					r = TEST_ID_VALUE;
				else if (a == TEST_BASE + TEST_ACTION)
					r = action;
				/* UARTFR and anything else read 0: TX FIFO never full. */
				memcpy(run->mmio.data, &r, sizeof(r));
			} else if (a == UART_BASE + UARTDR) {
				putchar((int)(v & 0xff));
				if ((v & 0xff) == '\n')
					fflush(stdout);
			} else if (a == TEST_BASE + TEST_ECHO) {
				echo = v;
			} else if (a == TEST_BASE + TEST_NOTIFY) {
				user_notify++;
				printf("gunyah-vm-test: MMIO exit: write of %llu to the ioeventfd address\n",
				       (unsigned long long)v);
			} else if (a == TEST_BASE + TEST_WAIT) {
				struct itimerval it = { .it_value = { 0, ALARM_MS * 1000 } };

				bell = (struct doorbell){ irq_fd, DOORBELL_DELAY_MS };
				if (pthread_create(&ringer, NULL, ring_later, &bell))
					fail("pthread_create");
				have_ringer = 1;
				setitimer(ITIMER_REAL, &it, NULL);
				wait_wall = now_ms(CLOCK_MONOTONIC);
				wait_cpu = now_ms(CLOCK_THREAD_CPUTIME_ID);
				if (lend)
					say_child("child touching the lent region while the vCPU waits",
						  child_touch(&vm));
			} else if (a == TEST_BASE + TEST_IRQ) {
				intid = v;
				wait_wall = now_ms(CLOCK_MONOTONIC) - wait_wall;
				wait_cpu = now_ms(CLOCK_THREAD_CPUTIME_ID) - wait_cpu;
			} else if (a == TEST_BASE + TEST_PSCI_FAILED) {
				psci = v;
				printf("gunyah-vm-test: PSCI call returned %#x\n", psci);
			} else {
				printf("gunyah-vm-test: unexpected MMIO %s %#llx\n",
				       run->mmio.is_write ? "write" : "read",
				       (unsigned long long)a);
			}
			break;
		}
		case GH_VCPU_EXIT_STATUS:
			printf("gunyah-vm-test: exit STATUS: status %u, exit type %u, reason size %u\n",
			       run->status.status, run->status.exit_info.type,
			       run->status.exit_info.reason_size);
			done = 1;
			break;
		default:
			printf("gunyah-vm-test: exit reason %u\n", run->exit_reason);
			done = 1;
			break;
		}
	}
	printf("gunyah-vm-test: TEST_ID read %#x, written back %#x\n", TEST_ID_VALUE, echo);
	if (read(notify_fd, &count, sizeof(count)) != sizeof(count))
		count = 0;
	printf("gunyah-vm-test: ioeventfd count %llu, writes that exited %d\n",
	       (unsigned long long)count, user_notify);
	printf("gunyah-vm-test: doorbell interrupt %u after %ld ms, vCPU thread CPU %ld ms\n",
	       intid, wait_wall, wait_cpu);
	printf("gunyah-vm-test: %d exits to user space\n", exits);
	if (have_ringer)
		pthread_join(ringer, NULL);
	say("GH_VCPU_RUN after the exit", ioctl(vcpu, GH_VCPU_RUN));
	if (run->exit_reason == GH_VCPU_EXIT_STATUS)
		printf("gunyah-vm-test: again exit STATUS: status %u\n", run->status.status);
	munmap(run, mmap_size);
	say("close vCPU fd", close(vcpu));
	say("close VM fd", close(vm.fd));
	if (lend) {
		say_child("child touching the region after teardown", child_touch(&vm));
		printf("gunyah-vm-test: region after teardown: byte at the DTB %#x\n",
		       vm.mem[DTB_OFFSET]);
	}
	printf("gunyah-vm-test: done\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	int i, action = 0, level = 0, hold = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--hold"))
			hold = 1;
		else if (!strcmp(argv[i], "reset"))
			action = 1;
		else if (!strcmp(argv[i], "off"))
			action = 0;
		else if (!strcmp(argv[i], "level"))
			level = 1;
	}
	if (!strcmp(what, "start"))
		return scenario_start(hold);
	if (!strcmp(what, "run"))
		return scenario_run(action, level, 0);
	if (!strcmp(what, "lend"))
		return scenario_run(action, level, 1);
	fprintf(stderr, "usage: gunyah-vm-test start [--hold] | run [off|reset] [level] | lend\n");
	return 2;
}
