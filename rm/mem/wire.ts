/**
 * Memory-parcel messages on the wire (gunyah-abi.md §5.4 "Memory parcels";
 * RM `include/memparcel_msg.h`): the request layouts of MEM_LEND / SHARE /
 * DONATE, ACCEPT, RELEASE, RECLAIM, NOTIFY, APPEND and QCOM_LOOKUP_SGL, and
 * the notifications MEM_SHARED / RELEASED / ACCEPTED / RECALL.
 *
 * Lists are read as the RM's `rm_rpc_read_list` does: a `u16 count; u16 x`
 * word, then `count` entries; a list missing at the very end of the payload
 * is empty; a count above {@link MEM_MAX_LIST_ENTRIES} is RM_ERROR_NORESOURCE;
 * a truncated list, or bytes left over after the last list, is
 * RM_ERROR_MSG_INVALID. All fields little-endian.
 *
 * @module
 */
import { RmError } from "../abi.ts";
import { RmRequestError } from "../error.ts";

/** Largest ACL / SGL / attribute list in one message (RM `MAX_LIST_ENTRIES`). */
export const MEM_MAX_LIST_ENTRIES = 512;
/** The invalid parcel handle (RM `MEMPARCEL_INVALID_HANDLE`). */
export const MEM_HANDLE_INVALID = 0xffff_ffff;

/** `mem_type` (RM `MEM_TYPE_*`). */
export const MemType = { NORMAL: 0, IO: 1 } as const;
/** `trans_type` (RM `TRANS_TYPE_*`). */
export const TransType = { DONATE: 0, LEND: 1, SHARE: 2 } as const;
/** ACL rights bits (RM `MEM_RIGHTS_*`). */
export const MemRights = { X: 0x1, W: 0x2, R: 0x4, RX: 0x5, RW: 0x6, RWX: 0x7 } as const;
/** Attribute values of the attribute list (RM `MEM_ATTR_*`). */
export const MemAttr = { NORMAL: 0, DEVICE: 1, UNCACHED: 2, CACHED: 3 } as const;
/** MEM_LEND/SHARE/DONATE flags (RM `MEM_CREATE_FLAG_*`). */
export const MemCreateFlag = { SANITIZE: 0x1, APPEND: 0x2 } as const;
/** MEM_APPEND flags: bit 0 = last SGL fragment (RM `MEM_APPEND_FLAG_DONE`). */
export const MEM_APPEND_FLAG_DONE = 0x1;
/** MEM_ACCEPT flags (RM `MEM_ACCEPT_FLAG_*`). */
export const MemAcceptFlag = {
  VALIDATE_SANITIZED: 0x1,
  VALIDATE_ACL_ATTR: 0x2,
  VALIDATE_LABEL: 0x4,
  MAP_OTHER: 0x8,
  MAP_CONTIGUOUS: 0x10,
  SANITIZE: 0x20,
  DONE: 0x80,
} as const;
/** MEM_ACCEPT reply flag: more IPAs to be chosen by further accepts. */
export const MEM_ACCEPT_RESP_FLAG_INCOMPLETE = 0x1;
/** MEM_RELEASE / MEM_RECLAIM flag bit 0: zero the memory. */
export const MEM_RELEASE_FLAG_SANITIZE = 0x1;
/** MEM_NOTIFY flags (exactly one of them; RM `MEM_NOTIFY_FLAG_*`). */
export const MemNotifyFlag = { SHARED: 0x1, RELEASED: 0x2, ACCEPTED: 0x4, RECALL: 0x8 } as const;

/** One ACL entry: a VM and its rights. */
export interface AclEntry {
  readonly vmid: number;
  readonly rights: number;
}
/** One SGL entry: an IPA range (of the lender when creating; of the borrower when accepting). */
export interface SglEntry {
  readonly ipa: number;
  readonly size: number;
}
/** One attribute entry. */
export interface AttrEntry {
  readonly attr: number;
  readonly vmid: number;
}

/** A fixed-size field layout failed: RM_ERROR_MSG_INVALID. */
function short(what: string, len: number, need: number): never {
  throw new RmRequestError(RmError.MSG_INVALID, `${what}: payload of ${len} bytes, need ${need}`);
}

/** A cursor over a request payload's lists. */
class ListReader {
  readonly #v: DataView;
  #at: number;
  constructor(readonly p: Uint8Array, start: number, readonly what: string) {
    this.#v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    this.#at = start;
  }

  /** Offset of the next list header. */
  get at(): number {
    return this.#at;
  }

