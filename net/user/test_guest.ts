/**
 * A scripted guest station for the gateway's tests: builds the frames a
 * guest would send (ARP, ICMP, UDP, TCP) and collects what the gateway
 * sends back, parsed. Test support only (not exported by the package).
 *
 * @module
 */
import type { EthernetEndpoint } from "@gunyah-ts/core/plugin";
import { parseMac } from "../mac.ts";
import {
  be16,
  be32,
  buildTcpFrame,
  buildUdpFrame,
  ETH_HEADER_BYTES,
  ETHERTYPE_ARP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  parseIpv4,
  parseIpv4Header,
  put16,
  put32,
  TCP_OPT_MSS,
  TCP_SYN,
} from "./wire.ts";

export const GUEST_MAC = parseMac("52:54:00:12:34:56");
export const GUEST_IP = parseIpv4("10.0.2.15")!;
export const GATEWAY_IP = parseIpv4("10.0.2.2")!;
export const DNS_IP = parseIpv4("10.0.2.3")!;

/** A received TCP segment, parsed. */
export interface SeenTcp {
  src: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  mss: number;
  payload: Uint8Array;
}

/** The guest side of a link to the gateway. */
export class TestGuest implements EthernetEndpoint {
  readonly frames: Uint8Array[] = [];
  #waiters: (() => void)[] = [];
  gatewayMac: Uint8Array = parseMac("52:55:0a:00:02:02");
  /** When false, frames are refused (a full receive ring). */
  accepting = true;

  receive(frame: Uint8Array): boolean {
    if (!this.accepting) return false;
    this.frames.push(frame.slice());
    for (const w of this.#waiters.splice(0)) w();
    return true;
  }

  /** Wait until a frame satisfies `pick` (consumed from the list), or throw after `ms`. */
  async next<T>(pick: (f: Uint8Array) => T | null, ms = 3000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      for (let i = 0; i < this.frames.length; i++) {
        const v = pick(this.frames[i]);
        if (v !== null) {
          this.frames.splice(i, 1);
          return v;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no matching frame from the gateway in time");
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** The next TCP segment (optionally to `dstPort`). */
  nextTcp(dstPort?: number, ms?: number): Promise<SeenTcp> {
    return this.next((f) => {
      const t = parseTcp(f);
      return t && (dstPort === undefined || t.dstPort === dstPort) ? t : null;
    }, ms);
  }

  /** The next UDP datagram's payload and source. */
  nextUdp(ms?: number): Promise<{ src: number; srcPort: number; dst: number; data: Uint8Array }> {
    return this.next((f) => {
      if (be16(f, 12) !== 0x0800) return null;
      const ip = parseIpv4Header(f, ETH_HEADER_BYTES);
      if (typeof ip === "string" || ip.protocol !== IPPROTO_UDP) return null;
      return {
        src: ip.src,
        srcPort: be16(f, ip.payload),
        dst: ip.dst,
        data: f.slice(ip.payload + 8, ip.end),
      };
    }, ms);
  }
}

/** An ARP request from the guest for `target`. */
export function arpRequest(target: number, senderIp = GUEST_IP): Uint8Array {
  const f = new Uint8Array(42);
  f.fill(0xff, 0, 6);
  f.set(GUEST_MAC, 6);
  put16(f, 12, ETHERTYPE_ARP);
  put16(f, 14, 1);
  put16(f, 16, 0x0800);
  f[18] = 6;
  f[19] = 4;
  put16(f, 20, 1);
  f.set(GUEST_MAC, 22);
  put32(f, 28, senderIp);
  put32(f, 38, target);
  return f;
}

/** A UDP datagram from the guest. */
export function guestUdp(
  dst: number,
  dstPort: number,
  srcPort: number,
  data: Uint8Array,
  dstMac = parseMac("52:55:0a:00:02:02"),
  src = GUEST_IP,
): Uint8Array {
  return buildUdpFrame(dstMac, GUEST_MAC, src, srcPort, dst, dstPort, data);
}

/** A TCP segment from the guest. */
export function guestTcp(
  dst: number,
  dstPort: number,
  srcPort: number,
  seq: number,
  ack: number,
  flags: number,
  payload: Uint8Array = new Uint8Array(0),
  window = 65535,
): Uint8Array {
  const mss = (flags & TCP_SYN) !== 0 ? 1460 : 0;
  const seg = { seq, ack, flags, window, mss, payload };
  return buildTcpFrame(
    parseMac("52:55:0a:00:02:02"),
    GUEST_MAC,
    GUEST_IP,
    srcPort,
    dst,
    dstPort,
    seg,
  );
}

/** Parse a TCP segment in a frame from the gateway, or null. */
export function parseTcp(f: Uint8Array): SeenTcp | null {
  if (f.length < 14 || be16(f, 12) !== 0x0800) return null;
  const ip = parseIpv4Header(f, ETH_HEADER_BYTES);
  if (typeof ip === "string" || ip.protocol !== IPPROTO_TCP) return null;
  const o = ip.payload;
  const hlen = (f[o + 12] >>> 4) * 4;
  return {
    src: ip.src,
    srcPort: be16(f, o),
    dstPort: be16(f, o + 2),
    seq: be32(f, o + 4),
    ack: be32(f, o + 8),
    flags: f[o + 13],
    window: be16(f, o + 14),
    mss: hlen > 20 && f[o + 20] === TCP_OPT_MSS ? be16(f, o + 22) : 0,
    payload: f.slice(o + hlen, ip.end),
  };
}
