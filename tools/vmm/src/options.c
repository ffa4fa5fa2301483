// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyah-vmm's command line, in QEMU's habits (qemu-options.hx): options
 * with one or two dashes, "-m 256M" (MiB without a suffix), "-smp 2" or
 * "-smp cpus=2", "-machine virt,highmem=off", "-accel gunyah".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virt.h"
#include "vmm.h"

#define MIB			(1ULL << 20)
/* Smallest RAM that holds a kernel, an initrd and a DTB sensibly. */
#define VMM_MIN_RAM		(16 * MIB)
/* The secondary's RAM ends below 4 GiB (virt RAM at 1 GiB, -machine highmem=off). */
#define VMM_MAX_RAM		(3072 * MIB)

void vmm_usage(void)
{
	printf("usage: gunyah-vmm -kernel Image [options]\n"
	       "Boots a Linux VM through the Gunyah VM manager (/dev/gunyah), like\n"
	       "qemu-system-aarch64 --accel gunyah -machine virt.\n"
	       "\n"
	       "  -kernel FILE        arm64 Linux Image (uncompressed), placed at the start of RAM\n"
	       "  -initrd FILE        initial ramdisk\n"
	       "  -append \"ARGS\"      kernel command line (/chosen/bootargs)\n"
	       "  -m SIZE             guest RAM, e.g. 256M or 1G (MiB without a suffix; default 128M)\n"
	       "  -smp N | cpus=N     vCPUs, 1..%d (default 1)\n"
	       "  -hda FILE           raw disk image as a virtio-mmio block device (/dev/vda)\n"
	       "  -nographic          console on this terminal (the only mode there is)\n"
	       "  -machine virt[,highmem=on|off][,gic-version=3][,dumpdtb=FILE]\n"
	       "                      the board (QEMU virt layout); dumpdtb writes the devicetree\n"
	       "                      to FILE and exits without starting a VM\n"
	       "  -cpu cortex-a57|max the CPU named in the devicetree\n"
	       "  -accel gunyah[,memory=share|lend][,vcpus=proxy|static]\n"
	       "                      memory=lend gives RAM with GH_VM_ANDROID_LEND_USER_MEM (the\n"
	       "                      primary loses access; no -hda then); vcpus=static lets the\n"
	       "                      hypervisor schedule the vCPUs (no console input, no disk)\n"
	       "  -help               this text\n"
	       "\n"
	       "Console: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A.\n"
	       "Exit status: 0 the guest powered off or reset (or Ctrl-A x), 1 a file, /dev/gunyah\n"
	       "or an ioctl failed, 2 a bad command line, 3 the guest crashed or failed to load.\n",
	       VMM_MAX_CPUS);
}

int vmm_parse_size(const char *s, uint64_t default_unit, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t unit = default_unit;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		unit = 1ULL << 10;
		end++;
		break;
	case 'm': case 'M':
		unit = 1ULL << 20;
		end++;
		break;
	case 'g': case 'G':
		unit = 1ULL << 30;
		end++;
		break;
	case 'b': case 'B':
		unit = 1;
		end++;
		break;
	default:
		return -1;
	}
	if (*end == 'i' || *end == 'B')	/* "256MiB", "256MB" */
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end)
		return -1;
	if (v > UINT64_MAX / unit)
		return -1;
	*out = v * unit;
	return 0;
}

static int usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "gunyah-vmm: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\ngunyah-vmm: try 'gunyah-vmm -help'\n");
	return VMM_EXIT_USAGE;
}

/* "key=value" items after the first comma-separated word; calls back per item. */
static int parse_smp(const char *v, unsigned int *cpus)
{
	const char *p = v;
	char *end;
	unsigned long n;

	if (!strncmp(p, "cpus=", 5))
		p += 5;
	n = strtoul(p, &end, 10);
	if (end == p || (*end && *end != ','))
		return usage_error("-smp '%s': want a vCPU count, e.g. -smp 2 or -smp cpus=2%s", v,
				   "");
	if (*end) {
		/* QEMU topology keys are accepted when they agree with the count. */
		const char *k = end + 1;

		if (strncmp(k, "maxcpus=", 8) && strncmp(k, "cores=", 6) &&
		    strncmp(k, "sockets=", 8) && strncmp(k, "threads=", 8))
			return usage_error("-smp '%s': unknown item '%s'", v, k);
	}
	if (n < 1 || n > VMM_MAX_CPUS) {
		char max[16];

		snprintf(max, sizeof(max), "%d", VMM_MAX_CPUS);
		return usage_error("-smp '%s': the count must be 1..%s", v, max);
	}
	*cpus = (unsigned int)n;
	return 0;
}