  /** Read one list of `size`-byte entries with `read`. */
  list<T>(size: number, read: (v: DataView, at: number) => T): T[] {
    const p = this.p;
    if (this.#at === p.length) return [];
    if (this.#at + 4 > p.length) {
      throw new RmRequestError(RmError.MSG_INVALID, `${this.what}: truncated list header`);
    }
    const n = this.#v.getUint16(this.#at, true);
    this.#at += 4;
    if (n > MEM_MAX_LIST_ENTRIES) {
      throw new RmRequestError(
        RmError.NORESOURCE,
        `${this.what}: list of ${n} entries (at most ${MEM_MAX_LIST_ENTRIES})`,
      );
    }
    if (this.#at + n * size > p.length) {
      throw new RmRequestError(
        RmError.MSG_INVALID,
        `${this.what}: list of ${n} entries runs past the payload`,
      );
    }
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this.#v, this.#at + i * size));
    this.#at += n * size;
    return out;
  }

  /** Every byte must have been consumed. */
  end(): void {
    if (this.#at !== this.p.length) {
      throw new RmRequestError(
        RmError.MSG_INVALID,
        `${this.what}: ${this.p.length - this.#at} bytes after the last list`,
      );
    }
  }
}

const readAcl = (v: DataView, at: number): AclEntry => ({
  vmid: v.getUint16(at, true),
  rights: v.getUint8(at + 2),
});
const readSgl = (v: DataView, at: number): SglEntry => ({
  ipa: Number(v.getBigUint64(at, true)),
  size: Number(v.getBigUint64(at + 8, true)),
});
const readAttr = (v: DataView, at: number): AttrEntry => ({
  attr: v.getUint16(at, true),
  vmid: v.getUint16(at + 2, true),
});

/** MEM_LEND / SHARE / DONATE request. */
export interface CreateRequest {
  readonly memType: number;
  readonly flags: number;
  readonly label: number;
  readonly acl: AclEntry[];
  readonly sgl: SglEntry[];
  readonly attrs: AttrEntry[];
}

/** Parse a create request (20-byte minimum: header + three list headers). */
export function parseCreate(p: Uint8Array): CreateRequest {
  if (p.length < 20) short("create", p.length, 20);
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const r = new ListReader(p, 8, "create");
  const acl = r.list(4, readAcl);
  const sgl = r.list(16, readSgl);
  const attrs = r.list(4, readAttr);
  r.end();
  return { memType: p[0], flags: p[2], label: v.getUint32(4, true), acl, sgl, attrs };
}

/** MEM_APPEND request. */
export interface AppendRequest {
  readonly handle: number;
  readonly flags: number;
  readonly sgl: SglEntry[];
}

/** Parse MEM_APPEND (12-byte minimum). */
export function parseAppend(p: Uint8Array): AppendRequest {
  if (p.length < 12) short("append", p.length, 12);
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const r = new ListReader(p, 8, "append");
  const sgl = r.list(16, readSgl);
  r.end();
  return { handle: v.getUint32(0, true), flags: p[4], sgl };
}

/** MEM_ACCEPT request. */
export interface AcceptRequest {
  readonly handle: number;
  readonly memType: number;
  readonly transType: number;
  readonly flags: number;
  readonly label: number;
  readonly acl: AclEntry[];
  readonly sgl: SglEntry[];
  /** Second half-word of the SGL list header. */
  readonly mapVmid: number;
  readonly attrs: AttrEntry[];
}

/** Parse MEM_ACCEPT (24-byte minimum). */
export function parseAccept(p: Uint8Array): AcceptRequest {
  if (p.length < 24) short("accept", p.length, 24);
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const r = new ListReader(p, 12, "accept");
  const acl = r.list(4, readAcl);
  const sglHeader = r.at;
  const sgl = r.list(16, readSgl);
  const mapVmid = sglHeader + 4 <= p.length ? v.getUint16(sglHeader + 2, true) : 0;
  const attrs = r.list(4, readAttr);
  r.end();
  return {
    handle: v.getUint32(0, true),
    memType: p[4],
    transType: p[5],
    flags: p[6],
    label: v.getUint32(8, true),
    acl,
    sgl,
    mapVmid,
    attrs,
  };
}

/** MEM_RELEASE / MEM_RECLAIM request: `{u32 handle; u8 flags; u8 res[3]}`. */
export function parseHandleFlags(p: Uint8Array, what: string): { handle: number; flags: number } {
  if (p.length < 8) short(what, p.length, 8);
  return { handle: new DataView(p.buffer, p.byteOffset).getUint32(0, true), flags: p[4] };
}

/** MEM_NOTIFY request. */
export interface NotifyRequest {
  readonly handle: number;
  readonly flags: number;
  readonly memInfoTag: number;
  /** The VM list; null when the payload has none (RELEASED / ACCEPTED). */
  readonly vmids: number[] | null;
}

/** Parse MEM_NOTIFY (12-byte minimum; the VM list after it for SHARED / RECALL). */
export function parseNotify(p: Uint8Array): NotifyRequest {
  if (p.length < 12) short("notify", p.length, 12);
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  let vmids: number[] | null = null;
  if (p.length >= 16) {
    const n = v.getUint16(12, true);
    if (p.length < 16 + 4 * n) short("notify VM list", p.length, 16 + 4 * n);
    vmids = [];
    for (let i = 0; i < n; i++) vmids.push(v.getUint16(16 + 4 * i, true));
  }
  return { handle: v.getUint32(0, true), flags: p[4], memInfoTag: v.getUint32(8, true), vmids };
}

/** MEM_QCOM_LOOKUP_SGL request. */
export interface LookupRequest {
  readonly memType: number;
  readonly label: number;
  readonly acl: AclEntry[];
  readonly sgl: SglEntry[];
  readonly attrs: AttrEntry[];
}

/** Parse MEM_QCOM_LOOKUP_SGL (16-byte minimum; the attribute list is optional). */
export function parseLookup(p: Uint8Array): LookupRequest {
  if (p.length < 16) short("lookup", p.length, 16);
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const r = new ListReader(p, 8, "lookup");
  const acl = r.list(4, readAcl);
  const sgl = r.list(16, readSgl);
  const attrs = r.list(4, readAttr);
  r.end();
  return { memType: p[0], label: v.getUint32(4, true), acl, sgl, attrs };
}

// ---------------------------------------------------------------------------
// Encoders (requests, for clients and tests; replies and notifications)
// ---------------------------------------------------------------------------

function lists(
  head: Uint8Array,
  acl: readonly AclEntry[] | null,
  sgl: readonly SglEntry[] | null,
  attrs: readonly AttrEntry[] | null,
  sglHeaderHi = 0,
): Uint8Array {
  const size = head.length + (acl ? 4 + 4 * acl.length : 0) +
    (sgl ? 4 + 16 * sgl.length : 0) + (attrs ? 4 + 4 * attrs.length : 0);
  const out = new Uint8Array(size);
  out.set(head);
  const v = new DataView(out.buffer);
  let at = head.length;
  if (acl) {
    v.setUint16(at, acl.length, true);
    at += 4;
    for (const a of acl) {
      v.setUint16(at, a.vmid, true);
      v.setUint8(at + 2, a.rights);
      at += 4;
    }
  }
  if (sgl) {
    v.setUint16(at, sgl.length, true);
    v.setUint16(at + 2, sglHeaderHi, true);
    at += 4;
    for (const s of sgl) {
      v.setBigUint64(at, BigInt(s.ipa), true);
      v.setBigUint64(at + 8, BigInt(s.size), true);
      at += 16;
    }
  }
  if (attrs) {
    v.setUint16(at, attrs.length, true);
    at += 4;
    for (const a of attrs) {
      v.setUint16(at, a.attr, true);
      v.setUint16(at + 2, a.vmid, true);
      at += 4;
    }
  }
  return out;
}

/** Encode a MEM_LEND / SHARE / DONATE request. */
export function encodeCreate(r: CreateRequest): Uint8Array {
  const head = new Uint8Array(8);
  head[0] = r.memType;
  head[2] = r.flags;
  new DataView(head.buffer).setUint32(4, r.label >>> 0, true);
  return lists(head, r.acl, r.sgl, r.attrs);
}

/** Encode a MEM_APPEND request. */
export function encodeAppend(r: AppendRequest): Uint8Array {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, r.handle >>> 0, true);
  head[4] = r.flags;
  return lists(head, null, r.sgl, null);
}

