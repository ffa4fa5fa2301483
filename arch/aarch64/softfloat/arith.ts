/**
 * FP arithmetic exact to the Arm ARM pseudocode: FPAdd, FPSub, FPMul, FPDiv,
 * FPSqrt, FPMulAdd (fused, one rounding), FPMax, FPMin, FPMaxNum, FPMinNum
 * and FPCompare, on single and double precision bit patterns.
 *
 * Method: the special cases (NaNs, infinities, zeros) follow the pseudocode
 * line by line; the numeric case computes the round-to-nearest result in
 * double arithmetic and its exact error with error-free transformations
 * (./exact.ts), then {@link roundPack} rounds that exact description to the
 * destination format under FPCR's mode, with FZ and the FPSR flags.
 *
 * Operands are `lo`/`hi` bit patterns (`hi` ignored for singles); results go
 * to {@link FP_RESULT}.
 *
 * @module
 */
import { FMT_D, T_INF, T_NONZERO, T_QNAN, T_ZERO } from "./format.ts";
import { fpcrRounding, type FpEnv, FPSR_DZC, FPSR_IOC, RM } from "./fpcr.ts";
import { EXACT, expansionSign, TERMS, twoProduct, twoSum } from "./exact.ts";
import {
  FP_RESULT,
  FREXP,
  frexp,
  pow2,
  ROUND_Q,
  roundPack,
  SCR_F64,
  SCR_U32,
  writeInf,
  writeZero,
} from "./round.ts";
import {
  flushes,
  processNaN,
  processNaNs,
  processNaNs3,
  U_SIGN,
  U_TYPE,
  U_VAL,
  unpack,
  writeDefaultNaN,
} from "./unpack.ts";

/** Round the signed double EXACT[0] * 2^scale whose exact error is EXACT[1] (same scale). */
function roundSigned(fmt: number, scale: number, env: FpEnv, fz: boolean): void {
  const r = EXACT[0], err = EXACT[1];
  const neg = r < 0;
  const s = err === 0 ? 0 : (err > 0) !== neg ? 1 : -1;
  ROUND_Q[0] = neg ? -r : r;
  roundPack(fmt, neg ? 1 : 0, scale, s, env, fpcrRounding(env.fpcr), fz);
}

/** FPAdd (`negB` false) or FPSub (`negB` true) of `a` and `b`. */
export function fpAdd(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  negB: boolean,
  env: FpEnv,
): void {
  const fz = flushes(fmt, env);
  unpack(fmt, aLo, aHi, 0, env, fz);
  unpack(fmt, bLo, bHi, 1, env, fz);
  if (processNaNs(fmt, aLo, aHi, bLo, bHi, env)) return;
  const ta = U_TYPE[0], tb = U_TYPE[1];
  const sa = U_SIGN[0];
  const sb = negB ? U_SIGN[1] ^ 1 : U_SIGN[1];
  if (ta === T_INF && tb === T_INF && sa !== sb) {
    env.fpsr |= FPSR_IOC;
    writeDefaultNaN(fmt);
  } else if ((ta === T_INF && sa === 0) || (tb === T_INF && sb === 0)) writeInf(fmt, 0);
  else if (ta === T_INF || tb === T_INF) writeInf(fmt, 1);
  else if (ta === T_ZERO && tb === T_ZERO && sa === sb) writeZero(fmt, sa);
  else {
    let va = U_VAL[0], vb = negB ? -U_VAL[1] : U_VAL[1];
    let scale = 0;
    let r = va + vb;
    if (r === 0) {
      writeZero(fmt, fpcrRounding(env.fpcr) === RM ? 1 : 0);
      return;
    }
    if (r === Infinity || r === -Infinity) {
      // Both operands are then large, so halving them is exact.
      va *= 0.5;
      vb *= 0.5;
      scale = 1;
      r = va + vb;
    }
    twoSum(va, vb);
    roundSigned(fmt, scale, env, fz);
  }
}

/** FPMul of `a` and `b`. */
export function fpMul(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  env: FpEnv,
): void {
  const fz = flushes(fmt, env);
  unpack(fmt, aLo, aHi, 0, env, fz);
  unpack(fmt, bLo, bHi, 1, env, fz);
  if (processNaNs(fmt, aLo, aHi, bLo, bHi, env)) return;
  const ta = U_TYPE[0], tb = U_TYPE[1];
  const sign = U_SIGN[0] ^ U_SIGN[1];
  if ((ta === T_INF && tb === T_ZERO) || (ta === T_ZERO && tb === T_INF)) {
    env.fpsr |= FPSR_IOC;
    writeDefaultNaN(fmt);
  } else if (ta === T_INF || tb === T_INF) writeInf(fmt, sign);
  else if (ta === T_ZERO || tb === T_ZERO) writeZero(fmt, sign);
  else {
    frexp(Math.abs(U_VAL[0]));
    const ma = FREXP[0], ea = FREXP[1];
    frexp(Math.abs(U_VAL[1]));
    twoProduct(ma, FREXP[0]);
    const s = EXACT[1] === 0 ? 0 : EXACT[1] > 0 ? 1 : -1;
    ROUND_Q[0] = EXACT[0];
    roundPack(fmt, sign, ea + FREXP[1], s, env, fpcrRounding(env.fpcr), fz);
  }
}

