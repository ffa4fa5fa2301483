/**
 * Guest-side shell for the `net` benchmark row and the user-mode networking
 * end-to-end test (plugins/host/e2e/linux_user_net_test.ts) (the same lines run under gunyah-ts and under QEMU's
 * `-nic user`): bring up eth0 with busybox udhcpc, fetch a page from the
 * host's loopback through the gateway (10.0.2.2), serve one connection on a
 * forwarded port with busybox nc, and send N MiB to a host sink.
 *
 * Each step prints a `gunyah-net:` line the host side waits for or asserts on,
 * written as `echo "gunyah-net:" word` so the console's echo of the command
 * line cannot match it.
 *
 * @module
 */
import { INIT_PROLOGUE, INSTALL_UDHCPC_SCRIPT } from "@gunyah-ts/system";

/** Prefix of the lines the guest prints for the host side. */
export const NET_MARK = "gunyah-net:";

/**
 * Kernel command line of the net row on both sides: the kernel's crypto
 * self-tests off (two thirds of a boot otherwise; the row times the transfer).
 */
export const NET_BOOTARGS = "console=ttyAMA0 cryptomgr.notests";

/** The guest's /init: announce readiness, run the one command line typed, power off. */
export const NET_INIT = `${INIT_PROLOGUE}${INSTALL_UDHCPC_SCRIPT}echo "${NET_MARK} ready"
read -r line
eval "$line"
poweroff -f
`;

/** The guest port the host-to-guest forward reaches (busybox `nc -l`). */
export const NET_GUEST_PORT = 8022;
/** Printed by the guest once its forwarded-port listener runs. */
export const NET_FWD_READY = `${NET_MARK} fwd-ready`;
/** Printed before the bulk transfer starts (the benchmark times from here). */
export const NET_SEND_BEGIN = `${NET_MARK} send-begin`;
/** Printed once the bulk transfer's nc exited. */
export const NET_SEND_DONE = `${NET_MARK} send-done`;
/** What the guest's forwarded-port server says to the host client. */
export const NET_GUEST_GREETING = "hello-from-guest";

/** Load virtio-net, bring eth0 up, take a DHCP lease and report what it configured. */
export function netUpCommand(): string {
  return [
    "modprobe virtio_mmio",
    "modprobe virtio_net",
    "ifconfig lo up",
    "ifconfig eth0 up",
    // The initramfs's default udhcpc script (the one `deno task boot --nic user` guests use)
    // configures the lease; what it configured is reported from the interface, the routing
    // table and resolv.conf.
    "udhcpc -i eth0 -q -f -n -t 10 -T 2",
    `echo "${NET_MARK}" "lease=$(ip -4 -o addr show eth0 | sed -n 's/.*inet \\([0-9.]*\\).*/\\1/p')` +
    ` router=$(ip route | sed -n 's/^default via \\([0-9.]*\\).*/\\1/p')` +
    ` dns=$(sed -n 's/^nameserver //p' /etc/resolv.conf)"`,
  ].join("; ");
}

/** Fetch `http://10.0.2.2:<port>/` and print it on one `page=` line. */
export function fetchPageCommand(httpPort: number): string {
  return `echo "${NET_MARK}" "page=$(wget -q -O - http://10.0.2.2:${httpPort}/)"`;
}

/**
 * Serve one connection on {@link NET_GUEST_PORT}: greet, print what the
 * client sent on a `fwd-got=` line.
 */
export function forwardedServerCommand(): string {
  return `(echo ${NET_GUEST_GREETING} | nc -l -p ${NET_GUEST_PORT} > /tmp/fwd; ` +
    `echo "${NET_MARK}" "fwd-got=$(cat /tmp/fwd)") & sleep 1; echo "${NET_MARK}" fwd-ready; wait`;
}

/**
 * Make `mib` MiB of random bytes, print their SHA-256 on a `sha=` line, and
 * send them to the host sink at 10.0.2.2:`port` with busybox nc.
 */
export function sendBulkCommand(sinkPort: number, mib: number): string {
  return [
    `dd if=/dev/urandom of=/tmp/bulk bs=1048576 count=${mib} 2>/dev/null`,
    `echo "${NET_MARK}" "sha=$(sha256sum /tmp/bulk | cut -d' ' -f1)"`,
    `echo "${NET_MARK}" send-begin`,
    `nc 10.0.2.2 ${sinkPort} < /tmp/bulk`,
    `echo "${NET_MARK}" send-done`,
  ].join("; ");
}

/** The value of the guest's `gunyah-net: key=value` line in `console`, or null. */
export function netValue(console: string, key: string): string | null {
  const prefix = `${NET_MARK} ${key}=`;
  for (const line of console.split("\n")) {
    const l = line.trim();
    if (l.startsWith(prefix)) return l.slice(prefix.length);
  }
  return null;
}
