/**
 * The user-mode gateway: one station on an Ethernet segment that gives the
 * guests on it QEMU's `-nic user` network without root or a tap - ARP for
 * its addresses, ICMP echo, DHCP, DNS forwarded to the host's resolver, and
 * UDP and TCP relayed through the host's sockets (NAT), with the gateway
 * address standing for the host's loopback and port forwards from host
 * loopback ports to guest ports.
 *
 * Bad frames from a guest are counted (`malformed`, `checksum`, ...) and
 * dropped; nothing a guest sends throws.
 *
 * ```ts
 * const gw = new UserGateway({ hostfwd: ["tcp:127.0.0.1:2222-:22"] });
 * gw.attach(segment.connect(gw)); // the segment's port for the gateway
 * ```
 *
 * @module
 */
import type { EthernetEndpoint } from "@gunyah-ts/core/plugin";
import { formatMac, isGroupMac, MAC_BROADCAST, MAC_BYTES, macKey } from "../mac.ts";
import {
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
  DHCPACK,
  DHCPNAK,
  DHCPOFFER,
  DhcpServer,
} from "./dhcp.ts";
import { DNS_PORT, DnsForwarder, dnsUpstream } from "./dns.ts";
import {
  type HostForward,
  parseHostForward,
  type UserNetAddressing,
  userNetAddressing,
  type UserNetOptions,
} from "./options.ts";
import { type TcpSegment } from "./tcp_connection.ts";
import { TcpNat, type TcpNatCounters } from "./tcp_nat.ts";
import { UdpNat } from "./udp_nat.ts";
import {
  be16,
  be32,
  buildIpv4Frame,
  buildTcpFrame,
  buildUdpFrame,
  ETH_HEADER_BYTES,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  formatIpv4,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  internetChecksum,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_BROADCAST,
  IPV4_LOOPBACK,
  IPV4_PAYLOAD_OFFSET,
  isLoopbackIpv4,
  parseIpv4,
  parseIpv4Header,
  put16,
  put32,
  TCP_MIN_HEADER_BYTES,
  TCP_OPT_END,
  TCP_OPT_MSS,
  TCP_OPT_NOP,
  transportChecksumOk,
  UDP_HEADER_BYTES,
} from "./wire.ts";

/** ARP for IPv4 over Ethernet (RFC 826): the fixed 28-byte packet. */
const ARP_BYTES = 28;
const ARP_HTYPE_ETHERNET = 1;
const ARP_REQUEST = 1;
const ARP_REPLY = 2;
/** Guests whose MAC the gateway remembers (ARP table entries). */
export const USER_NET_MAX_NEIGHBOURS = 64;

/** Counters of a gateway (all totals since it started). */
export interface UserNetCounters {
  framesIn: number;
  framesOut: number;
  /** Frames the segment (a guest's receive ring) could not take. */
  framesRefused: number;
  /** Unicast frames for another station (flooded by the segment). */
  notForUs: number;
  /** Truncated or inconsistent frames and packets. */
  malformed: number;
  /** IPv4, TCP or UDP checksum errors. */
  checksum: number;
  /** IPv4 fragments (the gateway does not reassemble). */
  fragments: number;
  /** EtherTypes and IP protocols the gateway does not handle. */
  unsupported: number;
  arpReplies: number;
  /** Packets dropped because the guest's MAC was unknown (an ARP request went out). */
  arpMisses: number;
  icmpEchoes: number;
  dhcpOffers: number;
  dhcpAcks: number;
  dhcpNaks: number;
  dnsQueries: number;
  dnsFailures: number;
  udpOut: number;
  udpIn: number;
  udpDropped: number;
  /** Packets to addresses the gateway does not route (other guests, loopback, broadcast). */
  unrouted: number;
  tcp: TcpNatCounters;
}

