/**
 * The framing of the GDB remote serial protocol (GDB manual, "Remote
 * Protocol" → "Overview"): a packet is `$` data `#` two hex digits, the
 * checksum being the sum of the data bytes modulo 256; the receiver answers
 * `+` (good) or `-` (resend) unless no-ack mode is on; a lone 0x03 byte
 * outside a packet is an interrupt request. In data, `}` escapes the next
 * byte XORed with 0x20 (`$`, `#`, `}` and `*` must be escaped in binary
 * data); `*` introduces run-length encoding, which this server never sends
 * and decodes on input.
 *
 * @module
 */

/** Start of a packet. */
export const PACKET_START = 0x24; // '$'
/** End of a packet's data; two hex checksum digits follow. */
export const PACKET_END = 0x23; // '#'
/** Escape: the next byte is XORed with {@link ESCAPE_XOR}. */
export const PACKET_ESCAPE = 0x7d; // '}'
/** Run-length marker: the previous character repeats (next byte - 29) more times. */
export const PACKET_RUN_LENGTH = 0x2a; // '*'
/** What an escaped byte is XORed with. */
export const ESCAPE_XOR = 0x20;
/** Acknowledgement of a good packet. */
export const ACK = 0x2b; // '+'
/** Request to resend (bad checksum). */
export const NAK = 0x2d; // '-'
/** Interrupt request (Ctrl-C) sent outside a packet. */
export const INTERRUPT = 0x03;
/** Offset of the run-length count (GDB: repeat count = byte - 29). */
const RUN_LENGTH_BIAS = 29;
/** Largest packet accepted (the data between `$` and `#`); longer input is dropped. */
export const MAX_INPUT_PACKET = 64 * 1024;

/** Sum of `data` modulo 256. */
export function checksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data[i]) & 0xff;
  return sum;
}

/** `$data#cc` for `data` (already escaped where it must be). */
export function framePacket(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 4);
  out[0] = PACKET_START;
  out.set(data, 1);
  out[data.length + 1] = PACKET_END;
  const c = checksum(data).toString(16).padStart(2, "0");
  out[data.length + 2] = c.charCodeAt(0);
  out[data.length + 3] = c.charCodeAt(1);
  return out;
}

/** Escape binary data for a packet (`$`, `#`, `}`, `*` → `}` + byte ^ 0x20). */
export function escapeBinary(data: Uint8Array): Uint8Array {
  let n = data.length;
  for (const b of data) if (mustEscape(b)) n++;
  const out = new Uint8Array(n);
  let j = 0;
  for (const b of data) {
    if (mustEscape(b)) {
      out[j++] = PACKET_ESCAPE;
      out[j++] = b ^ ESCAPE_XOR;
    } else out[j++] = b;
  }
  return out;
}

function mustEscape(b: number): boolean {
  return b === PACKET_START || b === PACKET_END || b === PACKET_ESCAPE || b === PACKET_RUN_LENGTH;
}

/** One thing read from the connection. */
export type Incoming =
  /** A packet with a good checksum: its data, escapes and run lengths resolved. */
  | { readonly kind: "packet"; readonly data: Uint8Array }
  /** A packet whose checksum did not match (answer `-` in ack mode). */
  | { readonly kind: "bad-checksum" }
  /** `+` or `-` from the client. */
  | { readonly kind: "ack" | "nak" }
  /** A 0x03 outside a packet. */
  | { readonly kind: "interrupt" };

const enum State {
  Idle,
  Data,
  Checksum1,
  Checksum2,
}

/**
 * Splits the byte stream from a client into {@link Incoming} items. Bytes
 * outside packets other than `+`, `-` and 0x03 are ignored (as GDB's own
 * stubs do); a packet longer than {@link MAX_INPUT_PACKET} is dropped as a
 * bad one.
 */
export class PacketDecoder {
  #state = State.Idle;
  #data: number[] = [];
  #sum = 0;
  #check = 0;
  #overflow = false;

  /** Feed bytes; returns what they completed. */
  push(bytes: Uint8Array): Incoming[] {
    const out: Incoming[] = [];
    for (const b of bytes) {
      switch (this.#state) {
        case State.Idle:
          if (b === PACKET_START) this.#begin();
          else if (b === ACK) out.push({ kind: "ack" });
          else if (b === NAK) out.push({ kind: "nak" });
          else if (b === INTERRUPT) out.push({ kind: "interrupt" });
          break;
        case State.Data:
          if (b === PACKET_END) this.#state = State.Checksum1;
          else if (b === PACKET_START) this.#begin(); // a new packet restarts (resync)
          else {
            this.#sum = (this.#sum + b) & 0xff;
            if (this.#data.length < MAX_INPUT_PACKET) this.#data.push(b);
            else this.#overflow = true;
          }
          break;
        case State.Checksum1: {
          const v = hexDigit(b);
          this.#check = v < 0 ? -1 : v << 4;
          this.#state = State.Checksum2;
          break;
        }
        case State.Checksum2: {
          const v = hexDigit(b);
          this.#state = State.Idle;
          const good = this.#check >= 0 && v >= 0 && (this.#check | v) === this.#sum;
          if (!good || this.#overflow) {
            out.push({ kind: "bad-checksum" });
            break;
          }
          const data = decodeData(this.#data);
          out.push(data === null ? { kind: "bad-checksum" } : { kind: "packet", data });
          break;
        }
      }
    }
    return out;
  }

  #begin(): void {
    this.#state = State.Data;
    this.#data = [];
    this.#sum = 0;
    this.#overflow = false;
  }
}

/** Resolve `}` escapes and `*` run lengths; null if malformed. */
function decodeData(raw: readonly number[]): Uint8Array | null {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (b === PACKET_ESCAPE) {
      if (i + 1 >= raw.length) return null;
      out.push(raw[++i] ^ ESCAPE_XOR);
    } else if (b === PACKET_RUN_LENGTH) {
      if (out.length === 0 || i + 1 >= raw.length) return null;
      const n = raw[++i] - RUN_LENGTH_BIAS;
      if (n < 0) return null;
      const prev = out[out.length - 1];
      for (let k = 0; k < n; k++) out.push(prev);
    } else out.push(b);
  }
  return Uint8Array.from(out);
}

/** Value of one ASCII hex digit, or -1. */
export function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

/** Bytes from hex text (two digits a byte); null if malformed. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(hex.charCodeAt(2 * i)), lo = hexDigit(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Hex text of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** An unsigned hex number (as in `m addr,len`); null if empty or malformed. */
export function parseHex(text: string): bigint | null {
  if (!/^[0-9a-fA-F]{1,32}$/.test(text)) return null;
  return BigInt("0x" + text);
}

/** Hex of the UTF-8 bytes of `text` (qRcmd output, thread names). */
export function textToHex(text: string): string {
  return bytesToHex(new TextEncoder().encode(text));
}

/** `value` as `bytes` little-endian bytes, in hex (a register in `g` / `p`). */
export function registerToHex(value: bigint, bytes: number): string {
  let s = "";
  let v = BigInt.asUintN(bytes * 8, value);
  for (let i = 0; i < bytes; i++) {
    s += Number(v & 0xffn).toString(16).padStart(2, "0");
    v >>= 8n;
  }
  return s;
}

/** A little-endian register value from hex; null if malformed. */
export function registerFromHex(hex: string): bigint | null {
  const b = hexToBytes(hex);
  if (b === null || b.length === 0) return null;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}
