/**
 * The flattened devicetree format as far as the RM needs it (Devicetree
 * Specification v0.4 §5): decode a VMM's DTB into a tree whose property
 * values are raw bytes, and encode a tree back to a DTB, so the RM can read
 * the `gunyah-vm-config` node (gunyah-abi.md §5.8) and add its `/hypervisor`
 * overlay (§6.2) in place, as the Gunyah RM patches the VM's devicetree.
 *
 * The RM does not import the platform's FDT code (members depend only on the
 * core's SDK, tools/check/layering.ts); this is the RM's own small codec.
 *
 * @module
 */
import type { DtNode, DtValue } from "@gunyah-ts/core/plugin";

/** FDT header magic (DT spec §5.2). */
const FDT_MAGIC = 0xd00dfeed;
/** Header size of version 17 (DT spec §5.2). */
const FDT_HEADER_SIZE = 40;
/** The version written and the last compatible version (DT spec §5.2). */
const FDT_VERSION = 17;
const FDT_LAST_COMP_VERSION = 16;
/** Structure block tokens (DT spec §5.4.1). */
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;

/** A decoded devicetree node: property values are the raw bytes. */
export interface FdtNode {
  readonly name: string;
  readonly props: Map<string, Uint8Array>;
  readonly children: FdtNode[];
}

/** A decoded DTB: its tree, reservations and boot CPU. */
export interface Fdt {
  readonly root: FdtNode;
  /** Memory reservation map entries (address, size). */
  readonly reservations: readonly { readonly address: bigint; readonly size: bigint }[];
  readonly bootCpuid: number;
}

/** A malformed DTB. */
export class FdtFormatError extends Error {
  override readonly name = "FdtFormatError";
}

const utf8 = new TextDecoder();
const utf8e = new TextEncoder();

/** Decode `blob` (throws {@link FdtFormatError} naming what is wrong). */
export function decodeFdt(blob: Uint8Array): Fdt {
  if (blob.length < FDT_HEADER_SIZE) throw new FdtFormatError(`DTB of ${blob.length} bytes`);
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (v.getUint32(0) !== FDT_MAGIC) {
    throw new FdtFormatError(`bad DTB magic 0x${v.getUint32(0).toString(16)}`);
  }
  const total = v.getUint32(4);
  const offStruct = v.getUint32(8), offStrings = v.getUint32(12), offRsv = v.getUint32(16);
  const sizeStrings = v.getUint32(32), sizeStruct = v.getUint32(36);
  if (
    total > blob.length || offStruct + sizeStruct > total || offStrings + sizeStrings > total ||
    offRsv + 16 > total
  ) {
    throw new FdtFormatError(`DTB blocks exceed its ${Math.min(total, blob.length)} bytes`);
  }
  const reservations: { address: bigint; size: bigint }[] = [];
  for (let o = offRsv;; o += 16) {
    if (o + 16 > total) throw new FdtFormatError("unterminated memory reservation map");
    const address = v.getBigUint64(o), size = v.getBigUint64(o + 8);
    if (address === 0n && size === 0n) break;
    reservations.push({ address, size });
  }
  const cstr = (at: number, end: number): [string, number] => {
    let e = at;
    while (e < end && blob[e] !== 0) e++;
    if (e >= end) throw new FdtFormatError("unterminated string in the DTB");
    return [utf8.decode(blob.subarray(at, e)), e + 1];
  };
  const structEnd = offStruct + sizeStruct;
  let p = offStruct;
  const token = (): number => {
    if (p + 4 > structEnd) throw new FdtFormatError("DTB structure block ends early");
    const t = v.getUint32(p);
    p += 4;
    return t;
  };
  const stack: FdtNode[] = [];
  let root: FdtNode | null = null;
  for (;;) {
    const t = token();
    if (t === FDT_BEGIN_NODE) {
      const [name, next] = cstr(p, structEnd);
      p = (next + 3) & ~3;
      const node: FdtNode = { name, props: new Map(), children: [] };
      if (stack.length === 0) {
        if (root !== null) throw new FdtFormatError("DTB has two root nodes");
        root = node;
      } else stack[stack.length - 1].children.push(node);
      stack.push(node);
    } else if (t === FDT_END_NODE) {
      if (stack.pop() === undefined) throw new FdtFormatError("unbalanced FDT_END_NODE");
    } else if (t === FDT_PROP) {
      if (stack.length === 0) throw new FdtFormatError("property outside a node");
      const len = token(), nameOff = token();
      if (p + len > structEnd || nameOff >= sizeStrings) {
        throw new FdtFormatError("DTB property exceeds its block");
      }
      const [name] = cstr(offStrings + nameOff, offStrings + sizeStrings);
      stack[stack.length - 1].props.set(name, blob.slice(p, p + len));
      p = (p + len + 3) & ~3;
    } else if (t === FDT_NOP) {
      continue;
    } else if (t === FDT_END) {
      break;
    } else {
      throw new FdtFormatError(`unknown DTB token ${t}`);
    }
  }
  if (root === null || stack.length !== 0) throw new FdtFormatError("DTB has no complete root");
  return { root, reservations, bootCpuid: v.getUint32(28) };
}

