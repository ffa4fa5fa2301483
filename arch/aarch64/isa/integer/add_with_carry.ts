/**
 * AddWithCarry() of the Arm ARM shared pseudocode, writing the sum to a
 * register slot and (optionally) PSTATE.NZCV. Subtraction is x + NOT(y) + 1.
 *
 * @module
 */
import { type CpuState, FLAG_C, FLAG_N, FLAG_V, FLAG_Z } from "../../cpu/state.ts";

/**
 * 64-bit: X[d] = (ahi:alo) + (bhi:blo) + carryIn; when `setFlags`, NZCV from
 * the unsigned and signed overflow of the addition. Halves are unsigned.
 */
export function addWithCarry64(
  cpu: CpuState,
  d: number,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
  carryIn: number,
  setFlags: boolean,
): void {
  const sl = alo + blo + carryIn;
  const lo = sl >>> 0;
  const sh = ahi + bhi + (sl > 0xffffffff ? 1 : 0);
  const hi = sh >>> 0;
  if (setFlags) {
    cpu.nzcv = ((hi & FLAG_N) | ((lo | hi) === 0 ? FLAG_Z : 0) |
      (sh > 0xffffffff ? FLAG_C : 0) | ((((ahi ^ hi) & (bhi ^ hi)) >>> 31) !== 0 ? FLAG_V : 0)) >>>
      0;
  }
  cpu.xlo[d] = lo;
  cpu.xhi[d] = hi;
}

/** 32-bit: W[d] = a + b + carryIn (upper half of X[d] zeroed); NZCV when `setFlags`. */
export function addWithCarry32(
  cpu: CpuState,
  d: number,
  a: number,
  b: number,
  carryIn: number,
  setFlags: boolean,
): void {
  const s = a + b + carryIn;
  const r = s >>> 0;
  if (setFlags) {
    cpu.nzcv = ((r & FLAG_N) | (r === 0 ? FLAG_Z : 0) | (s > 0xffffffff ? FLAG_C : 0) |
      ((((a ^ r) & (b ^ r)) >>> 31) !== 0 ? FLAG_V : 0)) >>> 0;
  }
  cpu.xlo[d] = r;
  cpu.xhi[d] = 0;
}

/** NZCV of a result with C = V = 0 (logical ops with flags, e.g. ANDS): 64-bit. */
export function logicalFlags64(cpu: CpuState, lo: number, hi: number): void {
  cpu.nzcv = ((hi & FLAG_N) | ((lo | hi) === 0 ? FLAG_Z : 0)) >>> 0;
}

/** NZCV of a 32-bit result with C = V = 0. */
export function logicalFlags32(cpu: CpuState, r: number): void {
  cpu.nzcv = ((r & FLAG_N) | (r === 0 ? FLAG_Z : 0)) >>> 0;
}
