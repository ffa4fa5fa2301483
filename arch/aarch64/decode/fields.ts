/**
 * Register-field extraction shared by the instruction handlers, with the
 * A64 meaning of register number 31 resolved to a register-file slot
 * (cpu/state.ts): `R_ZR` (31, reads zero), `R_DISCARD` (writes to XZR/WZR
 * go nowhere) or `R_SP` (the current stack pointer), as the instruction's
 * description in the Arm ARM says.
 *
 * @module
 */
import { R_DISCARD, R_SP } from "../cpu/state.ts";

/** Rd (bits 4:0) as a destination where 31 means XZR: writes are discarded. */
export function rdZr(insn: number): number {
  const r = insn & 31;
  return r === 31 ? R_DISCARD : r;
}

/** Rd (bits 4:0) where 31 means SP. */
export function rdSp(insn: number): number {
  const r = insn & 31;
  return r === 31 ? R_SP : r;
}

/** Rn (bits 9:5) as a source where 31 means XZR (slot 31 reads zero). */
export function rnZr(insn: number): number {
  return (insn >>> 5) & 31;
}

/** Rn (bits 9:5) where 31 means SP. */
export function rnSp(insn: number): number {
  const r = (insn >>> 5) & 31;
  return r === 31 ? R_SP : r;
}

/** Rm (bits 20:16) as a source where 31 means XZR. */
export function rmZr(insn: number): number {
  return (insn >>> 16) & 31;
}

/** Ra / Rt2 (bits 14:10) as a source where 31 means XZR. */
export function raZr(insn: number): number {
  return (insn >>> 10) & 31;
}

/** Rt2 (bits 14:10) as a destination where 31 means XZR. */
export function rt2Zr(insn: number): number {
  const r = (insn >>> 10) & 31;
  return r === 31 ? R_DISCARD : r;
}

/** Rs (bits 20:16) as a destination where 31 means XZR (store-exclusive status). */
export function rsZr(insn: number): number {
  const r = (insn >>> 16) & 31;
  return r === 31 ? R_DISCARD : r;
}
