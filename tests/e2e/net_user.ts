/**
 * Guest-side shell for the user-mode networking end-to-end test and the
 * `net` benchmark row (the same lines run under gunyah-ts and under QEMU's
 * `-nic user`): bring up eth0 with busybox udhcpc, fetch a page from the
 * host's loopback through the gateway (10.0.2.2), serve one connection on a
 * forwarded port with busybox nc, and send N MiB to a host sink.
 *
 * Each step prints a `gunyah-e2e:` line the host side waits for or asserts on,
 * written as `echo "gunyah-e2e:" word` so the console's echo of the command
 * line cannot match it.
 *
 * @module
 */
import { E2E } from "./linux_init.ts";

/** The guest port the host-to-guest forward reaches (busybox `nc -l`). */
export const NET_E2E_GUEST_PORT = 8022;
/** Printed by the guest once its forwarded-port listener runs. */
export const NET_E2E_FWD_READY = `${E2E} fwd-ready`;
/** Printed before the bulk transfer starts (the benchmark times from here). */
export const NET_E2E_SEND_BEGIN = `${E2E} send-begin`;
/** Printed once the bulk transfer's nc exited. */
export const NET_E2E_SEND_DONE = `${E2E} send-done`;
/** What the guest's forwarded-port server says to the host client. */
export const NET_E2E_GUEST_GREETING = "hello-from-guest";

/**
 * The udhcpc event script: configure eth0 with the lease (address, mask,
 * default route) and report it. Written by the guest as /udhcpc.sh.
 */
const UDHCPC_SCRIPT = [
  "#!/bin/sh",
  '[ "$1" = bound ] || [ "$1" = renew ] || exit 0',
  "ifconfig $interface $ip netmask $subnet up",
  "route add default gw $router",
  `echo "${E2E}" "lease=$ip router=$router dns=$dns"`,
].join("\\n");

/** Load virtio-net, bring eth0 up and take a DHCP lease. */
export function netUpCommand(): string {
  return [
    "modprobe virtio_mmio",
    "modprobe virtio_net",
    "ifconfig lo up",
    "ifconfig eth0 up",
    `printf '${UDHCPC_SCRIPT}\\n' > /udhcpc.sh`,
    "chmod +x /udhcpc.sh",
    "udhcpc -i eth0 -s /udhcpc.sh -q -f -n -t 10 -T 2",
  ].join("; ");
}

/** Fetch `http://10.0.2.2:<port>/` and print it on one `page=` line. */
export function fetchPageCommand(httpPort: number): string {
  return `echo "${E2E}" "page=$(wget -q -O - http://10.0.2.2:${httpPort}/)"`;
}

/**
 * Serve one connection on {@link NET_E2E_GUEST_PORT}: greet, print what the
 * client sent on a `fwd-got=` line.
 */
export function forwardedServerCommand(): string {
  return `(echo ${NET_E2E_GUEST_GREETING} | nc -l -p ${NET_E2E_GUEST_PORT} > /tmp/fwd; ` +
    `echo "${E2E}" "fwd-got=$(cat /tmp/fwd)") & sleep 1; echo "${E2E}" fwd-ready; wait`;
}

/**
 * Make `mib` MiB of random bytes, print their SHA-256 on a `sha=` line, and
 * send them to the host sink at 10.0.2.2:`port` with busybox nc.
 */
export function sendBulkCommand(sinkPort: number, mib: number): string {
  return [
    `dd if=/dev/urandom of=/tmp/bulk bs=1048576 count=${mib} 2>/dev/null`,
    `echo "${E2E}" "sha=$(sha256sum /tmp/bulk | cut -d' ' -f1)"`,
    `echo "${E2E}" send-begin`,
    `nc 10.0.2.2 ${sinkPort} < /tmp/bulk`,
    `echo "${E2E}" send-done`,
  ].join("; ");
}

/** The value of the guest's `<E2E> key=value` line in `console`, or null. */
export function e2eValue(console: string, key: string): string | null {
  const prefix = `${E2E} ${key}=`;
  for (const line of console.split("\n")) {
    const l = line.trim();
    if (l.startsWith(prefix)) return l.slice(prefix.length);
  }
  return null;
}
