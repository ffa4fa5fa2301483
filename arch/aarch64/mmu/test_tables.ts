/**
 * Test support: builds VMSAv8-64 stage-1 translation tables in a test RAM.
 *
 * @module
 */
import type { TestMemory } from "../sys/test_support.ts";

/** Descriptor AF bit (10). */
export const D_AF = 1n << 10n;
/** Descriptor nG bit (11). */
export const D_NG = 1n << 11n;
/** AP[2:1] = 0b01: EL1 and EL0 read/write. */
export const D_AP_RW_ALL = 1n << 6n;
/** AP[2:1] = 0b10: EL1 read-only, no EL0 access. */
export const D_AP_RO_EL1 = 2n << 6n;
/** AP[2:1] = 0b11: read-only at EL1 and EL0. */
export const D_AP_RO_ALL = 3n << 6n;
/** PXN (bit 53). */
export const D_PXN = 1n << 53n;
/** UXN (bit 54). */
export const D_UXN = 1n << 54n;
/** AttrIndx field value. */
export function attrIndx(n: number): bigint {
  return BigInt(n) << 2n;
}
/** Default leaf attributes: AF, inner shareable, AttrIndx 0. */
export const D_DEFAULT = D_AF | (3n << 8n);

/** Builds tables for one granule and input size, allocating table pages upward from `next`. */
export class TableBuilder {
  readonly stride: number;
  readonly startLevel: number;
  readonly root: number;
  #next: number;

  constructor(
    readonly mem: TestMemory,
    readonly granuleShift: number,
    readonly inputBits: number,
    next: number,
  ) {
    this.stride = granuleShift - 3;
    this.startLevel = 4 - Math.ceil((inputBits - granuleShift) / this.stride);
    this.#next = next;
    this.root = this.#alloc();
  }

  #alloc(): number {
    const a = this.#next;
    this.#next += 2 ** this.granuleShift;
    return a;
  }

  #nextTable(d: bigint): number {
    return Number(d & 0x0000_ffff_ffff_f000n & ~((1n << BigInt(this.granuleShift)) - 1n));
  }

  #read(ipa: number): bigint {
    const lo = this.mem.read32(ipa), hi = this.mem.read32(ipa + 4);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Index of `va` at `level`. */
  index(va: bigint, level: number): number {
    const shift = BigInt(this.granuleShift + this.stride * (3 - level));
    const bits = level === this.startLevel
      ? this.inputBits - (this.granuleShift + this.stride * (3 - level))
      : this.stride;
    return Number((va >> shift) & ((1n << BigInt(bits)) - 1n));
  }

  /**
   * Map `va` to `oa` with a leaf at `leafLevel` (3 = page, else block) and
   * `attrs` (lower/upper attribute bits). `tableBits` are OR-ed into every
   * table descriptor created or traversed (APTable/UXNTable/PXNTable).
   */
  map(va: bigint, oa: number, leafLevel: number, attrs: bigint, tableBits = 0n): void {
    let table = this.root;
    for (let level = this.startLevel; level < leafLevel; level++) {
      const at = table + this.index(va, level) * 8;
      let d = this.#read(at);
      if ((d & 1n) === 0n) {
        d = BigInt(this.#alloc()) | 3n;
      }
      d |= tableBits;
      this.mem.write64(at, d);
      table = this.#nextTable(d);
    }
    const at = table + this.index(va, leafLevel) * 8;
    this.mem.write64(at, BigInt(oa) | attrs | (leafLevel === 3 ? 3n : 1n));
  }

  /** Write a raw descriptor for `va` at `level` (the tables above must exist). */
  setRaw(va: bigint, level: number, desc: bigint): void {
    let table = this.root;
    for (let l = this.startLevel; l < level; l++) {
      const d = this.#read(table + this.index(va, l) * 8);
      table = this.#nextTable(d);
    }
    this.mem.write64(table + this.index(va, level) * 8, desc);
  }
}
