/**
 * The gateway's DHCP server (RFC 2131, options RFC 2132): leases from the
 * pool to the guests on the segment by client MAC, answering DISCOVER with
 * OFFER and REQUEST with ACK (or NAK for an address not theirs to have),
 * with the subnet mask, router, DNS server, lease time and server identifier
 * options that busybox udhcpc and Linux's ipconfig use.
 *
 * @module
 */
import type { UserNetAddressing } from "./options.ts";
import { be16, be32, IPV4_BROADCAST, put16, put32 } from "./wire.ts";
import { formatMac, macKey } from "../mac.ts";

/** UDP ports of a DHCP server and client (RFC 2131 §4.1). */
export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

/** BOOTP fixed fields (RFC 2131 §2, figure 1). */
const BOOTP_OP = 0;
const BOOTP_HTYPE = 1;
const BOOTP_HLEN = 2;
const BOOTP_XID = 4;
const BOOTP_FLAGS = 10;
const BOOTP_CIADDR = 12;
const BOOTP_YIADDR = 16;
const BOOTP_SIADDR = 20;
const BOOTP_GIADDR = 24;
const BOOTP_CHADDR = 28;
const BOOTP_MAGIC = 236;
const BOOTP_OPTIONS = 240;
const BOOTREQUEST = 1;
const BOOTREPLY = 2;
const HTYPE_ETHERNET = 1;
/** The magic cookie 99.130.83.99 (RFC 2131 §3). */
const DHCP_MAGIC_COOKIE = 0x63825363;
/** The BROADCAST flag (RFC 2131 §2). */
const DHCP_FLAG_BROADCAST = 0x8000;

/** DHCP options (RFC 2132). */
const OPT_PAD = 0;
const OPT_SUBNET_MASK = 1;
const OPT_ROUTER = 3;
const OPT_DNS = 6;
const OPT_REQUESTED_IP = 50;
const OPT_LEASE_TIME = 51;
const OPT_MESSAGE_TYPE = 53;
const OPT_SERVER_ID = 54;
const OPT_END = 255;

/** DHCP message types (RFC 2132 §9.6). */
export const DHCPDISCOVER = 1;
export const DHCPOFFER = 2;
export const DHCPREQUEST = 3;
export const DHCPDECLINE = 4;
export const DHCPACK = 5;
export const DHCPNAK = 6;
export const DHCPRELEASE = 7;
export const DHCPINFORM = 8;

/** Lease time the gateway grants, seconds (QEMU's slirp: 24 h). */
export const DHCP_LEASE_SECONDS = 86400;

/** A reply to send: the BOOTP payload and where it goes. */
export interface DhcpReply {
  readonly payload: Uint8Array;
  /** Destination IPv4 address (broadcast unless the client has an address). */
  readonly dst: number;
  readonly type: number;
}

/** What the server saw, for counters. */
export type DhcpOutcome = DhcpReply | "malformed" | "ignored";

/** The lease table and the protocol; see the module documentation. */
export class DhcpServer {
  readonly #net: UserNetAddressing;
  /** Client MAC (as a number) → leased address. */
  readonly #leases = new Map<number, number>();

  constructor(net: UserNetAddressing) {
    this.#net = net;
  }

  /** Leases as `mac → address` for the status view. */
  leases(): { mac: string; address: number }[] {
    const out: { mac: string; address: number }[] = [];
    for (const [k, address] of this.#leases) {
      const mac = new Uint8Array(6);
      let v = k;
      for (let i = 5; i >= 0; i--, v = Math.floor(v / 256)) mac[i] = v % 256;
      out.push({ mac: formatMac(mac), address });
    }
    return out;
  }

