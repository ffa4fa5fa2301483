/**
 * An Ethernet segment: the L2 learning switch that connects the network
 * devices of a system's VMs (the boot configuration's `net:` section names
 * each one), and any other {@link EthernetEndpoint} (the user-mode gateway).
 *
 * Forwarding, as an IEEE 802.1D bridge forwards within one VLAN:
 * - the source address of every valid frame is learned for its ingress port
 *   (and refreshed); an entry not refreshed for {@link SegmentOptions.ageingMs}
 *   is forgotten (802.1D's default ageing time is 300 s);
 * - a frame to a learned unicast address goes to that port only (and nowhere
 *   when that is the ingress port: the station is on the sender's side);
 * - group (broadcast, multicast) and unknown unicast destinations flood to
 *   every port but the ingress one;
 * - a frame shorter than an Ethernet header, longer than
 *   {@link ETHERNET_MAX_FRAME_BYTES}, or from a group source address is
 *   dropped and counted on its ingress port.
 *
 * Delivery is synchronous, but a frame sent into the segment while it is
 * forwarding (a port answering from inside its `receive`) waits in a bounded
 * FIFO and is forwarded after the current one, and one send forwards at most
 * {@link SEGMENT_BURST_FRAMES}, so two ports that answer each other can
 * neither recurse nor loop without end.
 *
 * @module
 */
import { ETHERNET_MAX_FRAME_BYTES, type EthernetEndpoint } from "@gunyah-ts/core/plugin";
import { formatMac, isGroupMac, MAC_BYTES, macKey } from "./mac.ts";

/** Bytes of an Ethernet header: destination, source, EtherType (IEEE 802.3 §3.1). */
export const ETHERNET_HEADER_BYTES = 14;
/** IEEE 802.1D-2004 §7.9.2: the recommended default ageing time, 300 s. */
export const DEFAULT_AGEING_MS = 300_000;
/** Most addresses a segment learns; beyond it unknown stations are flooded to (as a full CAM does). */
export const SEGMENT_MAX_LEARNED = 4096;
/** Most frames waiting while the segment forwards (frames sent from inside a `receive`). */
export const SEGMENT_BACKLOG_FRAMES = 256;
/**
 * Most frames one send into the segment forwards, its own and those its
 * delivery provoked; the rest of the backlog is dropped and counted, so ports
 * that answer each other without end cannot hold the host.
 */
export const SEGMENT_BURST_FRAMES = 4096;

/** Counters of one port, from the port's side: `rx` entered the segment from it, `tx` left to it. */
export interface PortCounters {
  /** Frames that entered the segment from this port. */
  rxFrames: number;
  /** Bytes of those frames. */
  rxBytes: number;
  /** Frames the segment delivered to this port. */
  txFrames: number;
  /** Bytes of those frames. */
  txBytes: number;
  /** Frames from this port refused: too short, too long, or from a group source address. */
  dropsInvalid: number;
  /** Frames for this port its endpoint did not take (its receive returned false). */
  dropsRefused: number;
  /** Frames from this port dropped because the segment's backlog was full. */
  dropsBacklog: number;
}

/** A port of a segment as the status snapshot shows it. */
export interface PortStatus extends PortCounters {
  /** The port's name (`<vm>.eth<k>` for a VM's device). */
  readonly name: string;
}

/** Options of a {@link EthernetSegment}. */
export interface SegmentOptions {
  /** Learned addresses are forgotten after this long without a frame from them (ms). */
  readonly ageingMs?: number;
  /** The clock ageing reads (ms; default `performance.now`). */
  readonly now?: () => number;
}

interface Port {
  readonly name: string;
  readonly endpoint: EthernetEndpoint;
  readonly counters: PortCounters;
  attached: boolean;
}

function zeroCounters(): PortCounters {
  return {
    rxFrames: 0,
    rxBytes: 0,
    txFrames: 0,
    txBytes: 0,
    dropsInvalid: 0,
    dropsRefused: 0,
    dropsBacklog: 0,
  };
}

/** Why `frame` cannot enter a segment, or null when it can. */
export function frameProblem(frame: Uint8Array): string | null {
  if (frame.length < ETHERNET_HEADER_BYTES) {
    return `a frame of ${frame.length} bytes is shorter than an Ethernet header (14)`;
  }
  if (frame.length > ETHERNET_MAX_FRAME_BYTES) {
    return `a frame of ${frame.length} bytes is longer than ${ETHERNET_MAX_FRAME_BYTES}`;
  }
  if (isGroupMac(frame, MAC_BYTES)) {
    return `source address ${formatMac(frame, MAC_BYTES)} is a group address`;
  }
  return null;
}