/** Encode a MEM_ACCEPT request. */
export function encodeAccept(r: AcceptRequest): Uint8Array {
  const head = new Uint8Array(12);
  const v = new DataView(head.buffer);
  v.setUint32(0, r.handle >>> 0, true);
  head[4] = r.memType;
  head[5] = r.transType;
  head[6] = r.flags;
  v.setUint32(8, r.label >>> 0, true);
  return lists(head, r.acl, r.sgl, r.attrs, r.mapVmid);
}

/** Encode MEM_RELEASE / MEM_RECLAIM. */
export function encodeHandleFlags(handle: number, flags: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setUint32(0, handle >>> 0, true);
  out[4] = flags;
  return out;
}

/** Encode MEM_NOTIFY (with a VM list when `vmids` is given). */
export function encodeNotify(
  handle: number,
  flags: number,
  memInfoTag: number,
  vmids?: readonly number[],
): Uint8Array {
  const out = new Uint8Array(12 + (vmids ? 4 + 4 * vmids.length : 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, handle >>> 0, true);
  out[4] = flags;
  v.setUint32(8, memInfoTag >>> 0, true);
  if (vmids) {
    v.setUint16(12, vmids.length, true);
    vmids.forEach((id, i) => v.setUint16(16 + 4 * i, id, true));
  }
  return out;
}

/** Encode MEM_QCOM_LOOKUP_SGL. */
export function encodeLookup(r: LookupRequest): Uint8Array {
  const head = new Uint8Array(8);
  head[0] = r.memType;
  new DataView(head.buffer).setUint32(4, r.label >>> 0, true);
  return lists(head, r.acl, r.sgl, r.attrs);
}

/** The MEM_ACCEPT reply when the RM chose the IPAs: `{u16 n; u8 flags; u8 res; sgl[n]}`. */
export function encodeAcceptReply(sgl: readonly SglEntry[], flags: number): Uint8Array {
  const out = new Uint8Array(4 + 16 * sgl.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, sgl.length, true);
  out[2] = flags;
  sgl.forEach((s, i) => {
    v.setBigUint64(4 + 16 * i, BigInt(s.ipa), true);
    v.setBigUint64(12 + 16 * i, BigInt(s.size), true);
  });
  return out;
}

/** Decode the MEM_ACCEPT reply data (after the error word). */
export function decodeAcceptReply(d: Uint8Array): { sgl: SglEntry[]; flags: number } {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const n = v.getUint16(0, true);
  const sgl: SglEntry[] = [];
  for (let i = 0; i < n; i++) sgl.push(readSgl(v, 4 + 16 * i));
  return { sgl, flags: d[2] };
}

/** What MEM_SHARED tells a borrower about a parcel. */
export interface SharedNotice {
  readonly handle: number;
  readonly memType: number;
  readonly transType: number;
  readonly flags: number;
  readonly owner: number;
  readonly label: number;
  readonly memInfoTag: number;
  readonly acl: readonly AclEntry[];
  /** Sizes of the parcel's regions (the RM sends no addresses: the lender's IPAs are its own). */
  readonly sizes: readonly number[];
  readonly attrs: readonly AttrEntry[];
}

/**
 * The MEM_SHARED notification: a 20-byte header, the ACL, then the region
 * list as `u16 n; u16 res; u64 size[n]` (the RM sends sizes only), then the
 * attribute list (RM `memparcel_notify_shared`).
 */
export function encodeShared(n: SharedNotice): Uint8Array {
  const out = new Uint8Array(
    20 + 4 + 4 * n.acl.length + 4 + 8 * n.sizes.length + 4 + 4 * n.attrs.length,
  );
  const v = new DataView(out.buffer);
  v.setUint32(0, n.handle >>> 0, true);
  out[4] = n.memType;
  out[5] = n.transType;
  out[6] = n.flags;
  v.setUint16(8, n.owner, true);
  v.setUint32(12, n.label >>> 0, true);
  v.setUint32(16, n.memInfoTag >>> 0, true);
  let at = 20;
  v.setUint16(at, n.acl.length, true);
  at += 4;
  for (const a of n.acl) {
    v.setUint16(at, a.vmid, true);
    out[at + 2] = a.rights;
    at += 4;
  }
  v.setUint16(at, n.sizes.length, true);
  at += 4;
  for (const s of n.sizes) {
    v.setBigUint64(at, BigInt(s), true);
    at += 8;
  }
  v.setUint16(at, n.attrs.length, true);
  at += 4;
  for (const a of n.attrs) {
    v.setUint16(at, a.attr, true);
    v.setUint16(at + 2, a.vmid, true);
    at += 4;
  }
  return out;
}

/** MEM_RELEASED / MEM_ACCEPTED: `{u32 handle; u16 vmid; u8 res[2]; u32 mem_info_tag}`. */
export function encodeOwnerNotice(handle: number, vmid: number, memInfoTag: number): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint32(0, handle >>> 0, true);
  v.setUint16(4, vmid, true);
  v.setUint32(8, memInfoTag >>> 0, true);
  return out;
}

/** MEM_RECALL: `{u32 handle; u32 mem_info_tag}`. */
export function encodeRecall(handle: number, memInfoTag: number): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint32(0, handle >>> 0, true);
  v.setUint32(4, memInfoTag >>> 0, true);
  return out;
}