/** A point-in-time view of a gateway for the status snapshot and dashboard. */
export interface UserNetStatus {
  readonly subnet: string;
  readonly gateway: string;
  readonly dns: string;
  readonly mac: string;
  readonly dnsUpstream: string;
  readonly leases: readonly { mac: string; address: string }[];
  readonly forwards: readonly { host: string; guest: string }[];
  /** Entries in the NAT table: TCP connections and UDP flows. */
  readonly natTcp: number;
  readonly natUdp: number;
  readonly counters: UserNetCounters;
}

/** The gateway; see the module documentation. */
export class UserGateway implements EthernetEndpoint {
  readonly net: UserNetAddressing;
  /** The gateway's MAC: 52:55 followed by its IPv4 address (as QEMU's slirp). */
  readonly mac: Uint8Array;
  readonly counters: UserNetCounters;
  readonly #forwards: readonly HostForward[];
  #forwardPorts: number[] = [];
  #link: EthernetEndpoint | null = null;
  readonly #neighbours = new Map<number, Uint8Array>();
  readonly #dhcp: DhcpServer;
  readonly #dns: DnsForwarder;
  readonly #udp: UdpNat;
  readonly #tcp: TcpNat;
  #ipId = 0;
  #closed = false;

  /** Throws a RangeError naming the bad subnet, port forward or DNS server text. */
  constructor(options: UserNetOptions = {}) {
    this.net = userNetAddressing(options.subnet);
    this.#forwards = (options.hostfwd ?? []).map((t) => parseHostForward(t, this.net));
    const g = this.net.gateway;
    this.mac = Uint8Array.of(0x52, 0x55, g >>> 24, (g >>> 16) & 255, (g >>> 8) & 255, g & 255);
    this.#dhcp = new DhcpServer(this.net);
    this.#dns = new DnsForwarder(dnsUpstream(options.dnsServer));
    this.#udp = new UdpNat({
      deliver: (guest, guestPort, from, fromPort, data) => {
        const src = this.#guestView(from);
        if (src === null) return;
        this.counters.udpIn++;
        this.#sendUdp(guest, guestPort, src, fromPort, data);
      },
    });
    this.#tcp = new TcpNat({
      transmit: (guest, guestPort, peer, peerPort, flags, seq, ack, window, mss, payload) =>
        this.#sendTcp(guest, guestPort, peer, peerPort, flags, seq, ack, window, mss, payload),
      hostAddressOf: (peer) => this.#hostAddressOf(peer),
    });
    this.counters = {
      framesIn: 0,
      framesOut: 0,
      framesRefused: 0,
      notForUs: 0,
      malformed: 0,
      checksum: 0,
      fragments: 0,
      unsupported: 0,
      arpReplies: 0,
      arpMisses: 0,
      icmpEchoes: 0,
      dhcpOffers: 0,
      dhcpAcks: 0,
      dhcpNaks: 0,
      dnsQueries: 0,
      dnsFailures: 0,
      udpOut: 0,
      udpIn: 0,
      udpDropped: 0,
      unrouted: 0,
      tcp: this.#tcp.counters,
    };
  }

  /**
   * Connect the gateway to its segment port (`link` takes the frames the
   * gateway sends) and start listening for the port forwards; returns the
   * bound host ports (the real ones where port 0 was asked).
   */
  attach(link: EthernetEndpoint): number[] {
    if (this.#link) throw new Error("the user-mode gateway is already attached to a segment");
    this.#link = link;
    this.#forwardPorts = this.#tcp.listen(this.#forwards, this.net.gateway);
    return this.#forwardPorts;
  }

  /** The host ports the port forwards listen on (after {@link attach}). */
  get forwardedPorts(): readonly number[] {
    return this.#forwardPorts;
  }

  /** Close every host socket and listener; later frames are ignored. */
  close(): void {
    this.#closed = true;
    this.#tcp.close();
    this.#udp.close();
    this.#dns.close();
  }

  status(): UserNetStatus {
    return {
      subnet: `${formatIpv4(this.net.network)}/${this.net.prefix}`,
      gateway: formatIpv4(this.net.gateway),
      dns: formatIpv4(this.net.dns),
      mac: formatMac(this.mac),
      dnsUpstream: this.#dns.upstream,
      leases: this.#dhcp.leases().map((l) => ({ mac: l.mac, address: formatIpv4(l.address) })),
      forwards: this.#forwards.map((f, i) => ({
        host: `tcp:${formatIpv4(f.hostAddress)}:${this.#forwardPorts[i] ?? f.hostPort}`,
        guest: `${formatIpv4(f.guestAddress)}:${f.guestPort}`,
      })),
      natTcp: this.#tcp.size,
      natUdp: this.#udp.size,
      counters: { ...this.counters, tcp: { ...this.counters.tcp } },
    };
  }

  /** A frame from the segment. Always taken: what the gateway cannot use is counted. */
  receive(frame: Uint8Array): boolean {
    if (this.#closed) return true;
    this.counters.framesIn++;
    if (frame.length < ETH_HEADER_BYTES) {
      this.counters.malformed++;
      return true;
    }
    if (!isGroupMac(frame, 0) && macKey(frame, 0) !== macKey(this.mac)) {
      this.counters.notForUs++;
      return true;
    }
    const type = be16(frame, 12);
    if (type === ETHERTYPE_ARP) this.#arp(frame);
    else if (type === ETHERTYPE_IPV4) this.#ipv4(frame);
    else this.counters.unsupported++;
    return true;
  }

  // ---- ARP ----

  #arp(f: Uint8Array): void {
    const o = ETH_HEADER_BYTES;
    if (
      f.length < o + ARP_BYTES || be16(f, o) !== ARP_HTYPE_ETHERNET ||
      be16(f, o + 2) !== ETHERTYPE_IPV4 || f[o + 4] !== MAC_BYTES || f[o + 5] !== 4
    ) {
      this.counters.malformed++;
      return;
    }
    const op = be16(f, o + 6);
    const sha = f.subarray(o + 8, o + 14);
    const spa = be32(f, o + 14);
    const tpa = be32(f, o + 24);
    this.#learn(spa, sha);
    if (op !== ARP_REQUEST || (tpa !== this.net.gateway && tpa !== this.net.dns)) return;
    this.counters.arpReplies++;
    this.#output(this.#arpFrame(ARP_REPLY, sha, tpa, sha, spa));
  }

  /**
   * An Ethernet/IPv4 ARP packet (RFC 826) from this gateway's MAC: operation `op` to Ethernet
   * destination `dest`, sender address `senderIp`, target `targetMac`/`targetIp`.
   */
  #arpFrame(
    op: number,
    dest: Uint8Array,
    senderIp: number,
    targetMac: Uint8Array | null,
    targetIp: number,
  ): Uint8Array {
    const o = ETH_HEADER_BYTES;
    const r = new Uint8Array(ETH_HEADER_BYTES + ARP_BYTES);
    r.set(dest, 0);
    r.set(this.mac, 6);
    put16(r, 12, ETHERTYPE_ARP);
    put16(r, o, ARP_HTYPE_ETHERNET);
    put16(r, o + 2, ETHERTYPE_IPV4);
    r[o + 4] = MAC_BYTES;
    r[o + 5] = 4;
    put16(r, o + 6, op);
    r.set(this.mac, o + 8);
    put32(r, o + 14, senderIp);
    if (targetMac) r.set(targetMac, o + 18);
    put32(r, o + 24, targetIp);
    return r;
  }

  /** Remember `mac` for a guest address in the subnet. */
  #learn(ip: number, mac: Uint8Array): void {
    if (ip === 0 || ((ip & this.net.mask) >>> 0) !== this.net.network) return;
    if (ip === this.net.gateway || ip === this.net.dns || isGroupMac(mac)) return;
    const had = this.#neighbours.get(ip);
    if (had && macKey(had) === macKey(mac)) return;
    if (!had && this.#neighbours.size >= USER_NET_MAX_NEIGHBOURS) {
      this.#neighbours.delete(this.#neighbours.keys().next().value!);
    }
    this.#neighbours.set(ip, mac.slice());
  }

  /** The MAC of guest `ip`; when unknown, asks for it (ARP request) and returns null. */
  #macOf(ip: number): Uint8Array | null {
    const m = this.#neighbours.get(ip);
    if (m) return m;
    this.counters.arpMisses++;
    this.#output(this.#arpFrame(ARP_REQUEST, MAC_BROADCAST, this.net.gateway, null, ip));
    return null;
  }

  #output(frame: Uint8Array): boolean {
    if (!this.#link || this.#closed) return false;
    if (this.#link.receive(frame)) {
      this.counters.framesOut++;
      return true;
    }
    this.counters.framesRefused++;
    return false;
  }

  // ---- IPv4 ----

  #ipv4(f: Uint8Array): void {
    const ip = parseIpv4Header(f, ETH_HEADER_BYTES);
    if (typeof ip === "string") {
      if (ip === "checksum") this.counters.checksum++;
      else if (ip === "fragment") this.counters.fragments++;
      else this.counters.malformed++;
      return;
    }
    this.#learn(ip.src, f.subarray(6, 12));
    switch (ip.protocol) {
      case IPPROTO_ICMP:
        return this.#icmp(f, ip.src, ip.dst, ip.payload, ip.end);
      case IPPROTO_UDP:
        return this.#udpIn(f, ip.src, ip.dst, ip.payload, ip.end);
      case IPPROTO_TCP:
        return this.#tcpIn(f, ip.src, ip.dst, ip.payload, ip.end);
      default:
        this.counters.unsupported++;
    }
  }

  #icmp(f: Uint8Array, src: number, dst: number, start: number, end: number): void {
    if (end - start < 8) return void this.counters.malformed++;
    if (internetChecksum(f, start, end) !== 0) return void this.counters.checksum++;
    if (f[start] !== ICMP_ECHO_REQUEST) return void this.counters.unsupported++;
    if (dst !== this.net.gateway && dst !== this.net.dns) return void this.counters.unrouted++;
    const mac = this.#macOf(src);
    if (!mac) return;
    const r = buildIpv4Frame(mac, this.mac, dst, src, IPPROTO_ICMP, end - start, this.#ipId++);
    const o = IPV4_PAYLOAD_OFFSET;
    r.set(f.subarray(start, end), o);
    r[o] = ICMP_ECHO_REPLY;
    put16(r, o + 2, 0);
    put16(r, o + 2, internetChecksum(r, o, r.length));
    this.counters.icmpEchoes++;
    this.#output(r);
  }

  #udpIn(f: Uint8Array, src: number, dst: number, start: number, end: number): void {
    if (end - start < UDP_HEADER_BYTES) return void this.counters.malformed++;
    const len = be16(f, start + 4);
    if (len < UDP_HEADER_BYTES || start + len > end) return void this.counters.malformed++;
    end = start + len;
    if (!transportChecksumOk(f, src, dst, IPPROTO_UDP, start, end)) {
      return void this.counters.checksum++;
    }
    const srcPort = be16(f, start);
    const dstPort = be16(f, start + 2);
    const data = f.subarray(start + UDP_HEADER_BYTES, end);
    if (dstPort === DHCP_SERVER_PORT && (dst === IPV4_BROADCAST || dst === this.net.gateway)) {
      return this.#dhcpIn(f.subarray(6, 12), data);
    }
    if (dst === this.net.dns && dstPort === DNS_PORT) return this.#dnsIn(src, srcPort, data);
    const host = this.#hostAddressOf(dst);
    if (host === null) return void this.counters.unrouted++;
    if (!this.#udp.send(src, srcPort, host, dstPort, data)) {
      this.counters.udpDropped++;
      return;
    }
    this.counters.udpOut++;
  }

  #dhcpIn(clientMac: Uint8Array, msg: Uint8Array): void {
    const r = this.#dhcp.handle(msg);
    if (r === "malformed") return void this.counters.malformed++;
    if (r === "ignored") return;
    if (r.type === DHCPOFFER) this.counters.dhcpOffers++;
    else if (r.type === DHCPACK) this.counters.dhcpAcks++;
    else if (r.type === DHCPNAK) this.counters.dhcpNaks++;
    const mac = clientMac.slice();
    this.#output(
      buildUdpFrame(
        r.dst === IPV4_BROADCAST ? MAC_BROADCAST : mac,
        this.mac,
        this.net.gateway,
        DHCP_SERVER_PORT,
        r.dst,
        DHCP_CLIENT_PORT,
        r.payload,
      ),
    );
  }

  #dnsIn(src: number, srcPort: number, query: Uint8Array): void {
    this.counters.dnsQueries++;
    this.#dns.query(query.slice()).then((r) => {
      if (r === null) return void this.counters.malformed++;
      if (r.failed) this.counters.dnsFailures++;
      this.#sendUdp(src, srcPort, this.net.dns, DNS_PORT, r.answer);
    });
  }

  #sendUdp(guest: number, guestPort: number, src: number, srcPort: number, data: Uint8Array): void {
    if (this.#closed) return;
    const mac = this.#macOf(guest);
    if (!mac) return;
    this.#output(buildUdpFrame(mac, this.mac, src, srcPort, guest, guestPort, data));
  }

  /**
   * The host address a guest's packet to `dst` goes to: the gateway means the
   * host's 127.0.0.1; the rest of the subnet, loopback, and group addresses
   * are not routed (null).
   */
  #hostAddressOf(dst: number): string | null {
    if (dst === this.net.gateway) return formatIpv4(IPV4_LOOPBACK);
    if (((dst & this.net.mask) >>> 0) === this.net.network) return null;
    if (isLoopbackIpv4(dst) || dst >>> 28 >= 14 || dst === 0) return null; // multicast, reserved
    return formatIpv4(dst);
  }

  /** The address the guest sees for a host address (127.0.0.1 → the gateway). */
  #guestView(host: string): number | null {
    const a = parseIpv4(host.startsWith("::ffff:") ? host.slice(7) : host);
    if (a === null) return null;
    return isLoopbackIpv4(a) ? this.net.gateway : a;
  }

  // ---- TCP ----

  #tcpIn(f: Uint8Array, src: number, dst: number, start: number, end: number): void {
    if (end - start < TCP_MIN_HEADER_BYTES) return void this.counters.malformed++;
    const hlen = (f[start + 12] >>> 4) * 4;
    if (hlen < TCP_MIN_HEADER_BYTES || start + hlen > end) return void this.counters.malformed++;
    if (!transportChecksumOk(f, src, dst, IPPROTO_TCP, start, end)) {
      return void this.counters.checksum++;
    }
    if (((src & this.net.mask) >>> 0) !== this.net.network) return void this.counters.unrouted++;
    let mss = 0;
    for (let o = start + TCP_MIN_HEADER_BYTES; o < start + hlen;) {
      const kind = f[o];
      if (kind === TCP_OPT_END) break;
      if (kind === TCP_OPT_NOP) {
        o++;
        continue;
      }
      const len = o + 1 < start + hlen ? f[o + 1] : 0;
      if (len < 2 || o + len > start + hlen) return void this.counters.malformed++;
      if (kind === TCP_OPT_MSS && len === 4) mss = be16(f, o + 2);
      o += len;
    }
    const seg: TcpSegment = {
      seq: be32(f, start + 4),
      ack: be32(f, start + 8),
      flags: f[start + 13] & 0x3f,
      window: be16(f, start + 14),
      mss,
      payload: f.subarray(start + hlen, end),
    };
    this.#tcp.segment(src, be16(f, start), dst, be16(f, start + 2), seg);
  }

  #sendTcp(
    guest: number,
    guestPort: number,
    peer: number,
    peerPort: number,
    flags: number,
    seq: number,
    ack: number,
    window: number,
    mss: number,
    payload: Uint8Array,
  ): boolean {
    if (this.#closed) return false;
    const mac = this.#macOf(guest);
    if (!mac) return false;
    const seg = { seq, ack, flags, window, mss, payload };
    const r = buildTcpFrame(mac, this.mac, peer, peerPort, guest, guestPort, seg, this.#ipId++);
    return this.#output(r);
  }
}
