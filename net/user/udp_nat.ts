/**
 * UDP from the guest, relayed through host sockets: one host socket per
 * guest (address, port), bound to an ephemeral port, sends the guest's
 * datagrams to where they were addressed (the gateway address meaning the
 * host's 127.0.0.1) and relays what comes back, the source 127.0.0.1 shown
 * to the guest as the gateway. A flow idle for {@link UDP_FLOW_IDLE_MS} is
 * closed; at most {@link UDP_MAX_FLOWS} exist (a new one beyond is dropped
 * and counted).
 *
 * @module
 */
import dgram from "node:dgram";

/** A flow without traffic for this long is closed, ms. */
export const UDP_FLOW_IDLE_MS = 60_000;
/** Flows at once. */
export const UDP_MAX_FLOWS = 128;

/** What the NAT needs from the gateway. */
export interface UdpNatHooks {
  /** A datagram for the guest at `guest:guestPort` from host `from:fromPort` (text address). */
  deliver(guest: number, guestPort: number, from: string, fromPort: number, data: Uint8Array): void;
}

interface Flow {
  readonly socket: dgram.Socket;
  lastUsed: number;
}

/** The flow table; see the module documentation. */
export class UdpNat {
  readonly #hooks: UdpNatHooks;
  readonly #flows = new Map<number, Flow>();
  #sweeper: ReturnType<typeof setInterval> | undefined;
  /** Datagrams dropped because the table was full or a host send failed. */
  dropped = 0;

  constructor(hooks: UdpNatHooks) {
    this.#hooks = hooks;
  }

  /** Flows open. */
  get size(): number {
    return this.#flows.size;
  }

  /** Send `data` from the guest's `guest:guestPort` to host `host:port`; false if dropped. */
  send(guest: number, guestPort: number, host: string, port: number, data: Uint8Array): boolean {
    const key = guest * 65536 + guestPort;
    let flow = this.#flows.get(key);
    if (!flow) {
      if (this.#flows.size >= UDP_MAX_FLOWS) {
        this.dropped++;
        return false;
      }
      const socket = dgram.createSocket("udp4");
      const f: Flow = { socket, lastUsed: Date.now() };
      socket.on("message", (msg: Uint8Array, rinfo: { address: string; port: number }) => {
        f.lastUsed = Date.now();
        this.#hooks.deliver(guest, guestPort, rinfo.address, rinfo.port, new Uint8Array(msg));
      });
      socket.on("error", () => this.#drop(key));
      this.#flows.set(key, f);
      flow = f;
      this.#armSweeper();
    }
    flow.lastUsed = Date.now();
    flow.socket.send(data.slice(), port, host, (err: Error | null) => {
      if (err) this.dropped++;
    });
    return true;
  }

  #drop(key: number): void {
    const f = this.#flows.get(key);
    if (!f) return;
    this.#flows.delete(key);
    try {
      f.socket.close();
    } catch { /* already closed */ }
  }

  #armSweeper(): void {
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const [k, f] of this.#flows) if (now - f.lastUsed > UDP_FLOW_IDLE_MS) this.#drop(k);
      if (this.#flows.size === 0) {
        clearInterval(this.#sweeper);
        this.#sweeper = undefined;
      }
    }, UDP_FLOW_IDLE_MS / 4);
    Deno.unrefTimer(this.#sweeper as unknown as number);
  }

  /** Close every flow. */
  close(): void {
    for (const k of [...this.#flows.keys()]) this.#drop(k);
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}
