/**
 * The binary protocol between a device plugin running in its own process
 * (`isolate: process`, ./process_device.ts) and the host, over two pipes:
 * host → plugin on the plugin's stdin, plugin → host on its stdout.
 *
 * Every message is a frame: an 8-byte header (u32 little-endian payload
 * length, u8 {@link Frame} type, 3 reserved bytes) and the payload. The host
 * makes one call at a time (an MMIO access, a timer firing, a method call,
 * ...) and reads frames until the call's answer; in between the plugin may
 * send one-way frames (interrupt lines, timers, log lines) and guest-memory
 * requests ({@link Frame.DmaRead}, {@link Frame.DmaWrite}) that the host
 * answers at once against the VM's current stage-2. The plugin's code runs
 * only inside a host call.
 *
 * Payloads (little-endian; `f64` for IPAs and virtual time):
 *
 * | frame | payload |
 * |---|---|
 * | Init (host) | JSON {@link ProcessInit} |
 * | Ready (plugin) | JSON {@link ProcessReady} |
 * | Failed (plugin) | UTF-8 reason |
 * | MmioRead (host) | clock f64, offset u32, region u8, size u8, vCPU u16 |
 * | MmioWrite (host) | as MmioRead, then lo u32, hi u32 |
 * | Reset, Describe, Close (host) | clock f64 |
 * | Fire (host) | clock f64, timer id u32 |
 * | Call (host) | clock f64, then JSON {method, args} |
 * | Enter (plugin) | empty: the plugin's code starts (the per-access deadline runs from now) |
 * | Result (plugin) | MmioResult u8, 3 reserved, lo u32, hi u32 |
 * | Done (plugin) | empty (or JSON for Describe) |
 * | Irq (plugin) | INTID u32, level u8 |
 * | Timer (plugin) | at f64, id u32 |
 * | Cancel (plugin) | id u32 |
 * | Log (plugin) | UTF-8 text |
 * | DmaRead (plugin) | IPA f64, length u32 (at most {@link DMA_CHUNK_BYTES}) |
 * | DmaWrite (plugin) | IPA f64, then the bytes (at most {@link DMA_CHUNK_BYTES}) |
 * | DmaData (host) | status u8 (0 ok), then the bytes, or a UTF-8 refusal |
 * | DmaStatus (host) | status u8, then a UTF-8 refusal if not 0 |
 *
 * @module
 */

/** Frame types. */
export const enum Frame {
  Init = 1,
  Ready = 2,
  Failed = 3,
  MmioRead = 4,
  MmioWrite = 5,
  Reset = 6,
  Describe = 7,
  Close = 8,
  Fire = 9,
  Call = 10,
  Enter = 11,
  Result = 12,
  Done = 13,
  Irq = 14,
  Timer = 15,
  Cancel = 16,
  Log = 17,
  DmaRead = 18,
  DmaWrite = 19,
  DmaData = 20,
  DmaStatus = 21,
}

/** Bytes of a frame header. */
export const FRAME_HEADER_BYTES = 8;
/**
 * Largest guest-memory copy in one frame. A reply must fit in the pipe's
 * buffer (Linux: 64 KiB) so the host's write never waits for the plugin to
 * read: the host's thread blocks only in reads, which its watchdog bounds.
 */
export const DMA_CHUNK_BYTES = 32 * 1024;
/** Largest payload accepted (JSON frames: a device's description, a call's arguments). */
export const FRAME_MAX_PAYLOAD = 1 << 20;

/** What the host sends the plugin first. */
export interface ProcessInit {
  readonly options: Readonly<Record<string, unknown>>;
  readonly nsPerInstruction: number;
  readonly clock: number;
}

/** What the plugin answers once its device exists. */
export interface ProcessReady {
  readonly name: string;
  readonly regions: readonly { readonly base: number; readonly size: number }[];
  readonly dt: unknown;
  readonly methods: readonly string[];
}

/** A protocol violation (a frame too long, of an unknown type, out of order). */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

/** JSON that carries `Uint8Array`s (devicetree values, a console's input bytes). */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(value, (_k, v) => v instanceof Uint8Array ? { $u8: Array.from(v) } : v),
  );
}

/** The inverse of {@link encodeJson}. */
export function decodeJson(bytes: Uint8Array): unknown {
  return JSON.parse(
    new TextDecoder().decode(bytes),
    (_k, v) =>
      v !== null && typeof v === "object" && Array.isArray((v as { $u8?: unknown }).$u8)
        ? Uint8Array.from((v as { $u8: number[] }).$u8)
        : v,
  );
}

/** Reads frames from a byte stream read synchronously (a pipe). Allocation-free per frame. */
export class FrameReader {
  #buf = new Uint8Array(2 * (FRAME_HEADER_BYTES + DMA_CHUNK_BYTES));
  #dv = new DataView(this.#buf.buffer);
  #start = 0;
  #end = 0;
  /** Type of the last frame {@link next} returned. */
  type = 0;
  /** Its payload's offset in {@link bytes}. */
  at = 0;
  /** Its payload's length. */
  length = 0;

