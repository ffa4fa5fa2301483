/* SPDX-License-Identifier: GPL-2.0-only */
/* gunyah-vmm: what the command line asks for, and the guest's memory layout. */
#ifndef GUNYAH_VMM_VMM_H
#define GUNYAH_VMM_VMM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes (README "Exit status"). */
#define VMM_EXIT_OK		0	/* the guest powered off or reset, or Ctrl-A x */
#define VMM_EXIT_ERROR		1	/* a file, /dev/gunyah or an ioctl failed */
#define VMM_EXIT_USAGE		2	/* the command line is wrong */
#define VMM_EXIT_GUEST_FAILED	3	/* the guest crashed or failed to load */

enum vmm_mem_mode {
	VMM_MEM_SHARE,		/* GH_VM_SET_USER_MEM_REGION */
	VMM_MEM_LEND,		/* GH_VM_ANDROID_LEND_USER_MEM */
};

enum vmm_vcpu_affinity {
	VMM_VCPU_PROXY,		/* the VMM's threads run the vCPUs with GH_VCPU_RUN */
	VMM_VCPU_STATIC,	/* the hypervisor schedules them; no vCPU functions */
};

struct vmm_options {
	const char *kernel;
	const char *initrd;
	const char *append;
	const char *disk;		/* -hda */
	const char *dumpdtb;		/* -machine virt,dumpdtb=FILE */
	const char *cpu;		/* "cortex-a57" or "max" */
	uint64_t ram_size;
	unsigned int cpus;
	int highmem;
	enum vmm_mem_mode mem_mode;
	enum vmm_vcpu_affinity affinity;
};

/*
 * Parse argv; returns 0, or VMM_EXIT_USAGE after printing why to stderr;
 * *help is set when -help asked for the usage text (already printed).
 */
int vmm_parse_options(int argc, char **argv, struct vmm_options *o, int *help);

/* "256M", "1G", "512k", "256" (MiB, as QEMU's -m) → bytes; 0 on success, -1 if malformed. */
int vmm_parse_size(const char *s, uint64_t default_unit, uint64_t *out);

void vmm_usage(void);

#endif
