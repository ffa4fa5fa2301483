/**
 * FPRound (Arm ARM pseudocode `FPRoundBase`): rounds an exact real value to
 * half, single or double precision under a rounding mode, with flush-to-zero,
 * and raises Underflow, Overflow and Inexact exactly as the architecture
 * does (tininess is detected before rounding; a flushed result raises only
 * Underflow).
 *
 * The exact value is described as `q * 2^scale` plus a sticky sign `s`:
 * `q` is a positive double equal to the value correctly rounded (to nearest,
 * ties to even) to 53 bits, and `s` is the sign of (|value| - q * 2^scale)
 * (-1, 0 or +1). That pair determines the correct rounding to any precision
 * of at most 53 bits in every mode, which is how single results computed in
 * double arithmetic avoid double-rounding errors.
 *
 * Results go to {@link FP_RESULT} (bit pattern, `lo`/`hi`).
 *
 * @module
 */
import { FMT_D, FMT_H, FMT_S, fracBits, minExp } from "./format.ts";
import {
  FPCR_AHP,
  type FpEnv,
  FPSR_IOC,
  FPSR_IXC,
  FPSR_OFC,
  FPSR_UFC,
  RA,
  RM,
  RN,
  RP,
} from "./fpcr.ts";

/**
 * The bit pattern produced by the last softfloat operation: [0] the low 32
 * bits (all of a half or single), [1] the high 32 bits of a double (else 0).
 */
export const FP_RESULT: Uint32Array = new Uint32Array(2);

/** Exponent range of {@link pow2}. */
const POW2_MIN = -1100, POW2_MAX = 1100;
const POW2 = new Float64Array(POW2_MAX - POW2_MIN + 1);
{
  // Built by exact doubling/halving so every entry is an exact power of two.
  POW2[-POW2_MIN] = 1;
  for (let i = 1; i <= POW2_MAX; i++) POW2[-POW2_MIN + i] = POW2[-POW2_MIN + i - 1] * 2;
  for (let i = 1; i <= -POW2_MIN; i++) POW2[-POW2_MIN - i] = POW2[-POW2_MIN - i + 1] * 0.5;
}

/** 2^n exactly, for -1100 <= n <= 1100 (0 or Infinity beyond the double range). */
export function pow2(n: number): number {
  return POW2[n - POW2_MIN];
}

const SCRATCH = new ArrayBuffer(8);
/** Reinterpretation scratch: one double over two 32-bit words (little-endian host). */
export const SCR_F64 = new Float64Array(SCRATCH);
/** The same 8 bytes as two 32-bit words; [0] is the low word. */
export const SCR_U32 = new Uint32Array(SCRATCH);
/** The low 4 bytes as a single. */
export const SCR_F32 = new Float32Array(SCRATCH);

/** Significand [0] and exponent [1] of the last {@link frexp}: x = m * 2^e, 1 <= m < 2. */
export const FREXP: Float64Array = new Float64Array(2);

/** Decompose a positive finite double into {@link FREXP}. */
export function frexp(x: number): void {
  let adj = 0;
  if (x < 2.2250738585072014e-308) { // below 2^-1022: denormal, scale up first
    x *= 18446744073709551616; // 2^64
    adj = -64;
  }
  SCR_F64[0] = x;
  const hi = SCR_U32[1];
  FREXP[1] = ((hi >>> 20) & 0x7ff) - 1023 + adj;
  SCR_U32[1] = (hi & 0x000fffff) | 0x3ff00000;
  FREXP[0] = SCR_F64[0];
}

/** Write ±0 of `fmt` to {@link FP_RESULT}. */
export function writeZero(fmt: number, sign: number): void {
  if (fmt === FMT_D) {
    FP_RESULT[1] = (sign << 31) >>> 0;
    FP_RESULT[0] = 0;
  } else {
    FP_RESULT[0] = (sign << (fmt - 1)) >>> 0;
    FP_RESULT[1] = 0;
  }
}

/** Write ±infinity of `fmt` to {@link FP_RESULT}. */
export function writeInf(fmt: number, sign: number): void {
  if (fmt === FMT_D) {
    FP_RESULT[1] = ((sign << 31) | 0x7ff00000) >>> 0;
    FP_RESULT[0] = 0;
  } else if (fmt === FMT_S) {
    FP_RESULT[0] = ((sign << 31) | 0x7f800000) >>> 0;
    FP_RESULT[1] = 0;
  } else {
    FP_RESULT[0] = (sign << 15) | 0x7c00;
    FP_RESULT[1] = 0;
  }
}

/** Smallest normal double and single magnitudes (2^-1022, 2^-126). */
const MIN_NORMAL_D = 2.2250738585072014e-308, MIN_NORMAL_S = 1.1754943508222875e-38;
/** Largest finite single. */
const MAX_S = 3.4028234663852886e38;

/**
 * The common case of {@link roundPack} without the general algorithm: round
 * to nearest, result normal and finite. q is already the value rounded to 53
 * bits, so for doubles it is the answer; for singles, rounding it again to 24
 * bits is correct except when it lies exactly halfway between two singles
 * and the discarded sticky part is nonzero (double rounding), which is left
 * to the general path. Returns false when the general path is needed.
 */
