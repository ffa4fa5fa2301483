/**
 * FPUnpack and NaN handling (Arm ARM pseudocode `FPUnpackBase`,
 * `FPProcessNaN`, `FPProcessNaNs`, `FPProcessNaNs3`, `FPDefaultNaN`).
 *
 * Up to three operands are unpacked into slots 0..2 of {@link U_TYPE},
 * {@link U_SIGN} and {@link U_VAL} (the value as a JS double, exact for every
 * format; ±0 for flushed denormals, ±Infinity for infinities, 0 for NaNs).
 *
 * @module
 */
import { FMT_D, FMT_H, FMT_S, T_INF, T_NONZERO, T_QNAN, T_SNAN, T_ZERO } from "./format.ts";
import { FPCR_AHP, FPCR_DN, FPCR_FZ, type FpEnv, FPSR_IDC, FPSR_IOC } from "./fpcr.ts";
import { FP_RESULT, SCR_F32, SCR_F64, SCR_U32 } from "./round.ts";

/** Operand class of each unpacked slot (T_*). */
export const U_TYPE = new Int32Array(3);
/** Sign bit of each unpacked slot. */
export const U_SIGN = new Int32Array(3);
/** Value of each unpacked slot. */
export const U_VAL = new Float64Array(3);

/**
 * Unpack operand `lo`/`hi` of `fmt` into `slot`. With `fz` set, a denormal
 * single/double input becomes zero and raises Input Denormal (FPCR.FZ);
 * half-precision inputs are never flushed (no FEAT_FP16 arithmetic, so FZ16
 * does not apply).
 */
export function unpack(
  fmt: number,
  lo: number,
  hi: number,
  slot: number,
  env: FpEnv,
  fz: boolean,
): void {
  let sign: number, type: number, val: number;
  if (fmt === FMT_D) {
    sign = hi >>> 31;
    const exp = (hi >>> 20) & 0x7ff;
    const fhi = hi & 0xfffff;
    if (exp === 0) {
      if ((fhi | lo) === 0) {
        type = T_ZERO;
        val = sign ? -0 : 0;
      } else if (fz) {
        type = T_ZERO;
        val = sign ? -0 : 0;
        env.fpsr |= FPSR_IDC;
      } else {
        type = T_NONZERO;
        SCR_U32[0] = lo;
        SCR_U32[1] = hi;
        val = SCR_F64[0];
      }
    } else if (exp === 0x7ff) {
      if ((fhi | lo) === 0) {
        type = T_INF;
        val = sign ? -Infinity : Infinity;
      } else {
        type = (fhi & 0x80000) !== 0 ? T_QNAN : T_SNAN;
        val = 0;
      }
    } else {
      type = T_NONZERO;
      SCR_U32[0] = lo;
      SCR_U32[1] = hi;
      val = SCR_F64[0];
    }
  } else if (fmt === FMT_S) {
    sign = lo >>> 31;
    const exp = (lo >>> 23) & 0xff;
    const frac = lo & 0x7fffff;
    if (exp === 0) {
      if (frac === 0 || fz) {
        if (frac !== 0) env.fpsr |= FPSR_IDC;
        type = T_ZERO;
        val = sign ? -0 : 0;
      } else {
        type = T_NONZERO;
        SCR_U32[0] = lo;
        val = SCR_F32[0];
      }
    } else if (exp === 0xff) {
      if (frac === 0) {
        type = T_INF;
        val = sign ? -Infinity : Infinity;
      } else {
        type = (frac & 0x400000) !== 0 ? T_QNAN : T_SNAN;
        val = 0;
      }
    } else {
      type = T_NONZERO;
      SCR_U32[0] = lo;
      val = SCR_F32[0];
    }
  } else {
    sign = (lo >>> 15) & 1;
    const exp = (lo >>> 10) & 0x1f;
    const frac = lo & 0x3ff;
    // FPCR.AHP: the alternative half-precision format has no infinities or NaNs.
    if (exp === 0x1f && (env.fpcr & FPCR_AHP) === 0) {
      if (frac === 0) {
        type = T_INF;
        val = sign ? -Infinity : Infinity;
      } else {
        type = (frac & 0x200) !== 0 ? T_QNAN : T_SNAN;
        val = 0;
      }
    } else if (exp === 0 && frac === 0) {
      type = T_ZERO;
      val = sign ? -0 : 0;
    } else {
      type = T_NONZERO;
      // 2^-24 units for denormals, (1024 + frac) * 2^(exp - 25) for normals.
      val = exp === 0 ? frac * 5.960464477539063e-8 : (1024 + frac) * Math.pow(2, exp - 25);
      if (sign) val = -val;
    }
  }
  U_TYPE[slot] = type;
  U_SIGN[slot] = sign;
  U_VAL[slot] = val;
}