/** An L2 learning switch; see the module documentation. */
export class EthernetSegment {
  readonly #ports: Port[] = [];
  /** MAC key → port and when it was last seen. */
  readonly #table = new Map<number, { port: Port; seen: number }>();
  readonly #backlog: { port: Port; frame: Uint8Array }[] = [];
  #forwarding = false;
  readonly #ageingMs: number;
  readonly #now: () => number;
  /** Addresses not learned because the table was full. */
  learnOverflows = 0;

  /** A segment named `name` (the configuration's `net[].name`). */
  constructor(readonly name: string, options: SegmentOptions = {}) {
    this.#ageingMs = options.ageingMs ?? DEFAULT_AGEING_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Connect `endpoint` as port `name` (unique on this segment): frames for it
   * go to `endpoint.receive`; the returned endpoint takes its frames into the
   * segment (its `receive` returns false for a frame that was dropped).
   */
  attach(name: string, endpoint: EthernetEndpoint): EthernetEndpoint & { detach(): void } {
    if (this.#ports.some((p) => p.name === name)) {
      throw new Error(`segment '${this.name}' already has a port named '${name}'`);
    }
    const port: Port = { name, endpoint, counters: zeroCounters(), attached: true };
    this.#ports.push(port);
    return {
      receive: (frame) => this.#ingress(port, frame),
      detach: () => this.#detach(port),
    };
  }

  #detach(port: Port): void {
    port.attached = false;
    const i = this.#ports.indexOf(port);
    if (i >= 0) this.#ports.splice(i, 1);
    for (const [k, e] of this.#table) if (e.port === port) this.#table.delete(k);
  }

  /** The ports and their counters, in order of attachment. */
  ports(): PortStatus[] {
    return this.#ports.map((p) => ({ name: p.name, ...p.counters }));
  }

  /** Addresses learned now (after ageing), as `aa:bb:..` → port name. */
  learned(): Record<string, string> {
    this.#age();
    const out: Record<string, string> = {};
    for (const [k, e] of this.#table) {
      const b = new Uint8Array(MAC_BYTES);
      let v = k;
      for (let i = MAC_BYTES - 1; i >= 0; i--) {
        b[i] = v % 256;
        v = Math.floor(v / 256);
      }
      out[formatMac(b)] = e.port.name;
    }
    return out;
  }

  #age(): void {
    const limit = this.#now() - this.#ageingMs;
    for (const [k, e] of this.#table) if (e.seen < limit) this.#table.delete(k);
  }

  #ingress(port: Port, frame: Uint8Array): boolean {
    if (!port.attached) return false;
    const c = port.counters;
    if (frameProblem(frame) !== null) {
      c.dropsInvalid++;
      return false;
    }
    if (this.#forwarding) {
      if (this.#backlog.length >= SEGMENT_BACKLOG_FRAMES) {
        c.dropsBacklog++;
        return false;
      }
      this.#backlog.push({ port, frame: frame.slice() });
      return true;
    }
    this.#forwarding = true;
    try {
      this.#forward(port, frame);
      let burst = 1;
      for (let next = this.#backlog.shift(); next; next = this.#backlog.shift()) {
        if (burst++ >= SEGMENT_BURST_FRAMES) next.port.counters.dropsBacklog++;
        else if (next.port.attached) this.#forward(next.port, next.frame);
      }
    } finally {
      this.#forwarding = false;
    }
    return true;
  }

  #forward(port: Port, frame: Uint8Array): void {
    const c = port.counters;
    c.rxFrames++;
    c.rxBytes += frame.length;
    const now = this.#now();
    const src = macKey(frame, MAC_BYTES);
    const known = this.#table.get(src);
    if (known) {
      known.port = port;
      known.seen = now;
    } else if (this.#table.size < SEGMENT_MAX_LEARNED) {
      this.#table.set(src, { port, seen: now });
    } else {
      this.#age();
      if (this.#table.size < SEGMENT_MAX_LEARNED) this.#table.set(src, { port, seen: now });
      else this.learnOverflows++;
    }
    if (!isGroupMac(frame, 0)) {
      const dst = this.#table.get(macKey(frame, 0));
      if (dst && now - dst.seen <= this.#ageingMs) {
        if (dst.port !== port) this.#deliver(dst.port, frame);
        return;
      }
    }
    // A copy: a port's receive may detach a port.
    for (const p of this.#ports.slice()) if (p !== port && p.attached) this.#deliver(p, frame);
  }

  #deliver(port: Port, frame: Uint8Array): void {
    const c = port.counters;
    if (port.endpoint.receive(frame)) {
      c.txFrames++;
      c.txBytes += frame.length;
    } else {
      c.dropsRefused++;
    }
  }
}
