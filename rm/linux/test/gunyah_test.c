// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyah-test: opens /dev/gunyah, creates a VM (GH_CREATE_VM), prints the
 * VM fd, and the errno of requests the driver must refuse. Built static
 * for the primary VM's initramfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../include/uapi/linux/gunyah.h"

static void report(const char *what, long ret)
{
	if (ret < 0)
		printf("gunyah-test: %s -> errno %d (%s)\n", what, errno, strerror(errno));
	else
		printf("gunyah-test: %s -> %ld\n", what, ret);
}

int main(int argc, char **argv)
{
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