/**
 * FPMulX (FMULX): as FPMul, except that infinity times zero gives 2.0 with
 * the XOR of the operands' signs instead of the default NaN.
 */
export function fpMulX(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  env: FpEnv,
): void {
  const fz = flushes(fmt, env);
  unpack(fmt, aLo, aHi, 0, env, fz);
  unpack(fmt, bLo, bHi, 1, env, fz);
  const ta = U_TYPE[0], tb = U_TYPE[1];
  if (
    ta < T_QNAN && tb < T_QNAN &&
    ((ta === T_INF && tb === T_ZERO) || (ta === T_ZERO && tb === T_INF))
  ) {
    const sign = U_SIGN[0] ^ U_SIGN[1];
    FP_RESULT[0] = fmt === FMT_D ? 0 : ((sign << 31) | 0x40000000) >>> 0;
    FP_RESULT[1] = fmt === FMT_D ? ((sign << 31) | 0x40000000) >>> 0 : 0;
    return;
  }
  fpMul(fmt, aLo, aHi, bLo, bHi, env);
}

/** FPDiv of `a` by `b`. */
export function fpDiv(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  env: FpEnv,
): void {
  const fz = flushes(fmt, env);
  unpack(fmt, aLo, aHi, 0, env, fz);
  unpack(fmt, bLo, bHi, 1, env, fz);
  if (processNaNs(fmt, aLo, aHi, bLo, bHi, env)) return;
  const ta = U_TYPE[0], tb = U_TYPE[1];
  const sign = U_SIGN[0] ^ U_SIGN[1];
  if ((ta === T_INF && tb === T_INF) || (ta === T_ZERO && tb === T_ZERO)) {
    env.fpsr |= FPSR_IOC;
    writeDefaultNaN(fmt);
  } else if (ta === T_INF || tb === T_ZERO) {
    writeInf(fmt, sign);
    if (ta !== T_INF) env.fpsr |= FPSR_DZC;
  } else if (ta === T_ZERO || tb === T_INF) writeZero(fmt, sign);
  else {
    frexp(Math.abs(U_VAL[0]));
    const ma = FREXP[0], ea = FREXP[1];
    frexp(Math.abs(U_VAL[1]));
    const mb = FREXP[0];
    const q = ma / mb;
    twoProduct(q, mb);
    // The remainder of a correctly rounded quotient is exact (ma - hi is exact by Sterbenz).
    const rem = (ma - EXACT[0]) - EXACT[1];
    const s = rem === 0 ? 0 : rem > 0 ? 1 : -1;
    ROUND_Q[0] = q;
    roundPack(fmt, sign, ea - FREXP[1], s, env, fpcrRounding(env.fpcr), fz);
  }
}

/** FPSqrt of `a`. */
export function fpSqrt(fmt: number, aLo: number, aHi: number, env: FpEnv): void {
  const fz = flushes(fmt, env);
  unpack(fmt, aLo, aHi, 0, env, fz);
  const t = U_TYPE[0], sign = U_SIGN[0];
  if (t >= T_QNAN) processNaN(fmt, t, aLo, aHi, env);
  else if (t === T_ZERO) writeZero(fmt, sign);
  else if (t === T_INF && sign === 0) writeInf(fmt, 0);
  else if (sign === 1) {
    env.fpsr |= FPSR_IOC;
    writeDefaultNaN(fmt);
  } else {
    frexp(U_VAL[0]);
    let m = FREXP[0], e = FREXP[1];
    if ((e & 1) !== 0) {
      m *= 2;
      e -= 1;
    }
    const q = Math.sqrt(m);
    twoProduct(q, q);
    const rem = (m - EXACT[0]) - EXACT[1];
    const s = rem === 0 ? 0 : rem > 0 ? 1 : -1;
    ROUND_Q[0] = q;
    roundPack(fmt, 0, e / 2, s, env, fpcrRounding(env.fpcr), fz);
  }
}

