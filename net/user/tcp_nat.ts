/**
 * TCP between the guest and host sockets: the guest's connections (to the
 * gateway address, meaning the host's 127.0.0.1, or beyond) are terminated in
 * a {@link TcpConnection} and relayed to a `Deno.connect` socket; port
 * forwards accept on a loopback `Deno.listen` socket and open a
 * {@link TcpConnection} to the guest. The host socket is read only while the
 * connection's send budget has room, and what the guest sent is written to
 * the host before its window reopens, so neither direction buffers without
 * bound.
 *
 * @module
 */
import {
  TcpConnection,
  type TcpConnectionHooks,
  type TcpCounters,
  type TcpSegment,
} from "./tcp_connection.ts";
import { type HostForward } from "./options.ts";
import { formatIpv4, TCP_ACK, TCP_RST, TCP_SYN } from "./wire.ts";

/** Connections at once (guest-opened and forwarded); a SYN beyond is refused with RST. */
export const TCP_MAX_CONNECTIONS = 256;
/** First gateway-side port of forwarded connections (IANA dynamic ports, RFC 6335). */
export const TCP_FORWARD_FIRST_PORT = 49152;
/** Largest read from a host socket at once. */
const HOST_READ_BYTES = 64 * 1024;

/** Counters of the TCP NAT. */
export interface TcpNatCounters extends TcpCounters {
  opened: number;
  refused: number;
  forwarded: number;
}

/** What the TCP NAT needs from the gateway. */
export interface TcpNatHooks {
  /** Put a TCP segment on the wire from `peer:peerPort` to `guest:guestPort`. */
  transmit(
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
  ): boolean;
  /** The host address a guest's connection to `peer` goes to, or null to refuse it. */
  hostAddressOf(peer: number): string | null;
}

/** One relayed connection. */
interface Flow {
  readonly key: string;
  readonly tcp: TcpConnection;
  host: Deno.Conn | null;
  /** Waiting for send-budget room. */
  wakeReader: (() => void) | null;
  writes: Uint8Array[];
  writing: boolean;
  guestFinished: boolean;
  hostClosed: boolean;
}

/** The NAT table; see the module documentation. */
export class TcpNat {
  readonly #hooks: TcpNatHooks;
  readonly counters: TcpNatCounters = {
    opened: 0,
    refused: 0,
    forwarded: 0,
    retransmits: 0,
    outOfOrder: 0,
    resetsSent: 0,
    resetsReceived: 0,
  };
  readonly #flows = new Map<string, Flow>();
  readonly #listeners: Deno.Listener[] = [];
  #nextForwardPort = TCP_FORWARD_FIRST_PORT;
  #closed = false;

  constructor(hooks: TcpNatHooks) {
    this.#hooks = hooks;
  }

  /** Connections in the table. */
  get size(): number {
    return this.#flows.size;
  }

