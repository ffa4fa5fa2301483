/**
 * Second-operand forms of the A64 data-processing (register) classes: the
 * shifted register (ShiftReg) and the extended register (ExtendReg), per the
 * Arm ARM shared pseudocode. 64-bit results go to `u64.out`.
 *
 * @module
 */
import type { CpuState } from "../../cpu/state.ts";
import { asr64, lsr64, out, ror64, shl64 } from "./u64.ts";

/** Shift types of the `shift` field (Arm ARM DecodeShift). */
export const enum ShiftType {
  LSL = 0,
  LSR = 1,
  ASR = 2,
  ROR = 3,
}

/** 64-bit ShiftReg: X[m] shifted by `type`/`amount` (0..63) into `out`. */
export function shiftReg64(cpu: CpuState, m: number, type: number, amount: number): void {
  const lo = cpu.xlo[m], hi = cpu.xhi[m];
  switch (type) {
    case ShiftType.LSL:
      shl64(lo, hi, amount);
      break;
    case ShiftType.LSR:
      lsr64(lo, hi, amount);
      break;
    case ShiftType.ASR:
      asr64(lo, hi, amount);
      break;
    default:
      ror64(lo, hi, amount);
  }
}

/** 32-bit ShiftReg: W[m] shifted by `type`/`amount` (0..31); unsigned result. */
export function shiftReg32(v: number, type: number, amount: number): number {
  switch (type) {
    case ShiftType.LSL:
      return (v << amount) >>> 0;
    case ShiftType.LSR:
      return v >>> amount;
    case ShiftType.ASR:
      return (v >> amount) >>> 0;
    default:
      return amount === 0 ? v >>> 0 : ((v >>> amount) | (v << (32 - amount))) >>> 0;
  }
}

/**
 * ExtendReg: X[m] extended per `option` (UXTB, UXTH, UXTW, UXTX, SXTB, SXTH,
 * SXTW, SXTX = 0..7) and shifted left by `shift` (0..4) into `out`.
 */
export function extendReg64(cpu: CpuState, m: number, option: number, shift: number): void {
  let lo = cpu.xlo[m], hi = cpu.xhi[m];
  switch (option) {
    case 0: // UXTB
      lo &= 0xff;
      hi = 0;
      break;
    case 1: // UXTH
      lo &= 0xffff;
      hi = 0;
      break;
    case 2: // UXTW
      hi = 0;
      break;
    case 3: // UXTX
      break;
    case 4: // SXTB
      lo = (lo << 24) >> 24;
      hi = lo >> 31;
      break;
    case 5: // SXTH
      lo = (lo << 16) >> 16;
      hi = lo >> 31;
      break;
    case 6: // SXTW
      hi = lo >> 31;
      break;
    default: // SXTX
      break;
  }
  shl64(lo >>> 0, hi >>> 0, shift);
}

export { out };