/** The double next to `x` (nonzero, finite) in direction `dir` (+1 up, -1 down). */
function nextDouble(x: number, dir: number): number {
  SCR_F64[0] = x;
  const grow = (x > 0) === (dir > 0);
  let lo = SCR_U32[0], hi = SCR_U32[1];
  if (grow) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
  } else {
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
  }
  SCR_U32[0] = lo;
  SCR_U32[1] = hi;
  return SCR_F64[0];
}

/** Tiny stand-in for a term far below every bit that can affect rounding. */
const STICKY_TERM = pow2(-300);

/**
 * FPMulAdd: `addend + op1 * op2` with a single rounding (FMADD and family;
 * callers negate operands by flipping sign bits first, as the pseudocode does).
 */
export function fpMulAdd(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  cLo: number,
  cHi: number,
  env: FpEnv,
): void {
  const fz = flushes(fmt, env);
  unpack(fmt, aLo, aHi, 0, env, fz);
  unpack(fmt, bLo, bHi, 1, env, fz);
  unpack(fmt, cLo, cHi, 2, env, fz);
  const ta = U_TYPE[0], tb = U_TYPE[1], tc = U_TYPE[2];
  const invalidProduct = (tb === T_INF && tc === T_ZERO) || (tb === T_ZERO && tc === T_INF);
  if (processNaNs3(fmt, aLo, aHi, bLo, bHi, cLo, cHi, env)) {
    if (ta === T_QNAN && invalidProduct) {
      env.fpsr |= FPSR_IOC;
      writeDefaultNaN(fmt);
    }
    return;
  }
  const sa = U_SIGN[0];
  const sp = U_SIGN[1] ^ U_SIGN[2];
  const infP = tb === T_INF || tc === T_INF;
  const zeroP = tb === T_ZERO || tc === T_ZERO;
  if (invalidProduct || (ta === T_INF && infP && sa !== sp)) {
    env.fpsr |= FPSR_IOC;
    writeDefaultNaN(fmt);
    return;
  }
  if ((ta === T_INF && sa === 0) || (infP && sp === 0)) return writeInf(fmt, 0);
  if (ta === T_INF || infP) return writeInf(fmt, 1);
  if (ta === T_ZERO && zeroP && sa === sp) return writeZero(fmt, sa);
  const rmode = fpcrRounding(env.fpcr);
  if (zeroP) { // addend alone (it is nonzero here, or the sum is an exact zero)
    if (ta === T_ZERO) return writeZero(fmt, rmode === RM ? 1 : 0);
    frexp(Math.abs(U_VAL[0]));
    ROUND_Q[0] = FREXP[0];
    return roundPack(fmt, sa, FREXP[1], 0, env, rmode, fz);
  }
  // Exact product as ph + pl at scale 2^ep.
  frexp(Math.abs(U_VAL[1]));
  const mb = FREXP[0], eb = FREXP[1];
  frexp(Math.abs(U_VAL[2]));
  const ep = eb + FREXP[1];
  twoProduct(mb, FREXP[0]);
  let x1 = sp ? -EXACT[0] : EXACT[0];
  let x2 = sp ? -EXACT[1] : EXACT[1];
  let x3 = 0;
  let scale = ep;
  if (ta === T_NONZERO) {
    frexp(Math.abs(U_VAL[0]));
    const ma = sa ? -FREXP[0] : FREXP[0];
    const d = FREXP[1] - ep;
    if (d > 60) { // the product is only a sticky bit below the addend
      x1 = sp ? -STICKY_TERM : STICKY_TERM;
      x2 = 0;
      x3 = ma;
      scale = FREXP[1];
    } else if (d < -120) x3 = sa ? -STICKY_TERM : STICKY_TERM;
    else x3 = ma * pow2(d);
  }
  // q := RN53(x1 + x2 + x3), s := sign(x1 + x2 + x3 - q), both exactly.
  let q = (x1 + x3) + x2;
  let s = 0;
  if (q !== 0) {
    for (;;) {
      TERMS[0] = x1;
      TERMS[1] = x2;
      TERMS[2] = x3;
      TERMS[3] = -q;
      const dir = expansionSign(4);
      if (dir === 0) {
        s = 0;
        break;
      }
      const n = nextDouble(q, dir);
      TERMS[4] = -(n - q) * 0.5;
      const c = expansionSign(5) * dir; // > 0: beyond the midpoint towards n
      if (c < 0) {
        s = dir;
        break;
      }
      if (c === 0) { // a tie: the even neighbour wins
        SCR_F64[0] = q;
        if ((SCR_U32[0] & 1) === 0) s = dir;
        else {
          q = n;
          s = -dir;
        }
        break;
      }
      q = n;
    }
  } else {
    TERMS[0] = x1;
    TERMS[1] = x2;
    TERMS[2] = x3;
    if (expansionSign(3) !== 0) throw new Error("fpMulAdd: lost a nonzero sum (internal error)");
  }
  if (q === 0) return writeZero(fmt, rmode === RM ? 1 : 0);
  const neg = q < 0;
  ROUND_Q[0] = neg ? -q : q;
  roundPack(fmt, neg ? 1 : 0, scale, neg ? -s : s, env, rmode, fz);
}