  /** A segment from the guest's `guest:guestPort` to `peer:peerPort`. */
  segment(guest: number, guestPort: number, peer: number, peerPort: number, seg: TcpSegment): void {
    const key = flowKey(guest, guestPort, peer, peerPort);
    const flow = this.#flows.get(key);
    if (flow) {
      if (flow.host === null && flow.tcp.state === "SYN-RECEIVED") return; // still connecting
      flow.tcp.segment(seg);
      return;
    }
    if ((seg.flags & TCP_RST) !== 0) return;
    const reset = () => {
      this.counters.resetsSent++;
      if ((seg.flags & TCP_ACK) !== 0) {
        this.#hooks.transmit(guest, guestPort, peer, peerPort, TCP_RST, seg.ack, 0, 0, 0, EMPTY);
      } else {
        const len = seg.payload.length + ((seg.flags & TCP_SYN) ? 1 : 0);
        this.#hooks.transmit(
          guest,
          guestPort,
          peer,
          peerPort,
          TCP_RST | TCP_ACK,
          0,
          (seg.seq + len) >>> 0,
          0,
          0,
          EMPTY,
        );
      }
    };
    if ((seg.flags & (TCP_SYN | TCP_ACK)) !== TCP_SYN) return reset();
    const hostAddress = this.#hooks.hostAddressOf(peer);
    if (hostAddress === null || this.#flows.size >= TCP_MAX_CONNECTIONS || this.#closed) {
      this.counters.refused++;
      return reset();
    }
    const f = this.#newFlow(
      key,
      guest,
      guestPort,
      peer,
      peerPort,
      (hooks) => TcpConnection.fromGuestSyn(seg, hooks, this.counters),
    );
    Deno.connect({ hostname: hostAddress, port: peerPort }).then(
      (conn) => {
        if (f.tcp.state === "CLOSED" || this.#closed) {
          conn.close();
          return;
        }
        f.host = conn;
        this.counters.opened++;
        f.tcp.accept();
      },
      () => {
        this.counters.refused++;
        f.tcp.refuse();
      },
    );
  }

  /**
   * Listen for each port forward on its loopback address; returns the bound
   * host ports in order (the real port where 0 was asked).
   */
  listen(forwards: readonly HostForward[], gateway: number): number[] {
    const ports: number[] = [];
    for (const fwd of forwards) {
      let listener: Deno.Listener;
      try {
        listener = Deno.listen({ hostname: formatIpv4(fwd.hostAddress), port: fwd.hostPort });
      } catch (e) {
        throw new Error(
          `hostfwd tcp:${formatIpv4(fwd.hostAddress)}:${fwd.hostPort}: cannot listen ` +
            `(${(e as Error).message})`,
        );
      }
      this.#listeners.push(listener);
      ports.push((listener.addr as Deno.NetAddr).port);
      this.#accept(listener, fwd, gateway);
    }
    return ports;
  }

  async #accept(listener: Deno.Listener, fwd: HostForward, gateway: number): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return; // closed
      }
      if (this.#flows.size >= TCP_MAX_CONNECTIONS || this.#closed) {
        this.counters.refused++;
        conn.close();
        continue;
      }
      const port = this.#forwardPort(fwd.guestAddress, fwd.guestPort, gateway);
      if (port === null) {
        this.counters.refused++;
        conn.close();
        continue;
      }
      const key = flowKey(fwd.guestAddress, fwd.guestPort, gateway, port);
      const f = this.#newFlow(
        key,
        fwd.guestAddress,
        fwd.guestPort,
        gateway,
        port,
        (hooks) => TcpConnection.connect(hooks, this.counters),
      );
      f.host = conn;
      this.counters.forwarded++;
    }
  }

  /** A free gateway-side port for a forwarded connection, or null. */
  #forwardPort(guest: number, guestPort: number, gateway: number): number | null {
    const span = 65536 - TCP_FORWARD_FIRST_PORT;
    for (let i = 0; i < span; i++) {
      const p = this.#nextForwardPort;
      this.#nextForwardPort = p + 1 === 65536 ? TCP_FORWARD_FIRST_PORT : p + 1;
      if (!this.#flows.has(flowKey(guest, guestPort, gateway, p))) return p;
    }
    return null;
  }

  #newFlow(
    key: string,
    guest: number,
    guestPort: number,
    peer: number,
    peerPort: number,
    make: (hooks: TcpConnectionHooks) => TcpConnection,
  ): Flow {
    // deno-lint-ignore prefer-const
    let flow: Flow;
    const hooks: TcpConnectionHooks = {
      transmit: (flags, seq, ack, window, mss, payload) =>
        this.#hooks.transmit(
          guest,
          guestPort,
          peer,
          peerPort,
          flags,
          seq,
          ack,
          window,
          mss,
          payload,
        ),
      established: () => this.#pumpHost(flow),
      data: (bytes) => {
        flow.writes.push(bytes.slice());
        this.#pumpGuest(flow);
      },
      peerFinished: () => {
        flow.guestFinished = true;
        this.#pumpGuest(flow);
      },
      sendSpace: () => {
        const w = flow.wakeReader;
        flow.wakeReader = null;
        w?.();
      },
      closed: () => {
        this.#flows.delete(key);
        this.#closeHost(flow);
      },
    };
    flow = {
      key,
      tcp: undefined as unknown as TcpConnection,
      host: null,
      wakeReader: null,
      writes: [],
      writing: false,
      guestFinished: false,
      hostClosed: false,
    };
    this.#flows.set(key, flow);
    (flow as { tcp: TcpConnection }).tcp = make(hooks);
    return flow;
  }

  /** Relay host → guest while the connection lasts. */
  async #pumpHost(f: Flow): Promise<void> {
    const conn = f.host;
    if (!conn) return;
    const buf = new Uint8Array(HOST_READ_BYTES);
    for (;;) {
      while (f.tcp.sendSpace === 0 && f.tcp.state !== "CLOSED") {
        await new Promise<void>((r) => f.wakeReader = r);
      }
      if (f.tcp.state === "CLOSED" || f.hostClosed) return;
      let n: number | null;
      try {
        n = await conn.read(buf.subarray(0, Math.min(HOST_READ_BYTES, f.tcp.sendSpace)));
      } catch {
        if (!f.hostClosed) f.tcp.abort();
        return;
      }
      if (n === null) {
        f.tcp.finish();
        return;
      }
      f.tcp.send(buf.subarray(0, n));
    }
  }

  /** Relay guest → host: write queued bytes, then reopen the guest's window. */
  async #pumpGuest(f: Flow): Promise<void> {
    if (f.writing || !f.host) return;
    f.writing = true;
    try {
      while (f.writes.length > 0) {
        const b = f.writes.shift()!;
        let done = 0;
        while (done < b.length) done += await f.host.write(b.subarray(done));
        f.tcp.consumed(b.length);
      }
      if (f.guestFinished && !f.hostClosed) await f.host.closeWrite();
    } catch {
      if (!f.hostClosed) f.tcp.abort();
    } finally {
      f.writing = false;
    }
  }

  #closeHost(f: Flow): void {
    const w = f.wakeReader;
    f.wakeReader = null;
    w?.();
    if (f.hostClosed || !f.host) return;
    f.hostClosed = true;
    try {
      f.host.close();
    } catch { /* already closed */ }
  }

  /** Close every listener and connection (without a word to the guest). */
  close(): void {
    this.#closed = true;
    for (const l of this.#listeners) {
      try {
        l.close();
      } catch { /* already closed */ }
    }
    this.#listeners.length = 0;
    for (const f of [...this.#flows.values()]) {
      f.tcp.dispose();
      this.#closeHost(f);
    }
    this.#flows.clear();
  }
}

function flowKey(guest: number, guestPort: number, peer: number, peerPort: number): string {
  return `${guest}:${guestPort}>${peer}:${peerPort}`;
}

const EMPTY = new Uint8Array(0);
