/**
 * ELF64 little-endian AArch64 executables: the loadable segments and the
 * entry point, as QEMU's `load_elf` uses them for `-kernel guest.elf`
 * (segments at their physical addresses `p_paddr`, `p_memsz - p_filesz`
 * bytes of zeroes after the file data, entry `e_entry`).
 *
 * Source: System V ABI / ELF-64 Object File Format 1.5 (e_ident, Elf64_Ehdr,
 * Elf64_Phdr layouts); ELF for the Arm 64-bit Architecture (AArch64)
 * §5 (EM_AARCH64 = 183).
 *
 * @module
 */
import { BootImageError, hex } from "./errors.ts";

/** e_ident magic "\x7fELF". */
export const ELF_MAGIC = 0x464c457f;
/** e_ident[EI_CLASS] value for 64-bit objects. */
export const ELFCLASS64 = 2;
/** e_ident[EI_DATA] value for little-endian objects. */
export const ELFDATA2LSB = 1;
/** e_type values we load. */
export const ET_EXEC = 2;
export const ET_DYN = 3;
/** e_machine of AArch64. */
export const EM_AARCH64 = 183;
/** p_type of a loadable segment. */
export const PT_LOAD = 1;
/** Size of Elf64_Ehdr and of one Elf64_Phdr. */
export const ELF64_EHDR_SIZE = 64;
export const ELF64_PHDR_SIZE = 56;

/** One PT_LOAD segment to place in memory. */
export interface ElfSegment {
  /** Physical address (p_paddr). */
  readonly address: number;
  /** File bytes followed by zeroes up to p_memsz. */
  readonly data: Uint8Array;
}

/** A parsed executable. */
export interface ElfImage {
  /** e_entry. */
  readonly entry: number;
  /** The PT_LOAD segments with memory to fill. */
  readonly segments: readonly ElfSegment[];
  /** Lowest and one-past-highest address any segment occupies. */
  readonly low: number;
  /** One past the highest address any segment occupies. */
  readonly high: number;
}

/** Whether `bytes` starts with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 &&
    new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === ELF_MAGIC;
}

function u64(view: DataView, at: number, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new BootImageError(`kernel ELF: ${what} ${hex(v)} is beyond any guest physical address`);
  }
  return Number(v);
}

/**
 * Parse an AArch64 ELF64 executable; throws {@link BootImageError} for
 * anything we cannot load, including a segment larger than
 * `maxSegmentBytes` (the VM's RAM: checked before the segment is allocated).
 */
export function parseElf64(bytes: Uint8Array, maxSegmentBytes = Infinity): ElfImage {
  if (bytes.length < ELF64_EHDR_SIZE) {
    throw new BootImageError(
      `kernel ELF: ${bytes.length} bytes is shorter than the 64-byte ELF64 header (truncated?)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(0, true) !== ELF_MAGIC) {
    throw new BootImageError("kernel ELF: missing \\x7fELF magic");
  }
  if (bytes[4] !== ELFCLASS64) {
    throw new BootImageError(
      `kernel ELF: class ${
        bytes[4]
      } is not ELFCLASS64 (2); build the guest for AArch64 (aarch64-linux-gnu-gcc)`,
    );
  }
  if (bytes[5] !== ELFDATA2LSB) {
    throw new BootImageError(
      `kernel ELF: data encoding ${bytes[5]} is not little-endian (ELFDATA2LSB)`,
    );
  }
  const type = view.getUint16(16, true);
  if (type !== ET_EXEC && type !== ET_DYN) {
    throw new BootImageError(
      `kernel ELF: e_type ${type} is not an executable (ET_EXEC 2 or ET_DYN 3); link it (ld), do not pass a .o`,
    );
  }
  const machine = view.getUint16(18, true);
  if (machine !== EM_AARCH64) {
    throw new BootImageError(
      `kernel ELF: e_machine ${machine} is not EM_AARCH64 (183); build the guest for AArch64`,
    );
  }
  const entry = u64(view, 24, "e_entry");
  const phoff = u64(view, 32, "e_phoff");
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  if (phentsize !== ELF64_PHDR_SIZE) {
    throw new BootImageError(`kernel ELF: e_phentsize ${phentsize} is not ${ELF64_PHDR_SIZE}`);
  }
  if (phoff + phnum * phentsize > bytes.length) {
    throw new BootImageError(
      `kernel ELF: program headers [${phoff}, ${
        phoff + phnum * phentsize
      }) run past the ${bytes.length}-byte file (truncated?)`,
    );
  }
  const segments: ElfSegment[] = [];
  let low = Infinity;
  let high = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== PT_LOAD) continue;
    const offset = u64(view, ph + 8, `segment ${i} p_offset`);
    const paddr = u64(view, ph + 24, `segment ${i} p_paddr`);
    const filesz = u64(view, ph + 32, `segment ${i} p_filesz`);
    const memsz = u64(view, ph + 40, `segment ${i} p_memsz`);
    if (memsz === 0) continue;
    if (memsz > maxSegmentBytes) {
      // Refused before its zero-filled copy is allocated (fuzzing found "Array buffer
      // allocation failed" for a damaged p_memsz).
      throw new BootImageError(
        `kernel ELF: segment ${i} has p_memsz ${memsz}, more than the VM's ${maxSegmentBytes} ` +
          "bytes of RAM (damaged or not a kernel for this VM?)",
      );
    }
    if (filesz > memsz) {
      throw new BootImageError(
        `kernel ELF: segment ${i} has p_filesz ${filesz} > p_memsz ${memsz}`,
      );
    }
    if (offset + filesz > bytes.length) {
      throw new BootImageError(
        `kernel ELF: segment ${i} file data [${offset}, ${
          offset + filesz
        }) runs past the ${bytes.length}-byte file (truncated?)`,
      );
    }
    for (const s of segments) {
      if (paddr < s.address + s.data.length && s.address < paddr + memsz) {
        throw new BootImageError(
          `kernel ELF: segment ${i} at ${hex(paddr)} overlaps the segment at ${hex(s.address)}`,
        );
      }
    }
    const data = new Uint8Array(memsz); // zero-filled: the tail is .bss
    data.set(bytes.subarray(offset, offset + filesz));
    segments.push({ address: paddr, data });
    low = Math.min(low, paddr);
    high = Math.max(high, paddr + memsz);
  }
  if (segments.length === 0) {
    throw new BootImageError("kernel ELF: no PT_LOAD segment with memory to load");
  }
  if (!segments.some((s) => entry >= s.address && entry < s.address + s.data.length)) {
    throw new BootImageError(
      `kernel ELF: entry point ${hex(entry)} is not inside any loaded segment`,
    );
  }
  return { entry, segments, low, high };
}
