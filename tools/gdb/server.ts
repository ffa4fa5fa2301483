/**
 * The GDB stub's TCP server: loopback only (a debugger can read and change
 * all of a VM's memory and registers), one client at a time (a second is
 * told so and closed), acknowledgements as the protocol has them until the
 * client asks for no-ack mode. A client that disconnects, detaches or kills
 * leaves the guest running.
 *
 * @module
 */
import { ACK, framePacket, NAK, PacketDecoder } from "./packet.ts";
import { GdbSession } from "./session.ts";
import type { GdbTarget } from "./target.ts";

/** An address that is not a loopback `host:port`. */
export class GdbAddressError extends Error {
  /** Error name. */
  override readonly name = "GdbAddressError";
}

/** A parsed loopback listen address. */
export interface GdbListenAddress {
  /** `127.x.y.z` or `::1`. */
  readonly hostname: string;
  /** 0 = any free port. */
  readonly port: number;
}

/**
 * Parse `127.0.0.1:1234`, `[::1]:1234`, `localhost:1234` or a bare port
 * (`1234`, on 127.0.0.1); anything that is not loopback is refused.
 */
export function parseGdbAddress(address: string): GdbListenAddress {
  const text = address.trim();
  if (/^\d{1,5}$/.test(text)) return checkPort({ hostname: "127.0.0.1", port: Number(text) });
  const m = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) {
    throw new GdbAddressError(
      `gdb address '${address}' is not host:port (e.g. 127.0.0.1:1234, [::1]:1234 or 1234)`,
    );
  }
  const host = (m[1] ?? m[2]).toLowerCase();
  const port = Number(m[3]);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4 !== null && Number(v4[1]) === 127 && v4.slice(2).every((o) => Number(o) <= 255)) {
    return checkPort({ hostname: host, port });
  }
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return checkPort({ hostname: "::1", port });
  if (host === "localhost") return checkPort({ hostname: "127.0.0.1", port });
  throw new GdbAddressError(
    `gdb address '${address}' is not loopback: a debugger reads and writes all of the VM, so ` +
      `the stub only listens on 127.0.0.0/8 or [::1] (use 127.0.0.1:${port}; reach it from ` +
      "another machine through an SSH tunnel)",
  );
}

function checkPort(a: GdbListenAddress): GdbListenAddress {
  if (a.port > 65535) throw new GdbAddressError(`gdb port ${a.port} is over 65535`);
  return a;
}

/** Options of {@link serveGdb}. */
export interface GdbServerOptions {
  /** Diagnostics (connections, refused clients). */
  readonly log?: (message: string) => void;
}

/** A listening stub. */
export interface GdbServer {
  /** `127.0.0.1:1234` as bound (the real port with port 0). */
  readonly address: string;
  /** The port it listens on. */
  readonly port: number;
  /** Whether a client is connected. */
  readonly connected: boolean;
  /** Stop listening, drop the client (the guest resumes), and wait. */
  close(): Promise<void>;
}

/** Listen on `address` for GDB and debug `target` for each client in turn. */
export function serveGdb(
  target: GdbTarget,
  address: string,
  options: GdbServerOptions = {},
): GdbServer {
  const { hostname, port } = parseGdbAddress(address);
  const log = options.log ?? (() => {});
  let listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>;
  try {
    listener = Deno.listen({ hostname, port, transport: "tcp" });
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new GdbAddressError(`gdb address ${address} is in use (choose another port)`);
    }
    throw e;
  }
  const bound = listener.addr;
  const shown = bound.hostname.includes(":") ? `[${bound.hostname}]` : bound.hostname;
  let client: ClientConnection | null = null;
  let closing = false;
  const accepting = (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch {
        return; // listener closed
      }
      if (client !== null) {
        log("gdb: refused a second client (one debugger at a time)");
        const msg = new TextEncoder().encode("$E01#a6");
        conn.write(msg).catch(() => {}).finally(() => conn.close());
        continue;
      }
      const c = new ClientConnection(conn, target, log);
      client = c;
      log(`gdb: client ${fmtAddr(conn.remoteAddr)} connected`);
      c.done.then(() => {
        if (client === c) client = null;
        if (!closing) log("gdb: client disconnected; the guest runs on");
      });
    }
  })();
  return {
    address: `${shown}:${bound.port}`,
    port: bound.port,
    get connected() {
      return client !== null;
    },
    async close() {
      if (closing) return;
      closing = true;
      listener.close();
      await accepting;
      const c = client;
      if (c) {
        c.close();
        await c.done;
      }
    },
  };
}

function fmtAddr(a: Deno.Addr): string {
  return a.transport === "tcp" || a.transport === "udp" ? `${a.hostname}:${a.port}` : a.transport;
}

/** One client: the read loop, acknowledgements and ordered writes. */
class ClientConnection {
  readonly done: Promise<void>;
  readonly #conn: Deno.TcpConn;
  readonly #session: GdbSession;
  #writes: Promise<void> = Promise.resolve();
  #lastPacket: Uint8Array | null = null;
  #closed = false;

  constructor(conn: Deno.TcpConn, target: GdbTarget, log: (m: string) => void) {
    this.#conn = conn;
    conn.setNoDelay(true);
    this.#session = new GdbSession(target, {
      send: (data) => this.#sendPacket(data),
      close: () => this.close(),
    });
    this.done = this.#readLoop(log).finally(() => {
      this.#session.disconnected();
      this.close();
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Let queued replies (a detach's OK) go out first.
    this.#writes.finally(() => {
      try {
        this.#conn.close();
      } catch { /* already closed by the peer */ }
    });
  }

  async #readLoop(log: (m: string) => void): Promise<void> {
    const decoder = new PacketDecoder();
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      let n: number | null;
      try {
        n = await this.#conn.read(buf);
      } catch (e) {
        if (!this.#closed) log(`gdb: connection error: ${(e as Error).message}`);
        return;
      }
      if (n === null || this.#closed) return;
      for (const item of decoder.push(buf.subarray(0, n))) {
        if (this.#closed) return;
        switch (item.kind) {
          case "packet":
            if (!this.#session.noAck) this.#write(Uint8Array.of(ACK));
            this.#session.handle(item.data);
            break;
          case "bad-checksum":
            if (!this.#session.noAck) this.#write(Uint8Array.of(NAK));
            break;
          case "nak":
            if (this.#lastPacket !== null && !this.#session.noAck) this.#write(this.#lastPacket);
            break;
          case "ack":
            break;
          case "interrupt":
            this.#session.interrupt();
            break;
        }
      }
    }
  }

  #sendPacket(data: Uint8Array): void {
    const framed = framePacket(data);
    this.#lastPacket = framed;
    this.#write(framed);
  }

  #write(bytes: Uint8Array): void {
    if (this.#closed && bytes.length === 1) return;
    const conn = this.#conn;
    this.#writes = this.#writes.then(async () => {
      let at = 0;
      try {
        while (at < bytes.length) at += await conn.write(bytes.subarray(at));
      } catch { /* the peer went away: the read loop ends the session */ }
    });
  }
}
