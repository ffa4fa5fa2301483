/**
 * FDT reader: a devicetree blob back to a {@link DtNode} tree.
 *
 * Every offset and length in the blob is checked against its block before it
 * is used, so a malformed blob raises {@link FdtError} with the byte offset
 * and what was wrong, never an out-of-range read.
 *
 * Property values are typed the way `dtc -O dts` guesses them: an empty value
 * is `true`; NUL-terminated printable strings are a string (or string list);
 * otherwise a multiple of 4 bytes is a list of u32 cells; anything else stays
 * a `Uint8Array`. Pass `{ raw: true }` to get every value as bytes.
 *
 * @example
 * ```ts
 * import { decodeFdt } from "./reader.ts";
 * import { encodeFdt } from "./writer.ts";
 * const { root } = decodeFdt(encodeFdt({ name: "", props: { model: "x" } }));
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
  FDT_MAGIC,
  FDT_NOP,
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
  FdtError,
  type FdtReservation,
} from "./format.ts";

/** A decoded blob. */
export interface DecodedFdt {
  /** The root node (named `""`). */
  readonly root: DtNode;
  /** Memory reservation block entries, without the terminator. */
  readonly reservations: readonly FdtReservation[];
  /** Header `version`. */
  readonly version: number;
  /** Header `last_comp_version`. */
  readonly lastCompVersion: number;
  /** Header `boot_cpuid_phys`. */
  readonly bootCpuidPhys: number;
}

/** Options of {@link decodeFdt}. */
export interface FdtReadOptions {
  /** Return every property value as its raw bytes. */
  readonly raw?: boolean;
}

/** Oldest blob version we read: 16 has all the fields we rely on (Spec §5.2). */
const MIN_READ_VERSION = 16;

const textDecoder = new TextDecoder("utf-8", { fatal: false });

/** Type a property value the way `dtc -O dts` would print it. */
export function guessDtValue(bytes: Uint8Array): DtValue {
  if (bytes.length === 0) return true;
  if (bytes[bytes.length - 1] === 0) {
    let printable = true;
    let prevNul = true; // an empty string (two NULs in a row, or a leading NUL) is not text
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0) {
        if (prevNul) {
          printable = false;
          break;
        }
        prevNul = true;
      } else if (b < 0x20 || b > 0x7e) {
        printable = false;
        break;
      } else {
        prevNul = false;
      }
    }
    if (printable) {
      const list = textDecoder.decode(bytes.subarray(0, bytes.length - 1)).split("\0");
      return list.length === 1 ? list[0] : list;
    }
  }
  if (bytes.length % 4 === 0) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const cells: number[] = [];
    for (let i = 0; i < bytes.length; i += 4) cells.push(view.getUint32(i));
    return cells;
  }
  return bytes.slice();
}

