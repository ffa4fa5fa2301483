// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyah-vmm: boots a Linux VM through the Gunyah VM manager (/dev/gunyah),
 * as QEMU's Gunyah accelerator does (gunyah-abi.md §8): one anonymous
 * mapping as guest RAM (shared or lent), the kernel, initrd and devicetree
 * placed in it, one irqfd per device SPI, an ioeventfd for the disk's queue
 * notify, one vCPU function and thread per -smp, GH_VM_START, and the PL011
 * and virtio-blk devices served from MMIO exits until the guest stops.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdt_read.h"
#include "gunyah.h"
#include "machine.h"

/* RM exit types (gunyah-abi.md §5.5, NOTIFY_VM_EXITED). */
static const char *const exit_types[] = {
	[0] = "the guest called VM_EXIT",
	[1] = "powered off (PSCI SYSTEM_OFF)",
	[2] = "reset (PSCI SYSTEM_RESET); gunyah-vmm does not restart it",
	[3] = "reset (PSCI SYSTEM_RESET2); gunyah-vmm does not restart it",
	[4] = "watchdog bite",
	[5] = "a software error (a vCPU faulted)",
	[6] = "an asynchronous hardware error",
	[7] = "stopped by force (VM_STOP)",
};

static const char *const vm_statuses[] = {
	[GH_VM_STATUS_LOAD_FAILED] = "LOAD_FAILED",
	[GH_VM_STATUS_EXITED] = "EXITED",
	[GH_VM_STATUS_CRASHED] = "CRASHED",
};

static struct machine machine;

void machine_raise_irq(void *ctx, unsigned int spi)
{
	struct machine *m = ctx;
	uint64_t one = 1;
	unsigned int i;

	for (i = 0; i < m->board.nr_spis; i++) {
		if (m->board.spis[i] == spi && m->irq_fd[i] >= 0) {
			if (write(m->irq_fd[i], &one, sizeof(one)) < 0 && errno != EAGAIN)
				fprintf(stderr, "gunyah-vmm: irqfd of SPI %u: %s\r\n", spi,
					strerror(errno));
			return;
		}
	}
}

void machine_end(struct machine *m, enum machine_end why)
{
	uint64_t one = 1;

	pthread_mutex_lock(&m->end_lock);
	if (m->end == MACHINE_RUNNING)
		m->end = why;
	pthread_mutex_unlock(&m->end_lock);
	if (write(m->stop_fd, &one, sizeof(one)) < 0)
		abort();	/* an eventfd write fails only on overflow */
}

static void on_terminate(int sig)
{
	(void)sig;
	machine_end(&machine, MACHINE_USER_QUIT);
}

static int fail(const char *what, const char *path, int err)
{
	fprintf(stderr, "gunyah-vmm: %s %s: %s\n", what, path, strerror(err));
	return VMM_EXIT_ERROR;
}

/* Size of a regular file, or -errno. */
static long long file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return (long long)st.st_size;
}

static int load_file(const char *path, void *dst, uint64_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t done = 0;

	if (fd < 0)
		return -errno;
	while (done < size) {
		ssize_t r = read(fd, (uint8_t *)dst + done, size - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? -errno : -EIO;

			close(fd);
			return e;
		}
		done += (uint64_t)r;
	}
	close(fd);
	return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = write(fd, data, len);
	close(fd);
	return r == (ssize_t)len ? 0 : -EIO;
}