/** True when FPCR.FZ applies to this format (single and double only). */
export function flushes(fmt: number, env: FpEnv): boolean {
  return fmt !== FMT_H && (env.fpcr & FPCR_FZ) !== 0;
}

/** Write the default NaN of `fmt` (positive, quiet, zero payload) to FP_RESULT. */
export function writeDefaultNaN(fmt: number): void {
  FP_RESULT[1] = fmt === FMT_D ? 0x7ff80000 : 0;
  FP_RESULT[0] = fmt === FMT_D ? 0 : fmt === FMT_S ? 0x7fc00000 : 0x7e00;
}

/**
 * FPProcessNaN: the result of an operation with NaN operand `lo`/`hi` of
 * class `type`: raise Invalid Operation for a signalling NaN, return it
 * quietened, or the default NaN when FPCR.DN is set.
 */
export function processNaN(fmt: number, type: number, lo: number, hi: number, env: FpEnv): void {
  if (type === T_SNAN) env.fpsr |= FPSR_IOC;
  if ((env.fpcr & FPCR_DN) !== 0) {
    writeDefaultNaN(fmt);
    return;
  }
  if (fmt === FMT_D) {
    FP_RESULT[1] = (hi | 0x80000) >>> 0;
    FP_RESULT[0] = lo >>> 0;
  } else {
    FP_RESULT[0] = (lo | (fmt === FMT_S ? 0x400000 : 0x200)) >>> 0;
    FP_RESULT[1] = 0;
  }
}

/**
 * FPProcessNaNs for unpacked slots 0 and 1 (operands a and b). Returns true
 * (result in FP_RESULT) when either is a NaN.
 */
export function processNaNs(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  env: FpEnv,
): boolean {
  const ta = U_TYPE[0], tb = U_TYPE[1];
  if (ta < T_QNAN && tb < T_QNAN) return false;
  if (ta === T_SNAN) processNaN(fmt, ta, aLo, aHi, env);
  else if (tb === T_SNAN) processNaN(fmt, tb, bLo, bHi, env);
  else if (ta === T_QNAN) processNaN(fmt, ta, aLo, aHi, env);
  else processNaN(fmt, tb, bLo, bHi, env);
  return true;
}

/**
 * FPProcessNaNs3 for unpacked slots 0, 1, 2 (operands a, b, c, in that
 * priority). Returns true (result in FP_RESULT) when any is a NaN.
 */
export function processNaNs3(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  cLo: number,
  cHi: number,
  env: FpEnv,
): boolean {
  const ta = U_TYPE[0], tb = U_TYPE[1], tc = U_TYPE[2];
  if (ta < T_QNAN && tb < T_QNAN && tc < T_QNAN) return false;
  if (ta === T_SNAN) processNaN(fmt, ta, aLo, aHi, env);
  else if (tb === T_SNAN) processNaN(fmt, tb, bLo, bHi, env);
  else if (tc === T_SNAN) processNaN(fmt, tc, cLo, cHi, env);
  else if (ta === T_QNAN) processNaN(fmt, ta, aLo, aHi, env);
  else if (tb === T_QNAN) processNaN(fmt, tb, bLo, bHi, env);
  else processNaN(fmt, tc, cLo, cHi, env);
  return true;
}