static int parse_machine(const char *v, struct vmm_options *o)
{
	char buf[512], *item, *save;

	if (strlen(v) >= sizeof(buf))
		return usage_error("-machine '%s': too long%s", v, "");
	strcpy(buf, v);
	item = strtok_r(buf, ",", &save);
	if (!item || (strcmp(item, "virt") && strncmp(item, "type=virt", 9)))
		return usage_error("-machine '%s': the only board is 'virt'%s", v, "");
	while ((item = strtok_r(NULL, ",", &save))) {
		if (!strcmp(item, "highmem=off") || !strcmp(item, "highmem=no")) {
			o->highmem = 0;
		} else if (!strcmp(item, "highmem=on") || !strcmp(item, "highmem=yes")) {
			o->highmem = 1;
		} else if (!strcmp(item, "gic-version=3")) {
			/* the only GIC Gunyah virtualises */
		} else if (!strncmp(item, "gic-version=", 12)) {
			return usage_error("-machine '%s': Gunyah's vGIC is GICv3 only (%s)", v, item);
		} else if (!strncmp(item, "dumpdtb=", 8) && item[8]) {
			o->dumpdtb = strdup(item + 8);
		} else {
			return usage_error("-machine '%s': unknown property '%s'", v, item);
		}
	}
	return 0;
}

static int parse_accel(const char *v, struct vmm_options *o)
{
	char buf[256], *item, *save;

	if (strlen(v) >= sizeof(buf))
		return usage_error("-accel '%s': too long%s", v, "");
	strcpy(buf, v);
	item = strtok_r(buf, ",", &save);
	if (!item || strcmp(item, "gunyah"))
		return usage_error("-accel '%s': the only accelerator is 'gunyah'%s", v, "");
	while ((item = strtok_r(NULL, ",", &save))) {
		if (!strcmp(item, "memory=share"))
			o->mem_mode = VMM_MEM_SHARE;
		else if (!strcmp(item, "memory=lend"))
			o->mem_mode = VMM_MEM_LEND;
		else if (!strcmp(item, "vcpus=proxy"))
			o->affinity = VMM_VCPU_PROXY;
		else if (!strcmp(item, "vcpus=static"))
			o->affinity = VMM_VCPU_STATIC;
		else
			return usage_error("-accel '%s': unknown property '%s'", v, item);
	}
	return 0;
}

int vmm_parse_options(int argc, char **argv, struct vmm_options *o, int *help)
{
	int i, r;

	memset(o, 0, sizeof(*o));
	o->ram_size = 128 * MIB;
	o->cpus = 1;
	o->highmem = 1;
	o->cpu = "cortex-a57";
	*help = 0;
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i], *val;

		if (opt[0] != '-')
			return usage_error("'%s' is not an option (options start with '-')%s", opt,
					   "");
		if (opt[1] == '-')
			opt++;	/* --accel == -accel */
		if (!strcmp(opt, "-help") || !strcmp(opt, "-h")) {
			vmm_usage();
			*help = 1;
			return 0;
		}
		if (!strcmp(opt, "-nographic"))
			continue;
		if (!strcmp(opt, "-kernel") || !strcmp(opt, "-initrd") || !strcmp(opt, "-append") ||
		    !strcmp(opt, "-m") || !strcmp(opt, "-smp") || !strcmp(opt, "-hda") ||
		    !strcmp(opt, "-machine") || !strcmp(opt, "-M") || !strcmp(opt, "-cpu") ||
		    !strcmp(opt, "-accel")) {
			if (i + 1 >= argc)
				return usage_error("%s needs a value%s", argv[i], "");
			val = argv[++i];
		} else {
			return usage_error("unknown option '%s'%s", argv[i], "");
		}
		if (!strcmp(opt, "-kernel")) {
			o->kernel = val;
		} else if (!strcmp(opt, "-initrd")) {
			o->initrd = val;
		} else if (!strcmp(opt, "-append")) {
			o->append = val;
		} else if (!strcmp(opt, "-hda")) {
			o->disk = val;
		} else if (!strcmp(opt, "-m")) {
			const char *s = strncmp(val, "size=", 5) ? val : val + 5;

			if (vmm_parse_size(s, MIB, &o->ram_size))
				return usage_error("-m '%s': not a size (e.g. 256M, 1G, or MiB as a "
						   "number)%s", val, "");
			if (o->ram_size < VMM_MIN_RAM || o->ram_size > VMM_MAX_RAM ||
			    o->ram_size % (2 * MIB))
				return usage_error("-m '%s': RAM must be a multiple of 2 MiB from "
						   "16M to 3G%s", val, "");
		} else if (!strcmp(opt, "-smp")) {
			r = parse_smp(val, &o->cpus);
			if (r)
				return r;
		} else if (!strcmp(opt, "-machine") || !strcmp(opt, "-M")) {
			r = parse_machine(val, o);
			if (r)
				return r;
		} else if (!strcmp(opt, "-cpu")) {
			if (strcmp(val, "cortex-a57") && strcmp(val, "max") && strcmp(val, "host"))
				return usage_error("-cpu '%s': choose cortex-a57, max or host%s", val,
						   "");
			o->cpu = val;
		} else if (!strcmp(opt, "-accel")) {
			r = parse_accel(val, o);
			if (r)
				return r;
		}
	}
	if (!o->kernel)
		return usage_error("no -kernel given%s%s", "", "");
	if (o->mem_mode == VMM_MEM_LEND && o->disk)
		return usage_error("-hda needs shared memory: the VMM must reach the guest's "
				   "virtqueues, and -accel gunyah,memory=lend takes that away%s%s",
				   "", "");
	if (o->affinity == VMM_VCPU_STATIC && o->disk)
		return usage_error("-hda needs vcpus=proxy: with vcpus=static no MMIO exit reaches "
				   "the VMM%s%s", "", "");
	return 0;
}
