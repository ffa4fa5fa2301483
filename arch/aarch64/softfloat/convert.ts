/**
 * Conversions exact to the Arm ARM pseudocode: FPConvert (precision changes
 * between half, single and double, FCVT), FPToFixed (FCVT[NAPMZ][SU] and the
 * fixed-point FCVTZS/FCVTZU), FixedToFP (SCVTF/UCVTF) and FPRoundInt (FRINT*).
 *
 * Integers travel as `lo`/`hi` 32-bit halves (two's complement); results go to
 * {@link FP_RESULT}.
 *
 * @module
 */
import { FMT_D, FMT_H, FMT_S, T_INF, T_QNAN, T_ZERO } from "./format.ts";
import {
  FPCR_AHP,
  FPCR_DN,
  fpcrRounding,
  type FpEnv,
  FPSR_IOC,
  FPSR_IXC,
  RA,
  RM,
  RN,
  RP,
  RZ,
} from "./fpcr.ts";
import { EXACT, twoSum } from "./exact.ts";
import { FP_RESULT, pow2, ROUND_Q, roundPack, writeInf, writeZero } from "./round.ts";
import { flushes, processNaN, U_SIGN, U_TYPE, U_VAL, unpack, writeDefaultNaN } from "./unpack.ts";

const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;
const TWO64 = 18446744073709551616;

/**
 * FPConvertNaN: quieten NaN `lo`/`hi` of format `from` and carry its payload
 * (most significant bits first) into format `to`.
 */
function convertNaN(from: number, to: number, lo: number, hi: number): void {
  let sign: number, payload: number; // payload below the quiet bit, aligned to 51 bits
  if (from === FMT_D) {
    sign = hi >>> 31;
    payload = (hi & 0x7ffff) * TWO32 + (lo >>> 0);
  } else if (from === FMT_S) {
    sign = lo >>> 31;
    payload = (lo & 0x3fffff) * 536870912; // * 2^29
  } else {
    sign = (lo >>> 15) & 1;
    payload = (lo & 0x1ff) * 4398046511104; // * 2^42
  }
  if (to === FMT_D) {
    const phi = Math.floor(payload / TWO32);
    FP_RESULT[1] = ((sign << 31) | 0x7ff80000 | phi) >>> 0;
    FP_RESULT[0] = (payload - phi * TWO32) >>> 0;
  } else if (to === FMT_S) {
    FP_RESULT[0] = ((sign << 31) | 0x7fc00000 | Math.floor(payload / 536870912)) >>> 0;
    FP_RESULT[1] = 0;
  } else {
    FP_RESULT[0] = (sign << 15) | 0x7e00 | Math.floor(payload / 4398046511104);
    FP_RESULT[1] = 0;
  }
}

/**
 * FPConvert: `lo`/`hi` of format `from` to format `to` under FPCR's rounding
 * mode. FZ flushes single/double inputs and outputs; half-precision values are
 * never flushed (FPUnpackCV/FPRoundCV). With FPCR.AHP set, half precision is
 * the alternative format (no infinities or NaNs: a NaN converts to zero and an
 * infinity or out-of-range value to the largest magnitude, with Invalid
 * Operation).
 */
export function fpConvert(from: number, to: number, lo: number, hi: number, env: FpEnv): void {
  unpack(from, lo, hi, 0, env, flushes(from, env));
  const t = U_TYPE[0], sign = U_SIGN[0];
  const altHp = to === FMT_H && (env.fpcr & FPCR_AHP) !== 0;
  if (t >= T_QNAN) {
    if (t > T_QNAN || altHp) env.fpsr |= FPSR_IOC;
    if (altHp) writeZero(to, sign);
    else if ((env.fpcr & FPCR_DN) !== 0) writeDefaultNaN(to);
    else convertNaN(from, to, lo, hi);
  } else if (t === T_INF) {
    if (altHp) {
      env.fpsr |= FPSR_IOC;
      FP_RESULT[0] = (sign << 15) | 0x7fff;
      FP_RESULT[1] = 0;
    } else writeInf(to, sign);
  } else if (t === T_ZERO) writeZero(to, sign);
  else {
    const v = U_VAL[0];
    ROUND_Q[0] = sign ? -v : v;
    roundPack(to, sign, 0, 0, env, fpcrRounding(env.fpcr), flushes(to, env));
  }
}

/** Fraction discarded by the last {@link roundToIntegral} (only its nonzero-ness is used). */
const roundError = new Float64Array(1);

/**
 * The integer nearest `v` (finite) under `rmode` (RN, RP, RM, RZ, RA), as the
 * pseudocode's RoundDown + round_up step of FPToFixed/FPRoundInt computes it.
 * Works on the magnitude so the discarded fraction is exact.
 */
function roundToIntegral(v: number, rmode: number): number {
  const neg = v < 0;
  const av = neg ? -v : v;
  const fa = Math.floor(av);
  const frac = av - fa; // exact: the fractional part of a double is representable
  roundError[0] = frac;
  let up: boolean;
  switch (rmode) {
    case RN:
      up = frac > 0.5 || (frac === 0.5 && fa % 2 !== 0);
      break;
    case RA:
      up = frac >= 0.5;
      break;
    case RP:
      up = frac !== 0 && !neg;
      break;
    case RM:
      up = frac !== 0 && neg;
      break;
    default: // RZ
      up = false;
  }
  const r = up ? fa + 1 : fa;
  return neg ? -r : r;
}