/** FPMax (`max` true) or FPMin: NaNs propagate; +0 beats -0 for max, -0 for min. */
export function fpMaxMin(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  max: boolean,
  env: FpEnv,
): void {
  const fz = flushes(fmt, env);
  unpack(fmt, aLo, aHi, 0, env, fz);
  unpack(fmt, bLo, bHi, 1, env, fz);
  if (processNaNs(fmt, aLo, aHi, bLo, bHi, env)) return;
  maxMinNumbers(fmt, aLo, aHi, bLo, bHi, max);
}

/** The non-NaN part of FPMax/FPMin on unpacked slots 0 and 1. */
function maxMinNumbers(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  max: boolean,
): void {
  const va = U_VAL[0], vb = U_VAL[1];
  const pickA = max ? va > vb : va < vb;
  const t = pickA ? U_TYPE[0] : U_TYPE[1];
  if (t === T_ZERO) {
    writeZero(fmt, max ? U_SIGN[0] & U_SIGN[1] : U_SIGN[0] | U_SIGN[1]);
  } else {
    // An exactly representable value: FPRound returns it unchanged.
    FP_RESULT[0] = (pickA ? aLo : bLo) >>> 0;
    FP_RESULT[1] = fmt === 64 ? (pickA ? aHi : bHi) >>> 0 : 0;
  }
}

/**
 * FPMaxNum (`max` true) / FPMinNum: a single quiet NaN operand loses to a
 * number (it is treated as -Inf for max, +Inf for min); otherwise as FPMax/FPMin.
 */
export function fpMaxMinNum(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  max: boolean,
  env: FpEnv,
): void {
  const fz = flushes(fmt, env);
  unpack(fmt, aLo, aHi, 0, env, fz);
  unpack(fmt, bLo, bHi, 1, env, fz);
  const qa = U_TYPE[0] === T_QNAN, qb = U_TYPE[1] === T_QNAN;
  if (qa !== qb) {
    const slot = qa ? 0 : 1;
    U_TYPE[slot] = T_INF;
    U_SIGN[slot] = max ? 1 : 0;
    U_VAL[slot] = max ? -Infinity : Infinity;
  } else if (processNaNs(fmt, aLo, aHi, bLo, bHi, env)) return;
  if (U_TYPE[0] >= T_QNAN || U_TYPE[1] >= T_QNAN) {
    // A signalling NaN against a replaced quiet NaN.
    processNaNs(fmt, aLo, aHi, bLo, bHi, env);
    return;
  }
  const va = U_VAL[0], vb = U_VAL[1];
  const pickA = max ? va > vb : va < vb;
  const t = pickA ? U_TYPE[0] : U_TYPE[1];
  if (t === T_INF) writeInf(fmt, pickA ? U_SIGN[0] : U_SIGN[1]);
  else maxMinNumbers(fmt, aLo, aHi, bLo, bHi, max);
}

/** NZCV (bits 31:28) of FPCompare: unordered 0011, equal 0110, less 1000, greater 0010. */
export const NZCV_UNORDERED = 0x30000000;
/** NZCV for equal operands. */
export const NZCV_EQUAL = 0x60000000;
/** NZCV for a < b. */
export const NZCV_LESS = 0x80000000;
/** NZCV for a > b. */
export const NZCV_GREATER = 0x20000000;

/**
 * FPCompare: NZCV bits for comparing `a` with `b`. Any NaN gives unordered
 * and raises Invalid Operation if it is signalling or `signalNaNs` (FCMPE).
 */
export function fpCompare(
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  signalNaNs: boolean,
  env: FpEnv,
): number {
  const fz = flushes(fmt, env);
  unpack(fmt, aLo, aHi, 0, env, fz);
  unpack(fmt, bLo, bHi, 1, env, fz);
  const ta = U_TYPE[0], tb = U_TYPE[1];
  if (ta >= T_QNAN || tb >= T_QNAN) {
    if (ta > T_QNAN || tb > T_QNAN || signalNaNs) env.fpsr |= FPSR_IOC;
    return NZCV_UNORDERED;
  }
  const va = U_VAL[0], vb = U_VAL[1];
  return va === vb ? NZCV_EQUAL : va < vb ? NZCV_LESS : NZCV_GREATER;
}
