/**
 * Host side of the user-mode networking end-to-end test and benchmark: an
 * HTTP server and a byte sink on 127.0.0.1 (what the guest reaches as
 * 10.0.2.2), and the client that connects to a forwarded port.
 *
 * @module
 */

/** What the sink received. */
export interface SinkResult {
  /** How many bytes arrived. */
  readonly bytes: number;
  /** SHA-256 of the bytes, lowercase hex. */
  readonly sha256: string;
  /** performance.now() of the first byte. */
  readonly firstMs: number;
  /** performance.now() of the last byte. */
  readonly lastMs: number;
}

/** Servers on the host's loopback for a guest behind the user-mode gateway. */
export class NetHostPeer {
  readonly #http: Deno.HttpServer<Deno.NetAddr>;
  readonly #sink: Deno.Listener;
  /** Resolves with the first connection's bytes once it ends or `expect` bytes arrived. */
  readonly received: Promise<SinkResult>;
  /** The page the HTTP server serves. */
  readonly page: string;

  /** Start both servers; the sink's first connection is read until `expectBytes` arrived or it ends. */
  constructor(expectBytes: number, page = `gunyah-user-net-${Date.now()}`) {
    this.page = page;
    this.#http = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response(page),
    );
    this.#sink = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.received = this.#drain(expectBytes);
  }

  /** The HTTP server's port on 127.0.0.1. */
  get httpPort(): number {
    return this.#http.addr.port;
  }

  /** The byte sink's port on 127.0.0.1. */
  get sinkPort(): number {
    return (this.#sink.addr as Deno.NetAddr).port;
  }

  async #drain(expect: number): Promise<SinkResult> {
    const conn = await this.#sink.accept();
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(256 * 1024);
    let bytes = 0, firstMs = 0, lastMs = 0;
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        if (bytes === 0) firstMs = performance.now();
        lastMs = performance.now();
        chunks.push(buf.slice(0, n));
        bytes += n;
        if (bytes >= expect) break;
      }
    } finally {
      conn.close();
    }
    const all = new Uint8Array(bytes);
    let o = 0;
    for (const c of chunks) all.set(c, o), o += c.length;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
    const sha256 = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    return { bytes, sha256, firstMs, lastMs };
  }

  /** Stop both servers. */
  async close(): Promise<void> {
    try {
      this.#sink.close();
    } catch { /* closed */ }
    await this.#http.shutdown();
  }
}

/**
 * Connect to a forwarded port on 127.0.0.1, read the guest's greeting line,
 * send `message` and close; returns the greeting.
 */
export async function talkToForwardedPort(port: number, message: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const buf = new Uint8Array(256);
    let text = "";
    while (!text.includes("\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    await conn.write(new TextEncoder().encode(message + "\n"));
    await conn.closeWrite();
    while ((await conn.read(buf)) !== null) { /* until the guest closes */ }
    return text.trim();
  } finally {
    conn.close();
  }
}
