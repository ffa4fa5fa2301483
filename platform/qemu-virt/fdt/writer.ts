/**
 * FDT writer: a {@link DtNode} tree to a version-17 devicetree blob.
 *
 * Layout (Devicetree Specification v0.4 §5.1): header, memory reservation
 * block (8-byte aligned, terminated by a {0, 0} entry), structure block,
 * strings block; `totalsize` is padded to a multiple of 8.
 *
 * Property values are encoded by their JavaScript type: a string becomes a
 * NUL-terminated string, a string array a string list, a number array a list
 * of big-endian u32 cells, a `Uint8Array` raw bytes and `true` an empty
 * (boolean) property.
 *
 * @example
 * ```ts
 * import { encodeFdt } from "./writer.ts";
 * const dtb = encodeFdt({ name: "", props: { compatible: "linux,dummy-virt" } });
 * ```
 *
 * @module
 */
import type { DtNode, DtValue } from "@gunyah-ts/core/plugin";
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_HEADER_SIZE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_MAX_NODE_NAME,
  FDT_MAX_PROP_NAME,
  FDT_OFF_BOOT_CPUID_PHYS,
  FDT_OFF_DT_STRINGS,
  FDT_OFF_DT_STRUCT,
  FDT_OFF_LAST_COMP_VERSION,
  FDT_OFF_MAGIC,
  FDT_OFF_MEM_RSVMAP,
  FDT_OFF_SIZE_DT_STRINGS,
  FDT_OFF_SIZE_DT_STRUCT,
  FDT_OFF_TOTALSIZE,
  FDT_OFF_VERSION,
  FDT_PROP,
  FDT_RSVMAP_ALIGN,
  FDT_TOTALSIZE_ALIGN,
  FDT_VERSION,
  FdtError,
  type FdtReservation,
} from "./format.ts";

/** Options of {@link encodeFdt}. */
export interface FdtWriteOptions {
  /** Memory reservation block entries (default none). */
  readonly reservations?: readonly FdtReservation[];
  /** Header `boot_cpuid_phys` (default 0). */
  readonly bootCpuidPhys?: number;
}

/** Characters allowed in a node name and unit address (Devicetree Spec §2.2.1, Table 2.1). */
const NODE_NAME_RE = /^[A-Za-z0-9,._+-]+(@[A-Za-z0-9,._+-]+)?$/;
/** Characters allowed in a property name (Devicetree Spec §2.2.4.1, Table 2.2). */
const PROP_NAME_RE = /^[A-Za-z0-9,._+?#-]+$/;

const textEncoder = new TextEncoder();

/** Growable big-endian byte buffer (cold path: devicetrees are built once per VM). */
class ByteSink {
  bytes = new Uint8Array(4096);
  view = new DataView(this.bytes.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0);
    this.length += 4;
  }
  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }
  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.reserve(pad);
    this.bytes.fill(0, this.length, this.length + pad);
    this.length += pad;
  }
  take(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Encode one property value to its bytes; `where` names it in errors. */
export function encodeDtValue(value: DtValue, where: string): Uint8Array {
  if (value === true) return new Uint8Array(0);
  if (typeof value === "string") return encodeStrings([value], where);
  if (value instanceof Uint8Array) return value;
  if (value.length === 0) return new Uint8Array(0);
  if (typeof value[0] === "string") return encodeStrings(value as readonly string[], where);
  const cells = value as readonly number[];
  const out = new Uint8Array(cells.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0 || c > 0xffffffff) {
      throw new FdtError(
        `${where}: cell ${i} is ${String(c)}; cells must be integers in 0..0xffffffff ` +
          `(split 64-bit values with cells64())`,
      );
    }
    view.setUint32(i * 4, c);
  }
  return out;
}

function encodeStrings(list: readonly string[], where: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const s of list) {
    if (typeof s !== "string") {
      throw new FdtError(`${where}: a string list may only hold strings, found ${typeof s}`);
    }
    if (s.includes("\0")) throw new FdtError(`${where}: string ${JSON.stringify(s)} contains NUL`);
    const b = textEncoder.encode(s);
    parts.push(b);
    size += b.length + 1;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length + 1;
  }
  return out;
}

/**
 * Split a 64-bit value into the two big-endian cells devicetree uses for
 * `#address-cells = <2>` / `#size-cells = <2>`: `[high, low]`.
 */
export function cells64(value: number | bigint): [number, number] {
  const v = BigInt(value);
  if (v < 0n || v > 0xffff_ffff_ffff_ffffn) {
    throw new FdtError(`cells64: ${value} does not fit in 64 bits`);
  }
  return [Number(v >> 32n), Number(v & 0xffff_ffffn)];
}

/**
 * Encode a devicetree (root node named `""`) into a DTB blob.
 * Throws {@link FdtError} with the node path for invalid names, values or
 * duplicate phandles / child names.
 */
