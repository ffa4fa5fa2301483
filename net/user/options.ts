/**
 * The user-mode gateway's addressing and port forwards, with QEMU's `-nic
 * user` defaults: network 10.0.2.0/24, gateway (and the host's loopback, as
 * the guest sees it) at .2, DNS at .3, DHCP leases from .15. Port forwards
 * use QEMU's `hostfwd=tcp:HOSTADDR:HOSTPORT-GUESTADDR:GUESTPORT` text, bound
 * on loopback only.
 *
 * @module
 */
import { formatIpv4, IPV4_LOOPBACK, isLoopbackIpv4, parseIpv4 } from "./wire.ts";

/** QEMU's default user-mode network. */
export const USER_NET_DEFAULT_SUBNET = "10.0.2.0/24";
/** Host number of the gateway in the subnet (QEMU: 10.0.2.2). */
export const USER_NET_GATEWAY_HOST = 2;
/** Host number of the DNS forwarder (QEMU: 10.0.2.3). */
export const USER_NET_DNS_HOST = 3;
/** Host number of the first DHCP lease (QEMU: 10.0.2.15). */
export const USER_NET_DHCP_FIRST_HOST = 15;
/** Leases in the DHCP pool (QEMU's slirp: 16). */
export const USER_NET_DHCP_POOL = 16;

/** One host-to-guest port forward. */
export interface HostForward {
  readonly protocol: "tcp";
  /** Loopback address the host listens on (unsigned 32-bit). */
  readonly hostAddress: number;
  /** Host port (0: any free port, see the gateway's `forwardedPorts`). */
  readonly hostPort: number;
  /** Guest address (unsigned 32-bit); the first DHCP lease unless given. */
  readonly guestAddress: number;
  readonly guestPort: number;
}

/** The user-mode gateway's configuration as a person writes it. */
export interface UserNetOptions {
  /** IPv4 network in CIDR form, prefix 8 to 24 (default 10.0.2.0/24). */
  readonly subnet?: string;
  /** Port forwards in QEMU's text form, e.g. `tcp:127.0.0.1:2222-:22`. */
  readonly hostfwd?: readonly string[];
  /**
   * The DNS server queries to 10.0.2.3 go to, as `address:port`; the first
   * `nameserver` of /etc/resolv.conf when absent; "none" answers SERVFAIL.
   */
  readonly dnsServer?: string;
}

/** The addresses of a user-mode network, resolved from {@link UserNetOptions}. */
export interface UserNetAddressing {
  readonly network: number;
  readonly prefix: number;
  readonly mask: number;
  readonly gateway: number;
  readonly dns: number;
  readonly dhcpFirst: number;
  readonly dhcpCount: number;
}

/** Resolve `subnet` (CIDR text); throws a RangeError naming the text. */
export function userNetAddressing(subnet = USER_NET_DEFAULT_SUBNET): UserNetAddressing {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(subnet);
  const base = m ? parseIpv4(m[1]) : null;
  const prefix = m ? Number(m[2]) : NaN;
  if (base === null || !(prefix >= 8 && prefix <= 24)) {
    throw new RangeError(
      `'${subnet}' is not a user-mode subnet (IPv4 CIDR with a prefix from 8 to 24, e.g. 10.0.2.0/24)`,
    );
  }
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  if ((base & ~mask) >>> 0 !== 0) {
    throw new RangeError(
      `'${subnet}' has host bits set (the network is ${formatIpv4((base & mask) >>> 0)}/${prefix})`,
    );
  }
  return {
    network: base,
    prefix,
    mask,
    gateway: base + USER_NET_GATEWAY_HOST,
    dns: base + USER_NET_DNS_HOST,
    dhcpFirst: base + USER_NET_DHCP_FIRST_HOST,
    dhcpCount: USER_NET_DHCP_POOL,
  };
}

/**
 * Parse one port forward, QEMU's `[tcp]:[hostaddr]:hostport-[guestaddr]:guestport`.
 * An empty host address is 127.0.0.1; a host address off loopback is refused
 * (the gateway never listens beyond this machine); an empty guest address is
 * the first DHCP lease.
 */
export function parseHostForward(text: string, net: UserNetAddressing): HostForward {
  const m = /^(tcp|udp)?:([0-9.]*):(\d+)-([0-9.]*):(\d+)$/.exec(text);
  const example = "e.g. tcp:127.0.0.1:2222-:22";
  if (!m) {
    throw new RangeError(
      `'${text}' is not a port forward (protocol:hostaddr:hostport-guestaddr:guestport, ${example})`,
    );
  }
  if (m[1] === "udp") {
    throw new RangeError(`'${text}': only tcp port forwards are supported (${example})`);
  }
  const hostAddress = m[2] === "" ? IPV4_LOOPBACK : parseIpv4(m[2]);
  if (hostAddress === null) throw new RangeError(`'${text}': bad host address '${m[2]}'`);
  if (!isLoopbackIpv4(hostAddress)) {
    throw new RangeError(
      `'${text}': host address ${m[2]} is not loopback; user-mode port forwards listen on ` +
        `127.0.0.0/8 only (write tcp:127.0.0.1:${m[3]}-${m[4]}:${m[5]})`,
    );
  }
  const guestAddress = m[4] === "" ? net.dhcpFirst : parseIpv4(m[4]);
  if (guestAddress === null) throw new RangeError(`'${text}': bad guest address '${m[4]}'`);
  if (((guestAddress & net.mask) >>> 0) !== net.network) {
    throw new RangeError(
      `'${text}': guest address ${m[4]} is outside the user-mode network ` +
        `${formatIpv4(net.network)}/${net.prefix}`,
    );
  }
  const hostPort = Number(m[3]);
  const guestPort = Number(m[5]);
  if (hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
    throw new RangeError(`'${text}': ports are 1 to 65535 (host port 0: any free port)`);
  }
  return { protocol: "tcp", hostAddress, hostPort, guestAddress, guestPort };
}
