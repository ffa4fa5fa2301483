/**
 * Transfers between memory and SIMD&FP registers of 1, 2, 4, 8 or 16 bytes
 * (little-endian, through the MMU layer), shared by the register and
 * structure load/store classes. A 16-byte access is two 8-byte accesses.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import { readMem, writeMem } from "../../mmu/access.ts";

/**
 * Values read by {@link readV}: up to 128 bits as four words, so callers
 * can finish every read before writing any register (a fault then leaves
 * the registers untouched).
 */
export const loaded: Uint32Array = new Uint32Array(4);

/** Read `bytes` (1, 2, 4, 8, 16) at `lo/hi` into `loaded[at .. at+3]` (zero-extended). */
export function readV(
  cpu: Cpu,
  lo: number,
  hi: number,
  bytes: number,
  into: Uint32Array,
  at: number,
): void {
  if (bytes === 16) {
    into[at] = readMem(cpu, lo, hi, 8, 0);
    into[at + 1] = cpu.memHi;
    const s = lo + 8;
    into[at + 2] = readMem(cpu, s >>> 0, s > 0xffffffff ? (hi + 1) >>> 0 : hi, 8, 0);
    into[at + 3] = cpu.memHi;
    return;
  }
  into[at] = readMem(cpu, lo, hi, bytes, 0);
  into[at + 1] = bytes === 8 ? cpu.memHi : 0;
  into[at + 2] = 0;
  into[at + 3] = 0;
}

/** Write the low `bytes` (1, 2, 4, 8, 16) of V[t] at `lo/hi`. */
export function writeV(cpu: Cpu, t: number, lo: number, hi: number, bytes: number): void {
  const v = cpu.v, i = t << 2;
  if (bytes === 16) {
    writeMem(cpu, lo, hi, 8, v[i], v[i + 1], 0);
    const s = lo + 8;
    writeMem(cpu, s >>> 0, s > 0xffffffff ? (hi + 1) >>> 0 : hi, 8, v[i + 2], v[i + 3], 0);
    return;
  }
  writeMem(cpu, lo, hi, bytes, v[i], v[i + 1], 0);
}

/** Copy four words from `from[at..]` to V[t]. */
export function setV(cpu: Cpu, t: number, from: Uint32Array, at: number): void {
  const v = cpu.v, i = t << 2;
  v[i] = from[at];
  v[i + 1] = from[at + 1];
  v[i + 2] = from[at + 2];
  v[i + 3] = from[at + 3];
}

/** High half of the last {@link addOffset} (a typed array: storing allocates nothing). */
const high = new Uint32Array(1);

/** `lo/hi + offset` (signed offset, |offset| < 2^52): low half; high half via {@link sumHi}. */
export function addOffset(lo: number, hi: number, offset: number): number {
  const s = lo + offset;
  high[0] = (hi + Math.floor(s / 0x100000000)) >>> 0;
  return s >>> 0;
}

/** High half of the last {@link addOffset}. */
export function sumHi(): number {
  return high[0];
}
