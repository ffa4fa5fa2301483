/**
 * The 8-byte RM RPC message header (gunyah-abi.md §5.1; RM `src/rpc/rm-rpc.c`,
 * Linux `struct gunyah_rm_rpc_hdr`):
 *
 * | byte | field |
 * | --- | --- |
 * | 0 | api: bits 3:0 version (1), bits 7:4 header words (2) → always 0x21 |
 * | 1 | type: bits 1:0 message type, bits 7:2 continuation fragments that follow |
 * | 2–3 | seq (LE u16) |
 * | 4–7 | msg_id (LE u32) |
 *
 * @module
 */

/** The api byte: version 1, header size 2 words. */
export const RPC_API_BYTE = 0x21;
/** Header length in bytes. */
export const RPC_HEADER_SIZE = 8;
/** Maximum size of one message queue message carrying RPC (RM_RPC_MESSAGE_SIZE). */
export const RPC_MESSAGE_SIZE = 240;
/** Payload bytes per message (RM_RPC_MAX_CONTENT). */
export const RPC_MAX_CONTENT = RPC_MESSAGE_SIZE - RPC_HEADER_SIZE;
/** Maximum continuation fragments after the first message (RM_RPC_MAX_FRAGMENTS). */
export const RPC_MAX_FRAGMENTS = 62;

/** RPC message types (bits 1:0 of the type byte). */
export const RpcType = {
  CONTINUATION: 0,
  REQUEST: 1,
  REPLY: 2,
  NOTIFICATION: 3,
} as const;

/** A decoded header. */
export interface RpcHeader {
  readonly type: number;
  /** Number of continuation messages that follow the first one. */
  readonly fragments: number;
  readonly seq: number;
  readonly msgId: number;
}

/** Write `h` into the first 8 bytes of `out`. */
export function writeHeader(out: Uint8Array, h: RpcHeader): void {
  if (h.fragments < 0 || h.fragments > RPC_MAX_FRAGMENTS) {
    throw new RangeError(`RPC fragment count ${h.fragments} outside 0..${RPC_MAX_FRAGMENTS}`);
  }
  const v = new DataView(out.buffer, out.byteOffset, RPC_HEADER_SIZE);
  v.setUint8(0, RPC_API_BYTE);
  v.setUint8(1, (h.type & 3) | (h.fragments << 2));
  v.setUint16(2, h.seq & 0xffff, true);
  v.setUint32(4, h.msgId >>> 0, true);
}

/** Decode a header, or return a reason the message must be dropped. */
export function readHeader(msg: Uint8Array): RpcHeader | string {
  if (msg.length < RPC_HEADER_SIZE) {
    return `message of ${msg.length} bytes is shorter than the header`;
  }
  if (msg[0] !== RPC_API_BYTE) return `api byte 0x${msg[0].toString(16)} is not 0x21`;
  const v = new DataView(msg.buffer, msg.byteOffset, RPC_HEADER_SIZE);
  const t = v.getUint8(1);
  const fragments = t >> 2;
  if (fragments > RPC_MAX_FRAGMENTS) {
    return `fragment count ${fragments} exceeds ${RPC_MAX_FRAGMENTS}`;
  }
  return { type: t & 3, fragments, seq: v.getUint16(2, true), msgId: v.getUint32(4, true) };
}
