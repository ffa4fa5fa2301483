/**
 * Wire formats the user-mode gateway reads and writes: Ethernet II (IEEE
 * 802.3), ARP (RFC 826), IPv4 (RFC 791), ICMP (RFC 792), UDP (RFC 768) and
 * TCP (RFC 9293) headers, the Internet checksum (RFC 1071) and IPv4 address
 * text. Offsets and constants are defined once here.
 *
 * @module
 */

/** Ethernet II header: destination MAC, source MAC, EtherType. */
export const ETH_HEADER_BYTES = 14;
/** EtherType of IPv4 (IEEE 802 numbers). */
export const ETHERTYPE_IPV4 = 0x0800;
/** EtherType of ARP. */
export const ETHERTYPE_ARP = 0x0806;

/** Smallest IPv4 header (IHL 5). */
export const IPV4_MIN_HEADER_BYTES = 20;
/** IPv4 "more fragments" flag in the flags/fragment-offset word. */
export const IPV4_FLAG_MF = 0x2000;
/** IPv4 "don't fragment" flag. */
export const IPV4_FLAG_DF = 0x4000;
/** Fragment offset bits of the flags/fragment-offset word. */
export const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff;
/** TTL of the datagrams the gateway originates (Linux's default). */
export const IPV4_DEFAULT_TTL = 64;
/** The IPv4 MTU of an Ethernet link. */
export const ETHERNET_MTU = 1500;

/** IPv4 protocol numbers (IANA). */
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** UDP header bytes. */
export const UDP_HEADER_BYTES = 8;
/** Smallest TCP header (data offset 5). */
export const TCP_MIN_HEADER_BYTES = 20;

/** ICMP types (RFC 792). */
export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;

/** TCP flags (RFC 9293 §3.1). */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** TCP options (RFC 9293 §3.2). */
export const TCP_OPT_END = 0;
export const TCP_OPT_NOP = 1;
export const TCP_OPT_MSS = 2;

