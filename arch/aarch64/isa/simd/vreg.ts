/**
 * Access to the SIMD&FP registers V0..V31 (held in `CpuState.v` as four
 * little-endian 32-bit words per register, with byte/halfword/float views),
 * shared by the FP and AdvSIMD groups.
 *
 * Architectural rule (Arm ARM, "SIMD and floating-point scalar register
 * names"): writing a scalar B/H/S/D register or a 64-bit vector (Q = 0)
 * zeroes the rest of the 128-bit register.
 *
 * @module
 */
import type { CpuState } from "../../cpu/state.ts";

/** Write single `bits` to S[d], zeroing bits 127:32. */
export function writeS(cpu: CpuState, d: number, bits: number): void {
  const v = cpu.v, i = d << 2;
  v[i] = bits;
  v[i + 1] = 0;
  v[i + 2] = 0;
  v[i + 3] = 0;
}

/** Write double `lo/hi` to D[d], zeroing bits 127:64. */
export function writeD(cpu: CpuState, d: number, lo: number, hi: number): void {
  const v = cpu.v, i = d << 2;
  v[i] = lo;
  v[i + 1] = hi;
  v[i + 2] = 0;
  v[i + 3] = 0;
}

/** Write half `bits` to H[d], zeroing bits 127:16. */
export function writeH(cpu: CpuState, d: number, bits: number): void {
  writeS(cpu, d, bits & 0xffff);
}

/** Write a scalar of format width `fmt` (16/32/64) to V[d] (zero-extended to 128 bits). */
export function writeFp(cpu: CpuState, fmt: number, d: number, lo: number, hi: number): void {
  if (fmt === 64) writeD(cpu, d, lo, hi);
  else if (fmt === 32) writeS(cpu, d, lo);
  else writeH(cpu, d, lo);
}

/** Low 32 bits of V[n] (S[n]); for H[n] mask with 0xffff. */
export function lo32(cpu: CpuState, n: number): number {
  return cpu.v[n << 2];
}

/** Bits 63:32 of V[n] (high half of D[n]). */
export function hi32(cpu: CpuState, n: number): number {
  return cpu.v[(n << 2) + 1];
}

/** The scalar of width `fmt` in V[n]: low 32 bits (masked for H). */
export function fpLo(cpu: CpuState, fmt: number, n: number): number {
  const w = cpu.v[n << 2];
  return fmt === 16 ? w & 0xffff : w;
}

/** High 32 bits of the scalar of width `fmt` in V[n] (0 unless double). */
export function fpHi(cpu: CpuState, fmt: number, n: number): number {
  return fmt === 64 ? cpu.v[(n << 2) + 1] : 0;
}

/** Zero bits 127:64 of V[d] (after writing a 64-bit vector, Q = 0). */
export function clearHigh(cpu: CpuState, d: number): void {
  cpu.v[(d << 2) + 2] = 0;
  cpu.v[(d << 2) + 3] = 0;
}

/**
 * A 128-bit scratch vector with byte/halfword/word views, for results that
 * must not overwrite sources before they are read (Vd may equal Vn/Vm).
 */
export class VScratch {
  readonly w: Uint32Array = new Uint32Array(4);
  readonly b: Uint8Array = new Uint8Array(this.w.buffer);
  readonly h: Uint16Array = new Uint16Array(this.w.buffer);
  /** Copy into V[d]: all 128 bits, or the low 64 with the rest zeroed when `q` is false. */
  commit(cpu: CpuState, d: number, q: boolean): void {
    const v = cpu.v, i = d << 2, w = this.w;
    v[i] = w[0];
    v[i + 1] = w[1];
    v[i + 2] = q ? w[2] : 0;
    v[i + 3] = q ? w[3] : 0;
  }
}

/** Read element `i` of width `esize` (8, 16, 32) of V[n], unsigned. */
export function elem(cpu: CpuState, n: number, i: number, esize: number): number {
  if (esize === 8) return cpu.vb[(n << 4) + i];
  if (esize === 16) return cpu.vh[(n << 3) + i];
  return cpu.v[(n << 2) + i];
}

/** Write element `i` of width `esize` (8, 16, 32) of V[n] (other bits unchanged). */
export function setElem(cpu: CpuState, n: number, i: number, esize: number, x: number): void {
  if (esize === 8) cpu.vb[(n << 4) + i] = x;
  else if (esize === 16) cpu.vh[(n << 3) + i] = x;
  else cpu.v[(n << 2) + i] = x;
}

/** Read element `i` of width `esize` (8, 16, 32) of a scratch vector. */
export function sElem(s: VScratch, i: number, esize: number): number {
  return esize === 8 ? s.b[i] : esize === 16 ? s.h[i] : s.w[i];
}

/** Write element `i` of width `esize` (8, 16, 32) of a scratch vector. */
export function setSElem(s: VScratch, i: number, esize: number, x: number): void {
  if (esize === 8) s.b[i] = x;
  else if (esize === 16) s.h[i] = x;
  else s.w[i] = x;
}
