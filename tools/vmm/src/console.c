// SPDX-License-Identifier: GPL-2.0-only
/*
 * The terminal side of the PL011: stdin in raw mode (as QEMU -nographic),
 * bytes to the UART's RX FIFO as it has room, Ctrl-A x to quit. The same
 * poll loop serves the disk's queue-notify ioeventfd and the stop eventfd.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "machine.h"

#define CTRL_A		0x01
/* While the guest has not drained its RX FIFO, look again this often. */
#define RX_RETRY_MS	10

static struct termios saved;
static int raw_active;

void console_restore(void)
{
	if (raw_active) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		raw_active = 0;
	}
}

void console_raw(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return;
	t = saved;
	/* cfmakeraw(), kept explicit: no echo, no line editing, no signals, 8 bits. */
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag &= ~OPOST;
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
		raw_active = 1;
		atexit(console_restore);
	}
}

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

/* Bytes typed: escapes handled; returns 1 when the user asked to quit. */
static int typed(struct machine *m, const uint8_t *in, size_t n, uint8_t *out, size_t *out_n,
		 int *escape)
{
	size_t i;

	*out_n = 0;
	for (i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (*escape) {
			*escape = 0;
			if (c == 'x' || c == 'X')
				return 1;
			if (c == 'h' || c == 'H') {
				fprintf(stderr, "\r\nC-a x  quit gunyah-vmm\r\nC-a C-a  send C-a\r\n");
				continue;
			}
			if (c != CTRL_A)
				out[(*out_n)++] = CTRL_A;
			out[(*out_n)++] = c;
			continue;
		}
		if (c == CTRL_A && m->uart.out_fd >= 0) {
			*escape = 1;
			continue;
		}
		out[(*out_n)++] = c;
	}
	return 0;
}

void console_loop(struct machine *m)
{
	uint8_t pending[2 * PL011_FIFO_DEPTH];
	size_t pending_n = 0, pending_off = 0;
	int escape = 0, stdin_open = 1;

	for (;;) {
		struct pollfd p[3];
		int n = 0, i_stdin = -1, i_notify = -1, timeout = -1;

		p[n].fd = m->stop_fd;
		p[n++].events = POLLIN;
		if (m->notify_fd >= 0) {
			i_notify = n;
			p[n].fd = m->notify_fd;
			p[n++].events = POLLIN;
		}
		if (pending_off < pending_n) {
			pending_off += pl011_receive(&m->uart, pending + pending_off,
						     (unsigned int)(pending_n - pending_off));
			if (pending_off < pending_n)
				timeout = RX_RETRY_MS;
		}
		if (pending_off >= pending_n && stdin_open) {
			i_stdin = n;
			p[n].fd = STDIN_FILENO;
			p[n++].events = POLLIN;
		}
		if (poll(p, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents)
			return;
		if (i_notify >= 0 && (p[i_notify].revents & POLLIN)) {
			drain(m->notify_fd);
			virtio_mmio_notify(&m->disk, 0);
		}
		if (i_stdin >= 0 && (p[i_stdin].revents & (POLLIN | POLLHUP | POLLERR))) {
			uint8_t in[PL011_FIFO_DEPTH];
			ssize_t r = read(STDIN_FILENO, in, sizeof(in));

			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				stdin_open = 0;	/* EOF: the guest keeps running */
				continue;
			}
			if (typed(m, in, (size_t)r, pending, &pending_n, &escape)) {
				machine_end(m, MACHINE_USER_QUIT);
				return;
			}
			pending_off = 0;
			if (m->opts.affinity != VMM_VCPU_PROXY)
				pending_n = 0;	/* vcpus=static: stdin only for Ctrl-A x */
		}
	}
}
