/**
 * Splitting an RPC payload into message-queue messages and reassembling them
 * (gunyah-abi.md §5.1): the first message carries the real type and the number
 * N of continuation messages that follow; each continuation has type
 * CONTINUATION and repeats N, seq and msg_id. A receiver drops a continuation
 * that does not match the partial message, and a new first message aborts any
 * partial one.
 *
 * @module
 */
import {
  readHeader,
  RPC_HEADER_SIZE,
  RPC_MAX_CONTENT,
  RPC_MAX_FRAGMENTS,
  RpcType,
  writeHeader,
} from "./header.ts";

/** A complete RPC message. */
export interface RpcMessage {
  readonly type: number;
  readonly seq: number;
  readonly msgId: number;
  readonly payload: Uint8Array;
}

/** Largest payload one RPC message can carry. */
export const RPC_MAX_PAYLOAD = RPC_MAX_CONTENT * (RPC_MAX_FRAGMENTS + 1);

/** Split `m` into message-queue messages (each at most 240 bytes). */
export function fragment(m: RpcMessage): Uint8Array[] {
  if (m.type === RpcType.CONTINUATION) {
    throw new RangeError("an RPC message cannot have type CONTINUATION");
  }
  if (m.payload.length > RPC_MAX_PAYLOAD) {
    throw new RangeError(`RPC payload of ${m.payload.length} bytes exceeds ${RPC_MAX_PAYLOAD}`);
  }
  const count = Math.max(1, Math.ceil(m.payload.length / RPC_MAX_CONTENT));
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const chunk = m.payload.subarray(i * RPC_MAX_CONTENT, (i + 1) * RPC_MAX_CONTENT);
    const msg = new Uint8Array(RPC_HEADER_SIZE + chunk.length);
    writeHeader(msg, {
      type: i === 0 ? m.type : RpcType.CONTINUATION,
      fragments: count - 1,
      seq: m.seq,
      msgId: m.msgId,
    });
    msg.set(chunk, RPC_HEADER_SIZE);
    out.push(msg);
  }
  return out;
}

/** Reassembles messages from one queue; reports what it dropped and why. */
export class Reassembler {
  #partial:
    | { type: number; seq: number; msgId: number; left: number; chunks: Uint8Array[] }
    | null = null;

  constructor(private readonly onDrop: (reason: string) => void = () => {}) {}

  /** Feed one message-queue message; returns a complete RPC message when one finishes. */
  push(msg: Uint8Array): RpcMessage | null {
    const h = readHeader(msg);
    if (typeof h === "string") {
      this.onDrop(h);
      return null;
    }
    const body = msg.slice(RPC_HEADER_SIZE);
    if (h.type === RpcType.CONTINUATION) {
      const p = this.#partial;
      if (!p) {
        this.onDrop(`continuation of msg 0x${h.msgId.toString(16)} with no message in progress`);
        return null;
      }
      if (p.seq !== h.seq || p.msgId !== h.msgId) {
        this.onDrop(
          `continuation seq ${h.seq} msg 0x${
            h.msgId.toString(16)
          } does not match the partial message`,
        );
        return null;
      }
      p.chunks.push(body);
      if (--p.left > 0) return null;
      this.#partial = null;
      return { type: p.type, seq: p.seq, msgId: p.msgId, payload: concat(p.chunks) };
    }
    if (this.#partial) {
      this.onDrop(`message 0x${this.#partial.msgId.toString(16)} aborted by a new message`);
    }
    this.#partial = null;
    if (h.fragments === 0) return { type: h.type, seq: h.seq, msgId: h.msgId, payload: body };
    this.#partial = { type: h.type, seq: h.seq, msgId: h.msgId, left: h.fragments, chunks: [body] };
    return null;
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