/* Open the images, place them: 0 or an exit code. */
static int plan(struct machine *m, struct arm64_image_header *h)
{
	struct vmm_options *o = &m->opts;
	long long ksize, isize = 0;
	uint8_t hdr[ARM64_IMAGE_HEADER_SIZE];
	const char *why;
	int fd;
	ssize_t r;

	ksize = file_size(o->kernel);
	if (ksize < 0)
		return fail("-kernel", o->kernel, (int)-ksize);
	if (o->initrd) {
		isize = file_size(o->initrd);
		if (isize < 0)
			return fail("-initrd", o->initrd, (int)-isize);
	}
	if (o->disk) {
		long long d = file_size(o->disk);

		if (d < 0)
			return fail("-hda", o->disk, (int)-d);
		if (d % VIRTIO_BLK_SECTOR_SIZE || d == 0) {
			fprintf(stderr, "gunyah-vmm: -hda %s: %lld bytes is not a whole number of "
				"512-byte sectors\n", o->disk, d);
			return VMM_EXIT_ERROR;
		}
	}
	fd = open(o->kernel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("-kernel", o->kernel, errno);
	r = read(fd, hdr, sizeof(hdr));
	close(fd);
	if (arm64_image_parse(hdr, r < 0 ? 0 : (size_t)r, h, &why)) {
		fprintf(stderr, "gunyah-vmm: -kernel %s: %s\n", o->kernel, why);
		return VMM_EXIT_ERROR;
	}
	if (guest_layout_place(&m->layout, VIRT_RAM_BASE, o->ram_size, h, (uint64_t)ksize,
			       (uint64_t)isize, &why)) {
		fprintf(stderr, "gunyah-vmm: %s\n", why);
		return VMM_EXIT_USAGE;
	}
	vmm_board_init(&m->board, o);
	return 0;
}

static int gh_fail(const char *what, int err)
{
	fprintf(stderr, "gunyah-vmm: %s: %s\n", what, strerror(-err));
	if (err == -E2BIG && strstr(what, "MEM"))
		fprintf(stderr, "gunyah-vmm: the VM manager takes a bounded number of physically "
			"contiguous runs per region: enable transparent huge pages "
			"(/sys/kernel/mm/transparent_hugepage/enabled: madvise or always) or use "
			"less -m\n");
	return VMM_EXIT_ERROR;
}

/*
 * The vCPUs are proxy-scheduled: none has run before our first GH_VCPU_RUN,
 * so the device nodes can still follow the VIRQs the RM bound (devicetree.h).
 */
static void follow_doorbells(struct machine *m)
{
	uint8_t *dtb = guest_ptr(&m->mem, m->layout.dtb_gpa, m->layout.dtb_room);
	const char *why = NULL;
	unsigned int i;
	int r;

	r = vmm_follow_doorbells(dtb, m->layout.dtb_room, &m->board, &why);
	if (r < 0) {
		fprintf(stderr, "gunyah-vmm: warning: %s; device interrupts stay at their SPIs\n",
			why);
	} else if (r > 0) {
		struct fdt_bell bells[FDT_MAX_BELLS];
		int n = fdt_read_bells(dtb, m->layout.dtb_room, bells, FDT_MAX_BELLS), j;

		for (i = 0; i < m->board.nr_spis; i++)
			for (j = 0; j < n; j++)
				if (bells[j].label == m->board.spis[i] &&
				    bells[j].irq[1] != m->board.spis[i])
					fprintf(stderr, "gunyah-vmm: the RM bound doorbell %u to SPI "
						"%u, not SPI %u: %s follows it\n",
						m->board.spis[i], bells[j].irq[1],
						m->board.spis[i], m->board.node[i]);
	}
}

/* Memory, DTB, irqfds, ioeventfd, vCPUs, start: 0 or an exit code. */
static int create_vm(struct machine *m)
{
	struct vmm_options *o = &m->opts;
	unsigned int i;
	int r;

	m->dev_fd = gh_open_device();
	if (m->dev_fd < 0) {
		fprintf(stderr, "gunyah-vmm: %s: %s (%s)\n", GUNYAH_DEVICE, strerror(-m->dev_fd),
			m->dev_fd == -ENOENT ?
			"no Gunyah VM manager here: run in a Gunyah primary VM with 'modprobe gunyah'" :
			"the Gunyah VM manager refused");
		return VMM_EXIT_ERROR;
	}
	m->vm_fd = gh_create_vm(m->dev_fd);
	if (m->vm_fd < 0)
		return gh_fail("GH_CREATE_VM", m->vm_fd);
	r = gh_set_user_memory(m->vm_fd, o->mem_mode == VMM_MEM_LEND, 0,
			       GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC,
			       m->mem.gpa, m->mem.size, m->mem.host);
	if (r < 0)
		return gh_fail(o->mem_mode == VMM_MEM_LEND ? "GH_VM_ANDROID_LEND_USER_MEM" :
			       "GH_VM_SET_USER_MEM_REGION", r);
	r = gh_set_dtb_config(m->vm_fd, m->layout.dtb_gpa, m->layout.dtb_room);
	if (r < 0)
		return gh_fail("GH_VM_SET_DTB_CONFIG", r);
	if (o->affinity == VMM_VCPU_PROXY) {
		for (i = 0; i < m->board.nr_spis; i++) {
			char what[64];

			m->irq_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (m->irq_fd[i] < 0)
				return fail("eventfd", "for an irqfd", errno);
			r = gh_add_irqfd(m->vm_fd, m->irq_fd[i], m->board.spis[i],
					 m->board.level[i]);
			snprintf(what, sizeof(what), "GH_VM_ADD_FUNCTION(GH_FN_IRQFD, label %u)",
				 m->board.spis[i]);
			if (r < 0)
				return gh_fail(what, r);
		}
		if (m->board.has_disk) {
			m->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (m->notify_fd < 0)
				return fail("eventfd", "for an ioeventfd", errno);
			r = gh_add_ioeventfd(m->vm_fd, m->notify_fd,
					     VIRT_MMIO_BASE + VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0);
			if (r < 0) {
				fprintf(stderr, "gunyah-vmm: GH_VM_ADD_FUNCTION(GH_FN_IOEVENTFD): %s; "
					"queue notifications take the MMIO exit instead\n",
					strerror(-r));
				close(m->notify_fd);
				m->notify_fd = -1;
			}
		}
		r = vcpus_create(m);
		if (r < 0)
			return VMM_EXIT_ERROR;
	}
	r = gh_start(m->vm_fd);
	if (r < 0)
		return gh_fail("GH_VM_START", r);
	if (o->affinity == VMM_VCPU_PROXY && o->mem_mode == VMM_MEM_SHARE)
		follow_doorbells(m);
	return 0;
}

static void devices_init(struct machine *m)
{
	struct vmm_irq_line uart_irq = { machine_raise_irq, m, VIRT_UART_SPI };

	pl011_init(&m->uart, STDOUT_FILENO, uart_irq);
	pl011_mmio(&m->uart, &m->devices[m->nr_devices++], VIRT_UART_BASE);
}

static int disk_init(struct machine *m)
{
	struct vmm_irq_line disk_irq = { machine_raise_irq, m, VIRT_MMIO_SPI };
	struct virtio_backend be;
	int r;

	if (!m->board.has_disk)
		return 0;
	r = virtio_blk_open(&m->blk, m->opts.disk, &m->mem);
	if (r < 0)
		return fail("-hda", m->opts.disk, -r);
	virtio_blk_backend(&m->blk, &be);
	virtio_mmio_init(&m->disk, &be, &m->mem, disk_irq);
	virtio_mmio_device(&m->disk, &m->devices[m->nr_devices++], VIRT_MMIO_BASE,
			   VIRT_MMIO_SIZE);
	return 0;
}

static int report_end(struct machine *m)
{
	const char *status = m->status < 4 && vm_statuses[m->status] ? vm_statuses[m->status] :
			     "unknown";
	const char *what;
	int code;

	switch (m->end) {
	case MACHINE_GUEST_STATUS:
		what = m->exit_type < 8 ? exit_types[m->exit_type] : "an unknown exit type";
		code = m->status == GH_VM_STATUS_EXITED && m->exit_type <= 3 ? VMM_EXIT_OK :
		       VMM_EXIT_GUEST_FAILED;
		fprintf(stderr, "gunyah-vmm: the VM stopped: %s (status %u %s, exit type %u, "
			"reason 0x%llx)\n", what, m->status, status, m->exit_type,
			(unsigned long long)m->exit_reason);
		break;
	case MACHINE_USER_QUIT:
		fprintf(stderr, "gunyah-vmm: stopped by the user; the VM is torn down\n");
		code = VMM_EXIT_OK;
		break;
	default:
		fprintf(stderr, "gunyah-vmm: %s\n", m->error[0] ? m->error : "stopped on an error");
		code = VMM_EXIT_ERROR;
		break;
	}
	if (m->board.has_disk)
		fprintf(stderr, "gunyah-vmm: virtio-blk served %lu requests\n", m->disk.requests);
	fprintf(stderr, "gunyah-vmm: exit status %d\n", code);
	return code;
}

static void teardown(struct machine *m)
{
	unsigned int i;

	vcpus_destroy(m);
	/* Closing the VM fd stops it and reclaims its memory (the module's release). */
	if (m->vm_fd >= 0)
		close(m->vm_fd);
	if (m->dev_fd >= 0)
		close(m->dev_fd);
	for (i = 0; i < VMM_MAX_SPIS; i++)
		if (m->irq_fd[i] >= 0)
			close(m->irq_fd[i]);
	if (m->notify_fd >= 0)
		close(m->notify_fd);
	guest_ram_unmap(&m->mem);
}

int main(int argc, char **argv)
{
	struct machine *m = &machine;
	struct arm64_image_header h;
	struct sigaction sa;
	uint8_t *dtb;
	size_t dtb_size;
	unsigned int i;
	int help, r;

	memset(m, 0, sizeof(*m));
	m->dev_fd = m->vm_fd = m->notify_fd = m->stop_fd = -1;
	for (i = 0; i < VMM_MAX_SPIS; i++)
		m->irq_fd[i] = -1;
	for (i = 0; i < VMM_MAX_CPUS; i++)
		m->vcpus[i].fd = -1;
	pthread_mutex_init(&m->end_lock, NULL);

	r = vmm_parse_options(argc, argv, &m->opts, &help);
	if (r || help)
		return r;
	r = plan(m, &h);
	if (r)
		return r;
	dtb = vmm_build_devicetree(&m->opts, &m->layout, &m->board, &dtb_size);
	if (!dtb || dtb_size > m->layout.dtb_room / 2) {
		fprintf(stderr, "gunyah-vmm: could not write the devicetree\n");
		return VMM_EXIT_ERROR;
	}
	if (m->opts.dumpdtb) {
		r = write_file(m->opts.dumpdtb, dtb, dtb_size);
		if (r)
			return fail("dumpdtb", m->opts.dumpdtb, -r);
		return VMM_EXIT_OK;
	}

	m->mem.gpa = m->layout.ram_base;
	m->mem.size = m->layout.ram_size;
	r = guest_ram_map(&m->mem);
	if (r) {
		fprintf(stderr, "gunyah-vmm: mmap of %llu MiB guest RAM: %s\n",
			(unsigned long long)(m->mem.size >> 20), strerror(-r));
		return VMM_EXIT_ERROR;
	}
	r = load_file(m->opts.kernel, guest_ptr(&m->mem, m->layout.kernel_gpa,
						 m->layout.kernel_size), m->layout.kernel_size);
	if (r)
		return fail("loading -kernel", m->opts.kernel, -r);
	if (m->opts.initrd) {
		r = load_file(m->opts.initrd, guest_ptr(&m->mem, m->layout.initrd_gpa,
							 m->layout.initrd_size),
			      m->layout.initrd_size);
		if (r)
			return fail("loading -initrd", m->opts.initrd, -r);
	}
	memcpy(guest_ptr(&m->mem, m->layout.dtb_gpa, dtb_size), dtb, dtb_size);
	free(dtb);

	m->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (m->stop_fd < 0)
		return fail("eventfd", "for stopping", errno);
	devices_init(m);
	r = disk_init(m);
	if (r)
		return r;
	r = create_vm(m);
	if (r) {
		teardown(m);
		return r;
	}
	fprintf(stderr, "gunyah-vmm: VM started: %u vCPU%s (%s), %llu MiB at 0x%llx (%s), "
		"kernel 0x%llx, initrd 0x%llx+0x%llx, DTB 0x%llx%s%s\n",
		m->opts.cpus, m->opts.cpus == 1 ? "" : "s",
		m->opts.affinity == VMM_VCPU_PROXY ? "proxy" : "hypervisor-scheduled",
		(unsigned long long)(m->mem.size >> 20), (unsigned long long)m->mem.gpa,
		m->opts.mem_mode == VMM_MEM_LEND ? "lent" : "shared",
		(unsigned long long)m->layout.kernel_gpa, (unsigned long long)m->layout.initrd_gpa,
		(unsigned long long)m->layout.initrd_size, (unsigned long long)m->layout.dtb_gpa,
		m->board.has_disk ? ", disk " : "", m->board.has_disk ? m->opts.disk : "");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_terminate;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	console_raw();
	if (m->opts.affinity == VMM_VCPU_PROXY && vcpus_start(m) < 0)
		machine_end(m, MACHINE_ERROR);
	console_loop(m);
	vcpus_stop(m);
	console_restore();
	r = report_end(m);
	teardown(m);
	return r;
}