/** Decode a DTB. Throws {@link FdtError} describing the first problem found. */
export function decodeFdt(blob: Uint8Array, options: FdtReadOptions = {}): DecodedFdt {
  if (blob.length < FDT_HEADER_SIZE) {
    throw new FdtError(
      `blob is ${blob.length} bytes, shorter than the ${FDT_HEADER_SIZE}-byte FDT header`,
    );
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.length);
  const magic = view.getUint32(FDT_OFF_MAGIC);
  if (magic !== FDT_MAGIC) {
    throw new FdtError(
      `bad magic 0x${
        magic.toString(16).padStart(8, "0")
      } (expected 0xd00dfeed): not a devicetree blob`,
    );
  }
  const totalsize = view.getUint32(FDT_OFF_TOTALSIZE);
  const offStruct = view.getUint32(FDT_OFF_DT_STRUCT);
  const offStrings = view.getUint32(FDT_OFF_DT_STRINGS);
  const offRsv = view.getUint32(FDT_OFF_MEM_RSVMAP);
  const version = view.getUint32(FDT_OFF_VERSION);
  const lastComp = view.getUint32(FDT_OFF_LAST_COMP_VERSION);
  const bootCpuidPhys = view.getUint32(FDT_OFF_BOOT_CPUID_PHYS);
  const sizeStrings = view.getUint32(FDT_OFF_SIZE_DT_STRINGS);
  const sizeStruct = view.getUint32(FDT_OFF_SIZE_DT_STRUCT);

  if (totalsize > blob.length) {
    throw new FdtError(
      `header totalsize ${totalsize} exceeds the ${blob.length} bytes given (truncated blob?)`,
    );
  }
  if (totalsize < FDT_HEADER_SIZE) throw new FdtError(`header totalsize ${totalsize} is too small`);
  if (version < MIN_READ_VERSION || lastComp > 17) {
    throw new FdtError(
      `unsupported FDT version ${version} (last compatible ${lastComp}); versions 16 and 17 are read`,
    );
  }
  const within = (what: string, off: number, size: number): void => {
    if (off < FDT_HEADER_SIZE || off + size > totalsize) {
      throw new FdtError(
        `${what} [${off}, ${
          off + size
        }) lies outside the blob (header ${FDT_HEADER_SIZE}, totalsize ${totalsize})`,
      );
    }
  };
  within("structure block", offStruct, sizeStruct);
  within("strings block", offStrings, sizeStrings);
  if (offStruct % 4 !== 0) {
    throw new FdtError(`structure block offset ${offStruct} is not 4-byte aligned`);
  }
  if (offRsv % 8 !== 0) {
    throw new FdtError(`memory reservation block offset ${offRsv} is not 8-byte aligned`);
  }

  // Memory reservation block: u64 pairs up to a {0, 0} terminator.
  const reservations: FdtReservation[] = [];
  for (let at = offRsv;; at += 16) {
    within("memory reservation entry", at, 16);
    const address = view.getBigUint64(at);
    const size = view.getBigUint64(at + 8);
    if (address === 0n && size === 0n) break;
    reservations.push({ address, size });
  }

  const stringAt = (nameoff: number, where: number): string => {
    if (nameoff >= sizeStrings) {
      throw new FdtError(
        `property at struct offset ${where}: nameoff ${nameoff} is past the strings block (${sizeStrings} bytes)`,
      );
    }
    const start = offStrings + nameoff;
    const end = blob.indexOf(0, start);
    if (end < 0 || end >= offStrings + sizeStrings) {
      throw new FdtError(
        `property at struct offset ${where}: name at strings offset ${nameoff} is not NUL-terminated`,
      );
    }
    return textDecoder.decode(blob.subarray(start, end));
  };

  const structEnd = offStruct + sizeStruct;
  let p = offStruct;
  const word = (): number => {
    if (p + 4 > structEnd) throw new FdtError(`structure block ends inside a token at offset ${p}`);
    const v = view.getUint32(p);
    p += 4;
    return v;
  };

  interface Building {
    name: string;
    props: Record<string, DtValue>;
    children: DtNode[];
  }
  const stack: Building[] = [];
  let root: DtNode | null = null;

  for (;;) {
    const tokenAt = p;
    const token = word();
    if (token === FDT_NOP) continue;
    if (token === FDT_BEGIN_NODE) {
      if (root !== null) throw new FdtError(`second root node at struct offset ${tokenAt}`);
      const end = blob.indexOf(0, p);
      if (end < 0 || end >= structEnd) {
        throw new FdtError(`node name at struct offset ${p} is not NUL-terminated`);
      }
      const name = textDecoder.decode(blob.subarray(p, end));
      p = (end + 1 + 3) & ~3;
      if (stack.length === 0 && name !== "") {
        throw new FdtError(`the root node has name ${JSON.stringify(name)} (expected "")`);
      }
      stack.push({ name, props: {}, children: [] });
    } else if (token === FDT_END_NODE) {
      const done = stack.pop();
      if (!done) {
        throw new FdtError(`END_NODE without a matching BEGIN_NODE at struct offset ${tokenAt}`);
      }
      const node: DtNode = done.children.length > 0
        ? { name: done.name, props: done.props, children: done.children }
        : { name: done.name, props: done.props };
      if (stack.length === 0) root = node;
      else stack[stack.length - 1].children.push(node);
    } else if (token === FDT_PROP) {
      const len = word();
      const nameoff = word();
      const node = stack[stack.length - 1];
      if (!node) throw new FdtError(`property outside any node at struct offset ${tokenAt}`);
      if (p + len > structEnd) {
        throw new FdtError(
          `property at struct offset ${tokenAt}: value of ${len} bytes runs past the structure block`,
        );
      }
      const name = stringAt(nameoff, tokenAt);
      const bytes = blob.slice(p, p + len);
      p = (p + len + 3) & ~3;
      if (Object.hasOwn(node.props, name)) {
        throw new FdtError(
          `duplicate property ${JSON.stringify(name)} at struct offset ${tokenAt}`,
        );
      }
      node.props[name] = options.raw ? bytes : guessDtValue(bytes);
    } else if (token === FDT_END) {
      if (stack.length !== 0) {
        throw new FdtError(
          `END token at struct offset ${tokenAt} with ${stack.length} node(s) still open`,
        );
      }
      break;
    } else {
      throw new FdtError(
        `unknown structure token 0x${token.toString(16)} at struct offset ${tokenAt}`,
      );
    }
  }
  if (root === null) throw new FdtError("the structure block holds no root node");
  return { root, reservations, version, lastCompVersion: lastComp, bootCpuidPhys };
}