  constructor(readonly readSync: (into: Uint8Array) => number | null) {}

  /** The buffer holding the last frame's payload at {@link at}. */
  get bytes(): Uint8Array {
    return this.#buf;
  }

  /** A DataView on {@link bytes}. */
  get view(): DataView {
    return this.#dv;
  }

  /** The last frame's payload (a view: valid until the next call). */
  payload(): Uint8Array {
    return this.#buf.subarray(this.at, this.at + this.length);
  }

  /** Ensure `n` bytes are buffered from #start; false at end of stream. */
  #fill(n: number): boolean {
    if (this.#start + n > this.#buf.length) {
      if (n > this.#buf.length) {
        const bigger = new Uint8Array(Math.max(n, 2 * this.#buf.length));
        bigger.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = bigger;
        this.#dv = new DataView(bigger.buffer);
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#end -= this.#start;
      this.#start = 0;
    }
    while (this.#end - this.#start < n) {
      const got = this.readSync(this.#buf.subarray(this.#end));
      if (got === null || got === 0) return false;
      this.#end += got;
    }
    return true;
  }

  /**
   * Read the next frame (blocks). False at the end of the stream (the other
   * side is gone); a {@link ProtocolError} for a frame longer than allowed.
   */
  next(): boolean {
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (!this.#fill(FRAME_HEADER_BYTES)) return false;
    const length = this.#dv.getUint32(this.#start, true);
    if (length > FRAME_MAX_PAYLOAD) {
      throw new ProtocolError(`a frame of ${length} bytes (at most ${FRAME_MAX_PAYLOAD})`);
    }
    const type = this.#buf[this.#start + 4];
    if (!this.#fill(FRAME_HEADER_BYTES + length)) return false;
    this.type = type;
    this.at = this.#start + FRAME_HEADER_BYTES;
    this.length = length;
    this.#start += FRAME_HEADER_BYTES + length;
    return true;
  }
}

/** Builds frames in one reused buffer and writes each whole (synchronously). */
export class FrameWriter {
  #buf = new Uint8Array(FRAME_HEADER_BYTES + DMA_CHUNK_BYTES + 64);
  #dv = new DataView(this.#buf.buffer);
  #at = FRAME_HEADER_BYTES;

  constructor(readonly writeSync: (bytes: Uint8Array) => number) {}

  /** Start a frame of `type`. */
  begin(type: Frame): this {
    this.#buf[4] = type;
    this.#buf[5] = this.#buf[6] = this.#buf[7] = 0;
    this.#at = FRAME_HEADER_BYTES;
    return this;
  }

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    if (this.#at + n > FRAME_HEADER_BYTES + FRAME_MAX_PAYLOAD) {
      throw new ProtocolError(`a frame would exceed ${FRAME_MAX_PAYLOAD} bytes`);
    }
    const bigger = new Uint8Array(Math.max(this.#at + n, 2 * this.#buf.length));
    bigger.set(this.#buf.subarray(0, this.#at));
    this.#buf = bigger;
    this.#dv = new DataView(bigger.buffer);
  }

  u8(v: number): this {
    this.#room(1);
    this.#buf[this.#at++] = v;
    return this;
  }
  u16(v: number): this {
    this.#room(2);
    this.#dv.setUint16(this.#at, v, true);
    this.#at += 2;
    return this;
  }
  u32(v: number): this {
    this.#room(4);
    this.#dv.setUint32(this.#at, v >>> 0, true);
    this.#at += 4;
    return this;
  }
  f64(v: number): this {
    this.#room(8);
    this.#dv.setFloat64(this.#at, v, true);
    this.#at += 8;
    return this;
  }
  bytes(src: Uint8Array): this {
    this.#room(src.length);
    this.#buf.set(src, this.#at);
    this.#at += src.length;
    return this;
  }
  /** Reserve `n` payload bytes and return them to be filled in place (before {@link send}). */
  reserve(n: number): Uint8Array {
    this.#room(n);
    const view = this.#buf.subarray(this.#at, this.#at + n);
    this.#at += n;
    return view;
  }
  text(s: string): this {
    return this.bytes(new TextEncoder().encode(s));
  }

  /** The frame being built, copied out (to build another one meanwhile; see {@link restore}). */
  take(): Uint8Array {
    return this.#buf.slice(0, this.#at);
  }

  /** Put back a frame {@link take} returned, to be sent next. */
  restore(frame: Uint8Array): void {
    this.#at = 0;
    this.#room(frame.length);
    this.#buf.set(frame);
    this.#at = frame.length;
  }

  /** Write the frame. */
  send(): void {
    this.#dv.setUint32(0, this.#at - FRAME_HEADER_BYTES, true);
    let done = 0;
    while (done < this.#at) done += this.writeSync(this.#buf.subarray(done, this.#at));
  }
}
