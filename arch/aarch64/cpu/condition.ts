/**
 * ConditionHolds() of the Arm ARM (shared pseudocode), on PSTATE.NZCV as
 * held in `CpuState.nzcv` (bits 31:28).
 *
 * @module
 */
import { FLAG_C, FLAG_N, FLAG_V, FLAG_Z } from "./state.ts";

/** Condition codes (Arm ARM C1.2.4, "Condition code"). */
export const enum Cond {
  EQ = 0,
  NE = 1,
  CS = 2,
  CC = 3,
  MI = 4,
  PL = 5,
  VS = 6,
  VC = 7,
  HI = 8,
  LS = 9,
  GE = 10,
  LT = 11,
  GT = 12,
  LE = 13,
  AL = 14,
  NV = 15,
}

/**
 * Whether condition `cond` (0..15) holds for `nzcv`. AL and NV both mean
 * "always" in A64.
 */
export function conditionHolds(cond: number, nzcv: number): boolean {
  let r: boolean;
  switch (cond >>> 1) {
    case 0: // EQ/NE
      r = (nzcv & FLAG_Z) !== 0;
      break;
    case 1: // CS/CC
      r = (nzcv & FLAG_C) !== 0;
      break;
    case 2: // MI/PL
      r = (nzcv & FLAG_N) !== 0;
      break;
    case 3: // VS/VC
      r = (nzcv & FLAG_V) !== 0;
      break;
    case 4: // HI/LS
      r = (nzcv & FLAG_C) !== 0 && (nzcv & FLAG_Z) === 0;
      break;
    case 5: // GE/LT
      r = ((nzcv & FLAG_N) !== 0) === ((nzcv & FLAG_V) !== 0);
      break;
    case 6: // GT/LE
      r = ((nzcv & FLAG_N) !== 0) === ((nzcv & FLAG_V) !== 0) && (nzcv & FLAG_Z) === 0;
      break;
    default: // AL/NV
      return true;
  }
  return (cond & 1) !== 0 ? !r : r;
}