/** Encode a property value as the DT spec's bytes (strings NUL-terminated, cells big-endian). */
export function encodeDtValue(value: DtValue | Uint8Array): Uint8Array {
  if (value === true) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return utf8e.encode(value + "\0");
  if (value.length > 0 && typeof value[0] === "string") {
    return utf8e.encode((value as readonly string[]).map((s) => s + "\0").join(""));
  }
  const cells = value as readonly number[];
  const out = new Uint8Array(4 * cells.length);
  const dv = new DataView(out.buffer);
  cells.forEach((c, i) => dv.setUint32(4 * i, c >>> 0));
  return out;
}

/** An {@link FdtNode} made from a {@link DtNode}. */
export function fromDtNode(n: DtNode): FdtNode {
  return {
    name: n.name,
    props: new Map(Object.entries(n.props).map(([k, val]) => [k, encodeDtValue(val)])),
    children: (n.children ?? []).map(fromDtNode),
  };
}

/** Encode `fdt` as a version-17 DTB. */
export function encodeFdt(fdt: Fdt): Uint8Array {
  const strings: number[] = [];
  const stringOff = new Map<string, number>();
  const nameOff = (s: string): number => {
    let o = stringOff.get(s);
    if (o === undefined) {
      o = strings.length;
      stringOff.set(s, o);
      strings.push(...utf8e.encode(s), 0);
    }
    return o;
  };
  const struct: number[] = [];
  const pad = () => {
    while (struct.length % 4) struct.push(0);
  };
  const u32 = (x: number) =>
    struct.push((x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff);
  const walk = (n: FdtNode) => {
    u32(FDT_BEGIN_NODE);
    struct.push(...utf8e.encode(n.name), 0);
    pad();
    for (const [k, val] of n.props) {
      u32(FDT_PROP);
      u32(val.length);
      u32(nameOff(k));
      for (const b of val) struct.push(b);
      pad();
    }
    n.children.forEach(walk);
    u32(FDT_END_NODE);
  };
  walk(fdt.root);
  u32(FDT_END);
  const offRsv = FDT_HEADER_SIZE;
  const rsvSize = 16 * (fdt.reservations.length + 1);
  const offStruct = offRsv + rsvSize;
  const offStrings = offStruct + struct.length;
  const total = (offStrings + strings.length + 7) & ~7;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, FDT_MAGIC);
  v.setUint32(4, total);
  v.setUint32(8, offStruct);
  v.setUint32(12, offStrings);
  v.setUint32(16, offRsv);
  v.setUint32(20, FDT_VERSION);
  v.setUint32(24, FDT_LAST_COMP_VERSION);
  v.setUint32(28, fdt.bootCpuid);
  v.setUint32(32, strings.length);
  v.setUint32(36, struct.length);
  fdt.reservations.forEach((r, i) => {
    v.setBigUint64(offRsv + 16 * i, r.address);
    v.setBigUint64(offRsv + 16 * i + 8, r.size);
  });
  out.set(struct, offStruct);
  out.set(strings, offStrings);
  return out;
}

/** The child of `node` named `name` (exactly, or `name@unit`). */
export function fdtChild(node: FdtNode, name: string): FdtNode | null {
  return node.children.find((c) => c.name === name || c.name.startsWith(name + "@")) ?? null;
}

/** The node at absolute `path` ("/a/b"). */
export function fdtFind(root: FdtNode, path: string): FdtNode | null {
  let n: FdtNode | null = root;
  for (const part of path.split("/").filter((s) => s.length > 0)) {
    if (n === null) return null;
    n = fdtChild(n, part);
  }
  return n;
}

/** The node whose `phandle` is `ph`. */
export function fdtByPhandle(root: FdtNode, ph: number): FdtNode | null {
  const cells = fdtCells(root, "phandle") ?? fdtCells(root, "linux,phandle");
  if (cells && cells[0] === ph) return root;
  for (const c of root.children) {
    const f = fdtByPhandle(c, ph);
    if (f) return f;
  }
  return null;
}

/** The big-endian u32 cells of a property, or null if absent or not a whole number of cells. */
export function fdtCells(node: FdtNode, prop: string): number[] | null {
  const b = node.props.get(prop);
  if (!b || b.length % 4 !== 0) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.length / 4 }, (_, i) => v.getUint32(4 * i));
}

/** A property read as one number of 1 or 2 cells, or null. */
export function fdtInteger(node: FdtNode, prop: string): bigint | null {
  const c = fdtCells(node, prop);
  if (c === null || c.length < 1 || c.length > 2) return null;
  return c.length === 1 ? BigInt(c[0]) : (BigInt(c[0]) << 32n) | BigInt(c[1]);
}

/** A property read as a string list, or null. */
export function fdtStrings(node: FdtNode, prop: string): string[] | null {
  const b = node.props.get(prop);
  if (!b || b.length === 0 || b[b.length - 1] !== 0) return null;
  return utf8.decode(b.subarray(0, b.length - 1)).split("\0");
}
