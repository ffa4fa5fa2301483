/**
 * A writer (and reader, for tests and inspection) of the cpio "newc" format,
 * the format the Linux kernel unpacks an initramfs from
 * (Documentation/driver-api/early-userspace/buffer-format.rst).
 *
 * Output is deterministic: inode numbers are assigned in order and every
 * mtime is 0, so the same inputs give the same bytes.
 *
 * @module
 */

/** File-type bits of `st_mode` (POSIX `<sys/stat.h>`). */
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

/** newc magic (no checksum variant). */
const NEWC_MAGIC = "070701";
/** Name of the record that ends an archive. */
const TRAILER = "TRAILER!!!";

/** One archive member. */
export type CpioEntry =
  | { readonly type: "dir"; readonly path: string; readonly mode?: number }
  | {
    readonly type: "file";
    readonly path: string;
    readonly data: Uint8Array;
    readonly mode?: number;
  }
  | { readonly type: "symlink"; readonly path: string; readonly target: string }
  | {
    readonly type: "chardev";
    readonly path: string;
    readonly major: number;
    readonly minor: number;
    readonly mode?: number;
  };

const enc = new TextEncoder();
const dec = new TextDecoder();

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function checkPath(path: string): void {
  if (path.length === 0 || path.startsWith("/") || path.split("/").includes("..")) {
    throw new Error(`cpio: member path must be relative without '..': ${JSON.stringify(path)}`);
  }
}

/** Serialise `entries` (in order) as a newc archive with its trailer. */
export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    total += b.length;
  };
  const record = (
    ino: number,
    mode: number,
    data: Uint8Array,
    name: string,
    rmaj = 0,
    rmin = 0,
  ) => {
    const nameBytes = enc.encode(name + "\0");
    const header = NEWC_MAGIC + hex8(ino) + hex8(mode) + hex8(0) + hex8(0) +
      hex8((mode & 0o170000) === S_IFDIR ? 2 : 1) + hex8(0) + hex8(data.length) + hex8(0) +
      hex8(0) + hex8(rmaj) + hex8(rmin) + hex8(nameBytes.length) + hex8(0);
    push(enc.encode(header));
    push(nameBytes);
    push(new Uint8Array(pad4(110 + nameBytes.length)));
    push(data);
    push(new Uint8Array(pad4(data.length)));
  };
  let ino = 1;
  for (const e of entries) {
    checkPath(e.path);
    switch (e.type) {
      case "dir":
        record(ino++, S_IFDIR | (e.mode ?? 0o755), new Uint8Array(0), e.path);
        break;
      case "file":
        record(ino++, S_IFREG | (e.mode ?? 0o644), e.data, e.path);
        break;
      case "symlink":
        record(ino++, S_IFLNK | 0o777, enc.encode(e.target), e.path);
        break;
      case "chardev":
        record(ino++, S_IFCHR | (e.mode ?? 0o600), new Uint8Array(0), e.path, e.major, e.minor);
        break;
    }
  }
  record(0, 0, new Uint8Array(0), TRAILER);
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** A member as read back: its name, mode, data and device numbers. */
export interface CpioMember {
  readonly path: string;
  readonly mode: number;
  readonly data: Uint8Array;
  readonly rdevMajor: number;
  readonly rdevMinor: number;
}

/** Parse a newc archive (up to its trailer). Throws with the offset on malformed input. */
export function readCpio(bytes: Uint8Array): CpioMember[] {
  const out: CpioMember[] = [];
  let off = 0;
  for (;;) {
    if (off + 110 > bytes.length) throw new Error(`cpio: truncated header at offset ${off}`);
    const h = dec.decode(bytes.subarray(off, off + 110));
    if (!h.startsWith(NEWC_MAGIC)) throw new Error(`cpio: bad magic at offset ${off}`);
    const field = (i: number) => parseInt(h.slice(6 + i * 8, 14 + i * 8), 16);
    const mode = field(1), size = field(6), rmaj = field(9), rmin = field(10), nsize = field(11);
    const nameStart = off + 110;
    const name = dec.decode(bytes.subarray(nameStart, nameStart + nsize - 1));
    const dataStart = nameStart + nsize + pad4(110 + nsize);
    if (dataStart + size > bytes.length) throw new Error(`cpio: truncated data of ${name}`);
    if (name === TRAILER) return out;
    out.push({
      path: name,
      mode,
      data: bytes.slice(dataStart, dataStart + size),
      rdevMajor: rmaj,
      rdevMinor: rmin,
    });
    off = dataStart + size + pad4(size);
  }
}