  /** Handle one BOOTP payload sent to the server port. */
  handle(msg: Uint8Array): DhcpOutcome {
    if (
      msg.length < BOOTP_OPTIONS + 1 || msg[BOOTP_OP] !== BOOTREQUEST ||
      msg[BOOTP_HTYPE] !== HTYPE_ETHERNET || msg[BOOTP_HLEN] !== 6 ||
      be32(msg, BOOTP_MAGIC) !== DHCP_MAGIC_COOKIE
    ) return "malformed";
    const opts = parseOptions(msg);
    if (opts === null) return "malformed";
    const type = opts.get(OPT_MESSAGE_TYPE)?.[0];
    const mac = msg.subarray(BOOTP_CHADDR, BOOTP_CHADDR + 6);
    const key = macKey(mac);
    const serverId = opts.get(OPT_SERVER_ID);
    switch (type) {
      case DHCPDISCOVER: {
        const addr = this.#leaseFor(key);
        if (addr === null) return "ignored"; // pool exhausted: stay silent (RFC 2131 §4.3.1)
        return this.#reply(msg, DHCPOFFER, addr);
      }
      case DHCPREQUEST: {
        if (serverId && (serverId.length !== 4 || be32(serverId, 0) !== this.#net.gateway)) {
          return "ignored"; // the client chose another server
        }
        const req = opts.get(OPT_REQUESTED_IP);
        const wanted = req && req.length === 4 ? be32(req, 0) : be32(msg, BOOTP_CIADDR);
        const addr = this.#leaseFor(key, wanted);
        if (addr === null || addr !== wanted) return this.#reply(msg, DHCPNAK, 0);
        return this.#reply(msg, DHCPACK, addr);
      }
      case DHCPRELEASE:
      case DHCPDECLINE:
        this.#leases.delete(key);
        return "ignored";
      case DHCPINFORM:
        return this.#reply(msg, DHCPACK, 0);
      default:
        return "malformed";
    }
  }

  /** The client's lease (a new one from the pool if it has none; `wanted` if free), or null. */
  #leaseFor(key: number, wanted?: number): number | null {
    const had = this.#leases.get(key);
    if (had !== undefined) return had;
    const taken = new Set(this.#leases.values());
    const first = this.#net.dhcpFirst;
    const inPool = (a: number) => a >= first && a < first + this.#net.dhcpCount;
    let addr: number | null = null;
    if (wanted !== undefined && inPool(wanted) && !taken.has(wanted)) addr = wanted;
    for (let a = first; addr === null && a < first + this.#net.dhcpCount; a++) {
      if (!taken.has(a)) addr = a;
    }
    if (addr !== null) this.#leases.set(key, addr);
    return addr;
  }

  #reply(req: Uint8Array, type: number, yiaddr: number): DhcpReply {
    const r = new Uint8Array(BOOTP_OPTIONS + 64);
    r[BOOTP_OP] = BOOTREPLY;
    r[BOOTP_HTYPE] = HTYPE_ETHERNET;
    r[BOOTP_HLEN] = 6;
    r.set(req.subarray(BOOTP_XID, BOOTP_XID + 4), BOOTP_XID);
    put16(r, BOOTP_FLAGS, be16(req, BOOTP_FLAGS));
    const ciaddr = be32(req, BOOTP_CIADDR);
    if (type === DHCPACK && yiaddr === 0) put32(r, BOOTP_CIADDR, ciaddr); // INFORM
    put32(r, BOOTP_YIADDR, yiaddr);
    put32(r, BOOTP_SIADDR, type === DHCPNAK ? 0 : this.#net.gateway);
    put32(r, BOOTP_GIADDR, be32(req, BOOTP_GIADDR));
    r.set(req.subarray(BOOTP_CHADDR, BOOTP_CHADDR + 16), BOOTP_CHADDR);
    put32(r, BOOTP_MAGIC, DHCP_MAGIC_COOKIE);
    let o = BOOTP_OPTIONS;
    const opt = (code: number, value: number[]) => {
      r[o++] = code;
      r[o++] = value.length;
      for (const b of value) r[o++] = b;
    };
    const u32 = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    opt(OPT_MESSAGE_TYPE, [type]);
    opt(OPT_SERVER_ID, u32(this.#net.gateway));
    if (type !== DHCPNAK) {
      if (yiaddr !== 0) opt(OPT_LEASE_TIME, u32(DHCP_LEASE_SECONDS));
      opt(OPT_SUBNET_MASK, u32(this.#net.mask));
      opt(OPT_ROUTER, u32(this.#net.gateway));
      opt(OPT_DNS, u32(this.#net.dns));
    }
    r[o++] = OPT_END;
    const broadcast = (be16(req, BOOTP_FLAGS) & DHCP_FLAG_BROADCAST) !== 0 || ciaddr === 0 ||
      type === DHCPNAK;
    return {
      payload: r.subarray(0, Math.max(o, 300)),
      dst: broadcast ? IPV4_BROADCAST : ciaddr,
      type,
    };
  }
}

/** Options by code (the first occurrence), or null when they run past the message. */
function parseOptions(msg: Uint8Array): Map<number, Uint8Array> | null {
  const out = new Map<number, Uint8Array>();
  let o = BOOTP_OPTIONS;
  while (o < msg.length) {
    const code = msg[o++];
    if (code === OPT_PAD) continue;
    if (code === OPT_END) return out;
    if (o >= msg.length) return null;
    const len = msg[o++];
    if (o + len > msg.length) return null;
    if (!out.has(code)) out.set(code, msg.subarray(o, o + len));
    o += len;
  }
  return out; // no END option: accept what was complete (some clients pad to the end)
}