/** The one's-complement sum of `bytes[start, end)` folded into `sum` (not complemented). */
export function onesSum(bytes: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The Internet checksum (RFC 1071) of `bytes[start, end)` plus an initial sum. */
export function internetChecksum(bytes: Uint8Array, start: number, end: number, sum = 0): number {
  return ~onesSum(bytes, start, end, sum) & 0xffff;
}

/** The TCP/UDP pseudo-header sum (RFC 768, RFC 9293 §3.1) for a segment of `length` bytes. */
export function pseudoHeaderSum(
  src: number,
  dst: number,
  protocol: number,
  length: number,
): number {
  let sum = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Read a big-endian u16. */
export function be16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/** Read a big-endian u32 (unsigned). */
export function be32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Write a big-endian u16. */
export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

/** Write a big-endian u32. */
export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

const IPV4_TEXT = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parse dotted-quad IPv4 text into an unsigned 32-bit number, or null. */
export function parseIpv4(text: string): number | null {
  const m = IPV4_TEXT.exec(text);
  if (!m) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v;
}

/** Format an unsigned 32-bit IPv4 address as dotted-quad text. */
export function formatIpv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** The loopback address 127.0.0.1. */
export const IPV4_LOOPBACK = 0x7f000001;
/** The limited broadcast address 255.255.255.255. */
export const IPV4_BROADCAST = 0xffffffff;

/** Whether `a` is in 127.0.0.0/8. */
export function isLoopbackIpv4(a: number): boolean {
  return (a >>> 24) === 127;
}

/** A parsed IPv4 datagram within a frame (offsets into the frame). */
export interface Ipv4View {
  readonly src: number;
  readonly dst: number;
  readonly protocol: number;
  readonly ttl: number;
  /** Offset of the payload in the frame. */
  readonly payload: number;
  /** Offset one past the payload (the datagram's total length; Ethernet padding excluded). */
  readonly end: number;
}

/** Why an IPv4 datagram was refused. */
export type Ipv4Problem = "truncated" | "version" | "checksum" | "fragment" | "length";

/**
 * Validate the IPv4 header at `offset` of `frame` (RFC 791 / RFC 1122 §3.2.1):
 * version 4, IHL ≥ 5, total length within the frame, header checksum, no
 * fragments (the gateway does not reassemble).
 */
export function parseIpv4Header(frame: Uint8Array, offset: number): Ipv4View | Ipv4Problem {
  if (frame.length - offset < IPV4_MIN_HEADER_BYTES) return "truncated";
  const vihl = frame[offset];
  if (vihl >>> 4 !== 4) return "version";
  const ihl = (vihl & 15) * 4;
  if (ihl < IPV4_MIN_HEADER_BYTES || offset + ihl > frame.length) return "length";
  const total = be16(frame, offset + 2);
  if (total < ihl || offset + total > frame.length) return "length";
  if (internetChecksum(frame, offset, offset + ihl) !== 0) return "checksum";
  const frag = be16(frame, offset + 6);
  if ((frag & IPV4_FLAG_MF) !== 0 || (frag & IPV4_FRAGMENT_OFFSET_MASK) !== 0) return "fragment";
  return {
    src: be32(frame, offset + 12),
    dst: be32(frame, offset + 16),
    protocol: frame[offset + 9],
    ttl: frame[offset + 8],
    payload: offset + ihl,
    end: offset + total,
  };
}

/**
 * A new frame holding an Ethernet header and an IPv4 header (IHL 5, DF, TTL
 * 64, checksum filled) for `payloadBytes` of payload, which the caller writes
 * at {@link IPV4_PAYLOAD_OFFSET}.
 */
export function buildIpv4Frame(
  dstMac: Uint8Array,
  srcMac: Uint8Array,
  src: number,
  dst: number,
  protocol: number,
  payloadBytes: number,
  id = 0,
): Uint8Array {
  const f = new Uint8Array(IPV4_PAYLOAD_OFFSET + payloadBytes);
  f.set(dstMac, 0);
  f.set(srcMac, 6);
  put16(f, 12, ETHERTYPE_IPV4);
  const o = ETH_HEADER_BYTES;
  f[o] = 0x45;
  put16(f, o + 2, IPV4_MIN_HEADER_BYTES + payloadBytes);
  put16(f, o + 4, id);
  put16(f, o + 6, IPV4_FLAG_DF);
  f[o + 8] = IPV4_DEFAULT_TTL;
  f[o + 9] = protocol;
  put32(f, o + 12, src);
  put32(f, o + 16, dst);
  put16(f, o + 10, internetChecksum(f, o, o + IPV4_MIN_HEADER_BYTES));
  return f;
}

/** Where the payload of a {@link buildIpv4Frame} frame starts. */
export const IPV4_PAYLOAD_OFFSET = ETH_HEADER_BYTES + IPV4_MIN_HEADER_BYTES;

/** Fill the TCP or UDP checksum of the segment at `start, end)` of `frame` (pseudo-header included). */
export function fillTransportChecksum(
  frame: Uint8Array,
  src: number,
  dst: number,
  protocol: number,
  start: number,
  end: number,
): void {
  const at = start + (protocol === IPPROTO_UDP ? 6 : 16);
  put16(frame, at, 0);
  let c = internetChecksum(frame, start, end, pseudoHeaderSum(src, dst, protocol, end - start));
  if (protocol === IPPROTO_UDP && c === 0) c = 0xffff; // RFC 768: 0 means "no checksum"
  put16(frame, at, c);
}

/** Whether the TCP or UDP checksum of `frame[start, end)` is right (UDP 0 = none sent, RFC 768). */
export function transportChecksumOk(
  frame: Uint8Array,
  src: number,
  dst: number,
  protocol: number,
  start: number,
  end: number,
): boolean {
  if (protocol === IPPROTO_UDP && be16(frame, start + 6) === 0) return true;
  return internetChecksum(frame, start, end, pseudoHeaderSum(src, dst, protocol, end - start)) ===
    0;
}

/** The TCP header fields {@link buildTcpFrame} writes, and the segment's payload. */
export interface TcpFrameFields {
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  /** The MSS option's value, or 0 for no option. */
  readonly mss: number;
  readonly payload: Uint8Array;
}

/**
 * A new frame holding one TCP segment from `src:srcPort` to `dst:dstPort`
 * (Ethernet and IPv4 as {@link buildIpv4Frame}, IP identification `id`): a
 * 20-byte header, plus the 4-byte MSS option when `seg.mss` > 0, checksum filled.
 */
export function buildTcpFrame(
  dstMac: Uint8Array,
  srcMac: Uint8Array,
  src: number,
  srcPort: number,
  dst: number,
  dstPort: number,
  seg: TcpFrameFields,
  id = 0,
): Uint8Array {
  const hlen = TCP_MIN_HEADER_BYTES + (seg.mss > 0 ? 4 : 0);
  const len = hlen + seg.payload.length;
  const f = buildIpv4Frame(dstMac, srcMac, src, dst, IPPROTO_TCP, len, id);
  const o = IPV4_PAYLOAD_OFFSET;
  put16(f, o, srcPort);
  put16(f, o + 2, dstPort);
  put32(f, o + 4, seg.seq);
  put32(f, o + 8, seg.ack);
  f[o + 12] = (hlen / 4) << 4;
  f[o + 13] = seg.flags;
  put16(f, o + 14, seg.window);
  if (seg.mss > 0) {
    f[o + 20] = TCP_OPT_MSS;
    f[o + 21] = 4;
    put16(f, o + 22, seg.mss);
  }
  f.set(seg.payload, o + hlen);
  fillTransportChecksum(f, src, dst, IPPROTO_TCP, o, o + len);
  return f;
}

/** Build a UDP datagram in an Ethernet frame (checksum filled). */
export function buildUdpFrame(
  dstMac: Uint8Array,
  srcMac: Uint8Array,
  src: number,
  srcPort: number,
  dst: number,
  dstPort: number,
  payload: Uint8Array,
): Uint8Array {
  const len = UDP_HEADER_BYTES + payload.length;
  const f = buildIpv4Frame(dstMac, srcMac, src, dst, IPPROTO_UDP, len);
  const o = IPV4_PAYLOAD_OFFSET;
  put16(f, o, srcPort);
  put16(f, o + 2, dstPort);
  put16(f, o + 4, len);
  f.set(payload, o + UDP_HEADER_BYTES);
  fillTransportChecksum(f, src, dst, IPPROTO_UDP, o, o + len);
  return f;
}
