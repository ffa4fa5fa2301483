// SPDX-License-Identifier: GPL-2.0-only
/*
 * One thread per vCPU looping GH_VCPU_RUN on its fd (gunyah-abi.md §7.1-7.2):
 * an MMIO exit goes to the device owning the address (the data of a read is
 * handed back in the run page for the next GH_VCPU_RUN), a STATUS exit ends
 * the VM. The main thread stops the others with immediate_exit + a signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gunyah.h"
#include "machine.h"

#define VCPU_KICK_SIGNAL	SIGUSR1
/* Unclaimed MMIO accesses reported, per vCPU, before going quiet. */
#define UNCLAIMED_REPORTS	8

static void kick_handler(int sig)
{
	(void)sig;	/* only interrupts GH_VCPU_RUN (-EINTR) */
}

int vcpus_create(struct machine *m)
{
	unsigned int i;
	int r;

	for (i = 0; i < m->opts.cpus; i++) {
		struct vcpu *v = &m->vcpus[i];

		v->m = m;
		v->id = i;
		v->fd = gh_add_vcpu(m->vm_fd, i);
		if (v->fd < 0) {
			fprintf(stderr, "gunyah-vmm: GH_VM_ADD_FUNCTION(GH_FN_VCPU, id %u): %s%s\n", i,
				strerror(-v->fd), v->fd == -ENOTTY || v->fd == -EINVAL ?
				" (the VM manager module has no vCPU functions?)" : "");
			return v->fd;
		}
		r = gh_vcpu_mmap_size(v->fd);
		if (r < (int)sizeof(struct gh_vcpu_run)) {
			fprintf(stderr, "gunyah-vmm: GH_VCPU_MMAP_SIZE on vCPU %u: %s\n", i,
				r < 0 ? strerror(-r) : "smaller than struct gh_vcpu_run");
			return r < 0 ? r : -EINVAL;
		}
		v->run_size = (size_t)r;
		v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			r = -errno;
			v->run = NULL;
			fprintf(stderr, "gunyah-vmm: mmap of vCPU %u's run page: %s\n", i,
				strerror(-r));
			return r;
		}
	}
	return 0;
}

static struct mmio_device *find_device(struct machine *m, uint64_t addr, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < m->nr_devices; i++) {
		struct mmio_device *d = &m->devices[i];

		if (addr >= d->base && addr - d->base + len <= d->size)
			return d;
	}
	return NULL;
}

static void handle_mmio(struct vcpu *v)
{
	struct gh_vcpu_run *run = v->run;
	uint64_t addr = run->mmio.phys_addr, val = 0;
	unsigned int len = run->mmio.len;
	struct mmio_device *d;

	v->mmio_exits++;
	if (len != 1 && len != 2 && len != 4 && len != 8) {
		fprintf(stderr, "gunyah-vmm: vCPU %u: MMIO access of %u bytes at 0x%llx ignored\r\n",
			v->id, len, (unsigned long long)addr);
		return;
	}
	d = find_device(v->m, addr, len);
	if (run->mmio.is_write) {
		memcpy(&val, run->mmio.data, len);
		if (d)
			d->write(d->dev, addr - d->base, len, val);
	} else {
		if (d)
			val = d->read(d->dev, addr - d->base, len);
		memcpy(run->mmio.data, &val, len);
	}
	if (!d && v->mmio_exits <= UNCLAIMED_REPORTS)
		fprintf(stderr, "gunyah-vmm: vCPU %u: %s of %u bytes at 0x%llx: no device there "
			"(reads as 0)\r\n", v->id, run->mmio.is_write ? "write" : "read", len,
			(unsigned long long)addr);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct machine *m = v->m;

	while (!__atomic_load_n(&m->stopping, __ATOMIC_ACQUIRE)) {
		if (ioctl(v->fd, GH_VCPU_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				continue;
			}
			pthread_mutex_lock(&m->end_lock);
			if (m->end == MACHINE_RUNNING)
				snprintf(m->error, sizeof(m->error), "GH_VCPU_RUN on vCPU %u: %s",
					 v->id, strerror(errno));
			pthread_mutex_unlock(&m->end_lock);
			machine_end(m, MACHINE_ERROR);
			break;
		}
		switch (v->run->exit_reason) {
		case GH_VCPU_EXIT_MMIO:
			handle_mmio(v);
			break;
		case GH_VCPU_EXIT_STATUS: {
			uint64_t reason = 0;
			uint32_t n = v->run->status.exit_info.reason_size;

			if (n > sizeof(reason))
				n = sizeof(reason);
			memcpy(&reason, v->run->status.exit_info.reason, n);
			pthread_mutex_lock(&m->end_lock);
			if (m->end == MACHINE_RUNNING) {
				m->status = v->run->status.status;
				m->exit_type = v->run->status.exit_info.type;
				m->exit_reason = reason;
			}
			pthread_mutex_unlock(&m->end_lock);
			machine_end(m, MACHINE_GUEST_STATUS);
			return NULL;
		}
		default:
			pthread_mutex_lock(&m->end_lock);
			if (m->end == MACHINE_RUNNING)
				snprintf(m->error, sizeof(m->error),
					 "vCPU %u: unknown exit reason %u", v->id,
					 v->run->exit_reason);
			pthread_mutex_unlock(&m->end_lock);
			machine_end(m, MACHINE_ERROR);
			return NULL;
		}
	}
	return NULL;
}

int vcpus_start(struct machine *m)
{
	struct sigaction sa;
	unsigned int i;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;	/* no SA_RESTART: GH_VCPU_RUN returns -EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
	for (i = 0; i < m->opts.cpus; i++) {
		r = pthread_create(&m->vcpus[i].thread, NULL, vcpu_thread, &m->vcpus[i]);
		if (r) {
			fprintf(stderr, "gunyah-vmm: starting vCPU thread %u: %s\n", i, strerror(r));
			return -r;
		}
		m->vcpus[i].started = 1;
	}
	return 0;
}

void vcpus_stop(struct machine *m)
{
	unsigned int i;

	__atomic_store_n(&m->stopping, 1, __ATOMIC_RELEASE);
	for (i = 0; i < m->opts.cpus; i++) {
		struct vcpu *v = &m->vcpus[i];

		if (!v->started)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELEASE);
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
	for (i = 0; i < m->opts.cpus; i++) {
		if (m->vcpus[i].started) {
			pthread_join(m->vcpus[i].thread, NULL);
			m->vcpus[i].started = 0;
		}
	}
}

void vcpus_destroy(struct machine *m)
{
	unsigned int i;

	for (i = 0; i < VMM_MAX_CPUS; i++) {
		struct vcpu *v = &m->vcpus[i];

		if (v->run)
			munmap(v->run, v->run_size);
		if (v->fd > 0)
			close(v->fd);
		v->run = NULL;
		v->fd = -1;
	}
}
