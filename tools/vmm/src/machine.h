/* SPDX-License-Identifier: GPL-2.0-only */
/* The running VM as gunyah-vmm holds it: fds, devices, vCPU threads, how it ended. */
#ifndef GUNYAH_VMM_MACHINE_H
#define GUNYAH_VMM_MACHINE_H

#include <pthread.h>
#include <stdint.h>

#include "devicetree.h"
#include "guest_memory.h"
#include "layout.h"
#include "mmio.h"
#include "pl011.h"
#include "virt.h"
#include "virtio_blk.h"
#include "virtio_mmio.h"
#include "vmm.h"

struct gh_vcpu_run;

struct vcpu {
	struct machine *m;
	unsigned int id;
	int fd;
	struct gh_vcpu_run *run;
	size_t run_size;
	pthread_t thread;
	int started;
	unsigned long mmio_exits;
};

enum machine_end {
	MACHINE_RUNNING,
	MACHINE_GUEST_STATUS,	/* a vCPU saw a STATUS exit: status/exit_type/reason below */
	MACHINE_USER_QUIT,	/* Ctrl-A x, SIGINT/SIGTERM when not raw */
	MACHINE_ERROR,		/* an ioctl failed while running */
};

struct machine {
	struct vmm_options opts;
	struct guest_layout layout;
	struct vmm_board board;
	struct guest_memory mem;
	int dev_fd, vm_fd;
	int irq_fd[VMM_MAX_SPIS];	/* eventfd per board SPI (irqfd), same order */
	int notify_fd;			/* ioeventfd of the disk's QueueNotify, or -1 */
	int stop_fd;			/* eventfd: the main thread should stop the VM */

	struct pl011 uart;
	struct virtio_blk blk;
	struct virtio_mmio disk;
	struct mmio_device devices[2];
	unsigned int nr_devices;

	struct vcpu vcpus[VMM_MAX_CPUS];

	pthread_mutex_t end_lock;
	enum machine_end end;
	uint32_t status, exit_type;
	uint64_t exit_reason;
	char error[160];
	int stopping;
};

/* Raise SPI `spi`: signal its irqfd (vmm_irq_fn for the devices). */
void machine_raise_irq(void *machine, unsigned int spi);
/* Record how the VM ended (first caller wins) and wake the main thread. */
void machine_end(struct machine *m, enum machine_end why);

/* vcpu.c */
int vcpus_create(struct machine *m);
int vcpus_start(struct machine *m);
void vcpus_stop(struct machine *m);
void vcpus_destroy(struct machine *m);

/* console.c: raw mode on a terminal stdin, restored at exit. */
void console_raw(void);
void console_restore(void);
/* Serve stdin → PL011, the disk's notify eventfd, until stop_fd fires. */
void console_loop(struct machine *m);

#endif
