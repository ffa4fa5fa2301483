/**
 * A VM console as an incremental byte stream over a WebSocket, shared by the
 * page's terminal (xterm.js) and `gunyah vm console NAME`.
 *
 * Protocol (`GET /api/vms/:vmid/console/ws?from=OFFSET`):
 * - Server → client, text frame, first: `{"type":"hello", "vmid", "name",
 *   "offset", "total", "lost"}` — the stream resumes at byte `offset` of the
 *   VM's output (`from`, clamped to the oldest byte the per-VM history still
 *   holds; without `from`, the whole history), `lost` bytes asked for are no
 *   longer held.
 * - Server → client, binary frames: console output, in order, from `offset`
 *   on. The client counts the bytes to know where to resume after a reconnect.
 * - Server → client, text frame `{"type":"gap","lost":N}` when the client fell
 *   so far behind that N bytes left the history before they could be sent.
 * - Server → client, text frame `{"type":"end","reason"}` when the VM has
 *   exited (the socket stays open for the output still to come and closes
 *   when the dashboard does).
 * - Client → server: binary or text frames are keystrokes for the guest
 *   (bytes as typed, control keys included); a text frame that parses as
 *   `{"type":"resize","cols","rows"}` is the terminal's new size (recorded;
 *   a PL011 serial line carries no window size to the guest).
 *
 * Backpressure: the guest is never slowed. Output goes to the VM's bounded
 * history ({@link CONSOLE_RING_BYTES}); each connection sends from its own
 * read position, at most {@link STREAM_CHUNK_BYTES} per frame, and stops
 * sending while the socket has more than {@link STREAM_HIGH_WATER_BYTES}
 * unsent; a reader that falls behind the history loses the oldest bytes and
 * is told how many.
 *
 * @module
 */
import type { ConsoleTap } from "./console_tap.ts";

/** Most bytes sent in one frame. */
export const STREAM_CHUNK_BYTES = 16 * 1024;
/** Unsent bytes on a socket above which the server waits before sending more. */
export const STREAM_HIGH_WATER_BYTES = 64 * 1024;
/** How long output is gathered before a frame is sent, ms (one frame per burst). */
export const STREAM_COALESCE_MS = 8;
/** How often a socket over the high-water mark is checked again, ms. */
export const STREAM_RETRY_MS = 25;

/** The minimal socket the stream writes to (Deno's server-side WebSocket is one). */
export interface StreamSocket {
  /** `WebSocket.OPEN` when sending is possible. */
  readonly readyState: number;
  /** Bytes queued and not yet sent. */
  readonly bufferedAmount: number;
  /** Send a frame. */
  send(data: string | Uint8Array): void;
}

/** The terminal size a client last reported. */
export interface TerminalSize {
  /** Columns. */
  readonly cols: number;
  /** Rows. */
  readonly rows: number;
}

/** One client's view of a VM console: its read position and the pump that sends from it. */
export class ConsoleStream {
  readonly #tap: ConsoleTap;
  readonly #socket: StreamSocket;
  #next: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  #unwatch: () => void = () => {};
  /** Bytes that left the history before this client could be sent them. */
  lost = 0;
  /** Bytes sent so far. */
  sent = 0;
  /** The size the client last reported, if any. */
  size: TerminalSize | null = null;

  /** Stream `tap`'s output to `socket` from byte `from` (default: the oldest held). */
  constructor(tap: ConsoleTap, socket: StreamSocket, from?: number) {
    this.#tap = tap;
    this.#socket = socket;
    const start = tap.ring.start;
    const asked = from === undefined ? start : from;
    this.#next = Math.min(tap.ring.total, Math.max(start, asked));
    this.lost = Math.max(0, this.#next - asked);
  }

  /** The offset of the next byte to send. */
  get next(): number {
    return this.#next;
  }

  /** Send the hello frame and start following the console. */
  open(hello: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify({
      type: "hello",
      ...hello,
      offset: this.#next,
      total: this.#tap.ring.total,
      lost: this.lost,
    }));
    this.#unwatch = this.#tap.watch(() => this.#schedule(STREAM_COALESCE_MS));
    this.#schedule(0);
  }

  /** Handle a client frame: keystrokes or a resize. */
  receive(data: string | ArrayBuffer | Uint8Array, type: (bytes: Uint8Array) => void): void {
    if (typeof data === "string") {
      if (data.startsWith("{")) {
        try {
          const m = JSON.parse(data) as { type?: unknown; cols?: unknown; rows?: unknown };
          if (m.type === "resize") {
            const cols = Number(m.cols), rows = Number(m.rows);
            if (Number.isInteger(cols) && Number.isInteger(rows) && cols > 0 && rows > 0) {
              this.size = { cols, rows };
            }
            return;
          }
        } catch {
          // not a control message: keystrokes that happen to start with '{'
        }
      }
      type(new TextEncoder().encode(data));
      return;
    }
    type(data instanceof Uint8Array ? data : new Uint8Array(data));
  }

  /** Tell the client something (a JSON text frame) if it is still connected. */
  notify(message: Record<string, unknown>): void {
    if (!this.#closed && this.#socket.readyState === 1) this.#socket.send(JSON.stringify(message));
  }

  /** Stop following the console. */
  close(): void {
    this.#closed = true;
    this.#unwatch();
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(ms: number): void {
    if (this.#closed || this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#pump();
    }, ms);
  }

  /** Send what the history holds past the read position, as far as the socket drains. */
  #pump(): void {
    const s = this.#socket;
    if (this.#closed || s.readyState !== 1) return;
    const ring = this.#tap.ring;
    if (s.bufferedAmount > STREAM_HIGH_WATER_BYTES) {
      this.#schedule(STREAM_RETRY_MS);
      return;
    }
    if (this.#next < ring.start) {
      const gap = ring.start - this.#next;
      this.lost += gap;
      this.#next = ring.start;
      s.send(JSON.stringify({ type: "gap", lost: gap }));
    }
    while (this.#next < ring.total) {
      if (s.bufferedAmount > STREAM_HIGH_WATER_BYTES) {
        this.#schedule(STREAM_RETRY_MS);
        return;
      }
      const { bytes } = ring.since(this.#next, STREAM_CHUNK_BYTES);
      s.send(bytes);
      this.#next += bytes.length;
      this.sent += bytes.length;
    }
  }
}