/** Write the integer-valued double `x` (in range) as 64-bit two's complement halves. */
function writeInt64(x: number): void {
  const ax = x < 0 ? -x : x;
  const hi = Math.floor(ax / TWO32);
  const lo = ax - hi * TWO32;
  if (x >= 0) {
    FP_RESULT[1] = hi >>> 0;
    FP_RESULT[0] = lo >>> 0;
  } else {
    FP_RESULT[0] = (-lo) >>> 0;
    FP_RESULT[1] = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
}

/**
 * FPToFixed: convert `lo`/`hi` of `fmt` to a 32-bit (`to64` false) or 64-bit
 * signed/unsigned integer with `fbits` fraction bits, rounding by `rmode`;
 * out-of-range values saturate and raise Invalid Operation, NaNs give 0 and
 * raise Invalid Operation, inexact results raise Inexact.
 */
export function fpToFixed(
  fmt: number,
  lo: number,
  hi: number,
  fbits: number,
  unsigned: boolean,
  to64: boolean,
  rmode: number,
  env: FpEnv,
): void {
  unpack(fmt, lo, hi, 0, env, flushes(fmt, env));
  const t = U_TYPE[0];
  let x: number;
  let invalid = false;
  if (t >= T_QNAN) {
    invalid = true;
    x = 0;
    roundError[0] = 0;
  } else if (t === T_INF) {
    x = U_VAL[0];
    roundError[0] = 0;
  } else x = roundToIntegral(U_VAL[0] * pow2(fbits), rmode);
  const min = unsigned ? 0 : to64 ? -TWO63 : -2147483648;
  const maxExcl = unsigned ? (to64 ? TWO64 : TWO32) : (to64 ? TWO63 : 2147483648);
  if (x < min) {
    x = min;
    invalid = true;
  } else if (x >= maxExcl) {
    // Saturate to the largest value of the destination type.
    env.fpsr |= FPSR_IOC;
    FP_RESULT[0] = unsigned || to64 ? 0xffffffff : 0x7fffffff;
    FP_RESULT[1] = to64 ? (unsigned ? 0xffffffff : 0x7fffffff) : 0;
    return;
  }
  if (invalid) env.fpsr |= FPSR_IOC;
  else if (roundError[0] !== 0) env.fpsr |= FPSR_IXC;
  if (to64) writeInt64(x);
  else {
    FP_RESULT[0] = x >>> 0;
    FP_RESULT[1] = 0;
  }
}

/**
 * FixedToFP: convert the integer `lo`/`hi` (64-bit when `from64`, else the
 * 32-bit `lo`), signed or unsigned, with `fbits` fraction bits, to `fmt`,
 * rounding by `rmode` (FPCR's mode for SCVTF/UCVTF).
 */
export function fixedToFp(
  fmt: number,
  lo: number,
  hi: number,
  from64: boolean,
  unsigned: boolean,
  fbits: number,
  rmode: number,
  env: FpEnv,
): void {
  let sign = 0, q: number, s = 0;
  if (!from64) {
    let v = unsigned ? lo >>> 0 : lo | 0;
    if (v < 0) {
      sign = 1;
      v = -v;
    }
    q = v;
  } else {
    lo >>>= 0;
    hi >>>= 0;
    if (!unsigned && hi >= 0x80000000) {
      sign = 1;
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
      lo = (-lo) >>> 0;
    }
    twoSum(hi * TWO32, lo);
    q = EXACT[0];
    s = EXACT[1] === 0 ? 0 : EXACT[1] > 0 ? 1 : -1;
  }
  if (q === 0) {
    writeZero(fmt, 0);
    return;
  }
  ROUND_Q[0] = q;
  roundPack(fmt, sign, -fbits, s, env, rmode, flushes(fmt, env));
}

/**
 * FPRoundInt: round `lo`/`hi` of `fmt` to an integral value in the same
 * format by `rmode`; `exact` (FRINTX) raises Inexact when the value changed.
 */
export function fpRoundInt(
  fmt: number,
  lo: number,
  hi: number,
  rmode: number,
  exact: boolean,
  env: FpEnv,
): void {
  const fz = flushes(fmt, env);
  unpack(fmt, lo, hi, 0, env, fz);
  const t = U_TYPE[0], sign = U_SIGN[0];
  if (t >= T_QNAN) processNaN(fmt, t, lo, hi, env);
  else if (t === T_INF) writeInf(fmt, sign);
  else if (t === T_ZERO) writeZero(fmt, sign);
  else {
    const x = roundToIntegral(U_VAL[0], rmode);
    if (x === 0) writeZero(fmt, sign);
    else {
      ROUND_Q[0] = x < 0 ? -x : x;
      roundPack(fmt, sign, 0, 0, env, RZ, fz);
    }
    if (roundError[0] !== 0 && exact) env.fpsr |= FPSR_IXC;
  }
}