function roundNearestFast(
  fmt: number,
  sign: number,
  scale: number,
  s: number,
  env: FpEnv,
): boolean {
  const x = ROUND_Q[0] * POW2[scale - POW2_MIN]; // exact while normal
  if (fmt === FMT_D) {
    // Just below 2^-1022 (x equal to it, sticky negative) is tiny: general path.
    if (!(x > MIN_NORMAL_D || (x === MIN_NORMAL_D && s >= 0)) || x === Infinity) return false;
    SCR_F64[0] = x;
    FP_RESULT[0] = SCR_U32[0];
    FP_RESULT[1] = SCR_U32[1] | (sign << 31);
    if (s !== 0) env.fpsr |= FPSR_IXC;
    return true;
  }
  if (!(x > MIN_NORMAL_S || (x === MIN_NORMAL_S && s >= 0)) || x > MAX_S) return false;
  SCR_F64[0] = x;
  if (s !== 0 && (SCR_U32[0] & 0x1fffffff) === 0x10000000) return false; // a midpoint
  const f = Math.fround(x);
  if (f > MAX_S) return false; // rounds up to overflow
  SCR_F32[0] = f;
  FP_RESULT[0] = SCR_U32[0] | (sign << 31);
  FP_RESULT[1] = 0;
  if (s !== 0 || f !== x) env.fpsr |= FPSR_IXC;
  return true;
}

/**
 * The `q` operand of {@link roundPack}, passed through memory: a double
 * argument to a function V8 does not inline would be boxed on every call.
 */
export const ROUND_Q: Float64Array = new Float64Array(1);

/**
 * Round `(-1)^sign * (q * 2^scale + tiny*s)` (q in {@link ROUND_Q}) to `fmt` (see the module doc),
 * FPRoundBase-style: `fz` enables flushing a tiny result to zero.
 * `q` must be positive and finite; `rmode` is one of RN/RP/RM/RZ/RA.
 */
export function roundPack(
  fmt: number,
  sign: number,
  scale: number,
  s: number,
  env: FpEnv,
  rmode: number,
  fz: boolean,
): void {
  if (
    rmode === RN && fmt !== FMT_H && scale > -900 && scale < 900 &&
    roundNearestFast(fmt, sign, scale, s, env)
  ) {
    return;
  }
  frexp(ROUND_Q[0]);
  const m = FREXP[0];
  const e = FREXP[1] + scale;
  const F = fracBits(fmt);
  const emin = minExp(fmt);
  // Exponent of the exact value: just below a power of two it is one less.
  const ex = m === 1 && s < 0 ? e - 1 : e;
  if (fz && ex < emin) {
    env.fpsr |= FPSR_UFC;
    writeZero(fmt, sign);
    return;
  }
  const tiny = ex < emin;
  let sh = F + e - (tiny ? emin : ex);
  if (sh < -64) sh = -64; // far below half a unit: only "nonzero, below half" matters
  const t = m * pow2(sh);
  let fl = Math.floor(t);
  const frac = t - fl;
  // pos: 0 exact, 1 below half, 2 exactly half, 3 above half (of one unit in the last place).
  let pos: number;
  if (frac === 0) {
    if (s === 0) pos = 0;
    else if (s > 0) pos = 1;
    else {
      fl -= 1;
      pos = 3;
    }
  } else if (frac === 0.5) pos = s === 0 ? 2 : s > 0 ? 3 : 1;
  else pos = frac < 0.5 ? 1 : 3;
  const inexact = pos !== 0;
  if (tiny && inexact) env.fpsr |= FPSR_UFC;
  let up: boolean;
  switch (rmode) {
    case RN:
      up = pos === 3 || (pos === 2 && (fl % 2) === 1);
      break;
    case RA:
      up = pos >= 2;
      break;
    case RP:
      up = inexact && sign === 0;
      break;
    case RM:
      up = inexact && sign === 1;
      break;
    default: // RZ
      up = false;
  }
  let mant = up ? fl + 1 : fl;
  const unit = pow2(F);
  let expField: number;
  if (tiny) {
    expField = mant >= unit ? 1 : 0;
  } else {
    expField = ex - emin + 1;
    if (mant >= 2 * unit) {
      mant = unit;
      expField++;
    }
  }
  const expMax = fmt === FMT_D ? 0x7ff : fmt === FMT_S ? 0xff : 0x1f;
  if (fmt === FMT_H && (env.fpcr & FPCR_AHP) !== 0) {
    // Alternative half precision: exponent 31 is a normal binade; beyond it the
    // result saturates with Invalid Operation (and no Inexact).
    if (expField > expMax) {
      env.fpsr |= FPSR_IOC;
      FP_RESULT[0] = (sign << 15) | 0x7fff;
      FP_RESULT[1] = 0;
      return;
    }
    if (inexact) env.fpsr |= FPSR_IXC;
  } else if (expField >= expMax) {
    env.fpsr |= FPSR_OFC | FPSR_IXC;
    const toInf = rmode === RN || rmode === RA || (rmode === RP && sign === 0) ||
      (rmode === RM && sign === 1);
    if (toInf) {
      writeInf(fmt, sign);
      return;
    }
    expField = expMax - 1; // the largest finite value
    mant = 2 * unit - 1;
  } else if (inexact) env.fpsr |= FPSR_IXC;
  // Encode in place (a call taking the 52-bit fraction would box it).
  const field = mant >= unit ? mant - unit : mant;
  if (fmt === FMT_D) {
    const fhi = Math.floor(field / 4294967296);
    FP_RESULT[1] = (sign << 31) | (expField << 20) | fhi;
    FP_RESULT[0] = field - fhi * 4294967296;
  } else {
    FP_RESULT[0] = (sign << (fmt - 1)) | (expField << (fmt === FMT_S ? 23 : 10)) | field;
    FP_RESULT[1] = 0;
  }
}
