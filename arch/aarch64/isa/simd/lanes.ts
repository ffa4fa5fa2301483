/**
 * Lane arithmetic shared by the AdvSIMD integer classes: sign extension,
 * saturation (setting FPSR.QC), variable shifts (USHL/SSHL), and 64-bit lane
 * helpers on lo/hi halves. Lanes of up to 32 bits travel as unsigned JS
 * numbers; callers mask results to the lane width when storing.
 *
 * @module
 */
import type { CpuState } from "../../cpu/state.ts";
import { FPSR_QC } from "../../softfloat/mod.ts";

/** Sign-extend the low `esize` (8, 16, 32) bits of `a`. */
export function sx(a: number, esize: number): number {
  return esize === 32 ? a | 0 : (a << (32 - esize)) >> (32 - esize);
}

/** Mask of a lane of `esize` bits (esize <= 32), as an unsigned number. */
export function laneMask(esize: number): number {
  return esize === 32 ? 0xffffffff : (1 << esize) - 1;
}

/** Saturate signed `x` to `esize` bits (<= 32), setting FPSR.QC on saturation. */
export function satS(cpu: CpuState, x: number, esize: number): number {
  const max = esize === 32 ? 0x7fffffff : (1 << (esize - 1)) - 1;
  if (x > max) {
    cpu.fpsr |= FPSR_QC;
    return max;
  }
  if (x < -max - 1) {
    cpu.fpsr |= FPSR_QC;
    return -max - 1;
  }
  return x;
}

/** Saturate `x` to unsigned `esize` bits (<= 32), setting FPSR.QC on saturation. */
export function satU(cpu: CpuState, x: number, esize: number): number {
  const max = laneMask(esize);
  if (x > max) {
    cpu.fpsr |= FPSR_QC;
    return max;
  }
  if (x < 0) {
    cpu.fpsr |= FPSR_QC;
    return 0;
  }
  return x;
}

/**
 * USHL/SSHL on one lane of <= 32 bits: shift `a` left by the signed low byte
 * of `b` (negative = right; arithmetic when `signed`).
 */
export function shiftByReg(a: number, b: number, esize: number, signed: boolean): number {
  const sh = (b << 24) >> 24;
  if (sh >= 0) return sh >= esize ? 0 : (a << sh) >>> 0;
  const r = -sh;
  if (signed) {
    const s = sx(a, esize);
    return r >= esize ? (s < 0 ? -1 : 0) : s >> r;
  }
  return r >= esize ? 0 : a >>> r;
}

/** Result of the 64-bit lane helpers: [0] low, [1] high 32 bits. */
export const R64: Uint32Array = new Uint32Array(2);

/** 64-bit add of halves into {@link R64}. */
export function add64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  const s = aLo + bLo;
  R64[0] = s >>> 0;
  R64[1] = (aHi + bHi + (s > 0xffffffff ? 1 : 0)) >>> 0;
}

/** 64-bit subtract of halves into {@link R64}. */
export function sub64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  R64[0] = (aLo - bLo) >>> 0;
  R64[1] = (aHi - bHi - (aLo >>> 0 < bLo >>> 0 ? 1 : 0)) >>> 0;
}

/** Unsigned 64-bit compare: -1, 0, 1. */
export function cmpU64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  if (aHi >>> 0 !== bHi >>> 0) return aHi >>> 0 < bHi >>> 0 ? -1 : 1;
  if (aLo >>> 0 !== bLo >>> 0) return aLo >>> 0 < bLo >>> 0 ? -1 : 1;
  return 0;
}

/** Signed 64-bit compare: -1, 0, 1. */
export function cmpS64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  if ((aHi | 0) !== (bHi | 0)) return (aHi | 0) < (bHi | 0) ? -1 : 1;
  return cmpU64(aLo, 0, bLo, 0);
}

/** Logical shift left of a 64-bit value by 0..63 into {@link R64}. */
export function shl64(lo: number, hi: number, sh: number): void {
  if (sh === 0) {
    R64[0] = lo >>> 0;
    R64[1] = hi >>> 0;
  } else if (sh < 32) {
    R64[1] = ((hi << sh) | (lo >>> (32 - sh))) >>> 0;
    R64[0] = (lo << sh) >>> 0;
  } else if (sh < 64) {
    R64[1] = (lo << (sh - 32)) >>> 0;
    R64[0] = 0;
  } else R64[0] = R64[1] = 0;
}

/** Shift right of a 64-bit value by 0..64 (arithmetic when `signed`) into {@link R64}. */
export function shr64(lo: number, hi: number, sh: number, signed: boolean): void {
  if (sh === 0) {
    R64[0] = lo >>> 0;
    R64[1] = hi >>> 0;
  } else if (sh < 32) {
    R64[0] = ((lo >>> sh) | (hi << (32 - sh))) >>> 0;
    R64[1] = (signed ? (hi | 0) >> sh : hi >>> sh) >>> 0;
  } else if (sh < 64) {
    R64[0] = (signed ? (hi | 0) >> (sh - 32) : hi >>> (sh - 32)) >>> 0;
    R64[1] = signed ? ((hi | 0) >> 31) >>> 0 : 0;
  } else {
    const fill = signed ? ((hi | 0) >> 31) >>> 0 : 0;
    R64[0] = R64[1] = fill;
  }
}

/** USHL/SSHL on a 64-bit lane by the signed low byte of `b`, into {@link R64}. */
export function shiftByReg64(lo: number, hi: number, b: number, signed: boolean): void {
  const sh = (b << 24) >> 24;
  if (sh >= 0) shl64(lo, hi, sh > 64 ? 64 : sh);
  else shr64(lo, hi, -sh > 64 ? 64 : -sh, signed);
}

/**
 * Unsigned 32 x 32 -> 64-bit product of `a` and `b` into {@link R64}
 * (exact, via 16-bit partial products).
 */
export function mulU32(a: number, b: number): void {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = lh + hl; // < 2^33
  const lo = ll + (mid % 65536) * 65536; // < 2^49
  R64[0] = lo >>> 0;
  R64[1] = (hh + Math.floor(mid / 65536) + Math.floor(lo / 4294967296)) >>> 0;
}

/** Signed 32 x 32 -> 64-bit product into {@link R64}. */
export function mulS32(a: number, b: number): void {
  const neg = (a | 0) < 0 !== (b | 0) < 0;
  mulU32(Math.abs(a | 0), Math.abs(b | 0));
  if (neg) sub64(0, 0, R64[0], R64[1]);
}