export function encodeFdt(root: DtNode, options: FdtWriteOptions = {}): Uint8Array {
  if (root.name !== "") {
    throw new FdtError(`the root node must be named "" (found ${JSON.stringify(root.name)})`);
  }
  const strings = new ByteSink();
  const stringOffsets = new Map<string, number>();
  const phandles = new Map<number, string>();
  const struct = new ByteSink();

  const nameOffset = (name: string): number => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = strings.length;
      strings.raw(textEncoder.encode(name));
      strings.raw(new Uint8Array(1));
      stringOffsets.set(name, off);
    }
    return off;
  };

  const emitNode = (node: DtNode, path: string): void => {
    struct.u32(FDT_BEGIN_NODE);
    struct.raw(textEncoder.encode(node.name));
    struct.raw(new Uint8Array(1));
    struct.align(4);
    for (const [prop, value] of Object.entries(node.props)) {
      const where = `${path || "/"}:${prop}`;
      if (!PROP_NAME_RE.test(prop) || prop.length > FDT_MAX_PROP_NAME) {
        throw new FdtError(
          `${where}: invalid property name (1-${FDT_MAX_PROP_NAME} of A-Z a-z 0-9 , . _ + ? # -)`,
        );
      }
      const bytes = encodeDtValue(value, where);
      if (prop === "phandle" || prop === "linux,phandle") {
        if (bytes.length !== 4) throw new FdtError(`${where}: a phandle is exactly one cell`);
        const ph = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
        if (ph === 0 || ph === 0xffffffff) {
          throw new FdtError(`${where}: phandle ${ph} is reserved (Devicetree Spec §2.3.3)`);
        }
        const other = phandles.get(ph);
        if (other !== undefined && other !== path) {
          throw new FdtError(`${where}: phandle 0x${ph.toString(16)} already used by ${other}`);
        }
        phandles.set(ph, path);
      }
      struct.u32(FDT_PROP);
      struct.u32(bytes.length);
      struct.u32(nameOffset(prop));
      struct.raw(bytes);
      struct.align(4);
    }
    const seen = new Set<string>();
    for (const child of node.children ?? []) {
      const childPath = `${path}/${child.name}`;
      const base = child.name.split("@")[0];
      if (!NODE_NAME_RE.test(child.name) || base.length > FDT_MAX_NODE_NAME) {
        throw new FdtError(
          `${childPath}: invalid node name (1-${FDT_MAX_NODE_NAME} of A-Z a-z 0-9 , . _ + - ` +
            `and an optional @unit-address)`,
        );
      }
      if (seen.has(child.name)) throw new FdtError(`${childPath}: duplicate node name`);
      seen.add(child.name);
      emitNode(child, childPath);
    }
    struct.u32(FDT_END_NODE);
  };

  emitNode(root, "");
  struct.u32(FDT_END);

  const reservations = options.reservations ?? [];
  const rsvSize = (reservations.length + 1) * 16;
  const offRsv = FDT_HEADER_SIZE; // 40 is already 8-byte aligned
  const offStruct = offRsv + rsvSize;
  const offStrings = offStruct + struct.length;
  const unpadded = offStrings + strings.length;
  const totalsize = Math.ceil(unpadded / FDT_TOTALSIZE_ALIGN) * FDT_TOTALSIZE_ALIGN;
  if (offRsv % FDT_RSVMAP_ALIGN !== 0) throw new FdtError("internal: reserve map misaligned");

  const out = new Uint8Array(totalsize);
  const view = new DataView(out.buffer);
  view.setUint32(FDT_OFF_MAGIC, FDT_MAGIC);
  view.setUint32(FDT_OFF_TOTALSIZE, totalsize);
  view.setUint32(FDT_OFF_DT_STRUCT, offStruct);
  view.setUint32(FDT_OFF_DT_STRINGS, offStrings);
  view.setUint32(FDT_OFF_MEM_RSVMAP, offRsv);
  view.setUint32(FDT_OFF_VERSION, FDT_VERSION);
  view.setUint32(FDT_OFF_LAST_COMP_VERSION, FDT_LAST_COMP_VERSION);
  view.setUint32(FDT_OFF_BOOT_CPUID_PHYS, options.bootCpuidPhys ?? 0);
  view.setUint32(FDT_OFF_SIZE_DT_STRINGS, strings.length);
  view.setUint32(FDT_OFF_SIZE_DT_STRUCT, struct.length);
  reservations.forEach((r, i) => {
    if (r.address < 0n || r.size < 0n) throw new FdtError(`reservation ${i} is negative`);
    view.setBigUint64(offRsv + i * 16, r.address);
    view.setBigUint64(offRsv + i * 16 + 8, r.size);
  });
  out.set(struct.take(), offStruct);
  out.set(strings.take(), offStrings);
  return out;
}
