/**
 * Test support: an independent reference for rounding, written with BigInt
 * rationals (slow, test-only), and bit-pattern helpers.
 *
 * @module
 */
import { FMT_D, FMT_S } from "./format.ts";
import { RA, RM, RN, RP, RZ } from "./fpcr.ts";

/** A finite, nonzero exact value: (-1)^neg * num / den. */
export interface Rational {
  neg: boolean;
  num: bigint;
  den: bigint;
}

const F_OF: Record<number, number> = { 16: 10, 32: 23, 64: 52 };
const EMIN_OF: Record<number, number> = { 16: -14, 32: -126, 64: -1022 };
const EMAXF_OF: Record<number, number> = { 16: 31, 32: 255, 64: 2047 };

/** Result of the reference rounding: bit pattern and the flags UFC/OFC/IXC. */
export interface RefResult {
  bits: bigint;
  ufc: boolean;
  ofc: boolean;
  ixc: boolean;
}

/** Round the rational to `fmt` by `rmode`, Arm FPRoundBase semantics (FZ off). */
export function refRound(x: Rational, fmt: number, rmode: number): RefResult {
  const F = F_OF[fmt], emin = EMIN_OF[fmt], expMax = EMAXF_OF[fmt];
  const { num, den } = x;
  // exponent e with 2^e <= num/den < 2^(e+1)
  let e = num.toString(2).length - den.toString(2).length;
  const ge = (k: number) => (k >= 0 ? num >= den << BigInt(k) : num << BigInt(-k) >= den);
  if (!ge(e)) e--;
  const tiny = e < emin;
  const E = tiny ? emin : e;
  // mant = floor(x * 2^(F - E)), rem
  const sh = F - E;
  const n2 = sh >= 0 ? num << BigInt(sh) : num;
  const d2 = sh >= 0 ? den : den << BigInt(-sh);
  let mant = n2 / d2;
  const rem = n2 - mant * d2;
  const inexact = rem !== 0n;
  const twice = 2n * rem;
  const cmpHalf = twice < d2 ? -1 : twice === d2 ? 0 : 1;
  let up = false;
  if (rmode === RN) up = cmpHalf > 0 || (cmpHalf === 0 && (mant & 1n) === 1n);
  else if (rmode === RA) up = cmpHalf >= 0;
  else if (rmode === RP) up = inexact && !x.neg;
  else if (rmode === RM) up = inexact && x.neg;
  else if (rmode === RZ) up = false;
  if (up) mant++;
  const unit = 1n << BigInt(F);
  let expField: bigint;
  if (tiny) expField = mant >= unit ? 1n : 0n;
  else {
    expField = BigInt(e - emin + 1);
    if (mant >= 2n * unit) {
      mant = unit;
      expField++;
    }
  }
  const signBit = x.neg ? 1n << BigInt(fmt - 1) : 0n;
  if (expField >= BigInt(expMax)) {
    const toInf = rmode === RN || rmode === RA || (rmode === RP && !x.neg) ||
      (rmode === RM && x.neg);
    const bits = toInf
      ? signBit | (BigInt(expMax) << BigInt(F))
      : signBit | (BigInt(expMax - 1) << BigInt(F)) | (unit - 1n);
    return { bits, ufc: false, ofc: true, ixc: true };
  }
  const frac = mant >= unit ? mant - unit : mant;
  return {
    bits: signBit | (expField << BigInt(F)) | frac,
    ufc: tiny && inexact,
    ofc: false,
    ixc: inexact,
  };
}

/** The exact value of a finite nonzero bit pattern. */
export function toRational(fmt: number, bits: bigint): Rational {
  const F = BigInt(F_OF[fmt]);
  const neg = ((bits >> BigInt(fmt - 1)) & 1n) === 1n;
  const expField = (bits >> F) & ((1n << BigInt(fmt - 1)) - 1n) & BigInt(EMAXF_OF[fmt]);
  const frac = bits & ((1n << F) - 1n);
  const bias = BigInt(-EMIN_OF[fmt] + 1);
  const m = expField === 0n ? frac : frac | (1n << F);
  const e = (expField === 0n ? 1n : expField) - bias - F; // value = m * 2^e
  return e >= 0n ? { neg, num: m << e, den: 1n } : { neg, num: m, den: 1n << -e };
}

/** Exact sum of two rationals with signs; null when zero. */
export function ratAdd(a: Rational, b: Rational): Rational | null {
  const an = a.neg ? -a.num : a.num, bn = b.neg ? -b.num : b.num;
  const num = an * b.den + bn * a.den, den = a.den * b.den;
  if (num === 0n) return null;
  return { neg: num < 0n, num: num < 0n ? -num : num, den };
}

/** Exact product. */
export function ratMul(a: Rational, b: Rational): Rational {
  return { neg: a.neg !== b.neg, num: a.num * b.num, den: a.den * b.den };
}

/** Exact quotient. */
export function ratDiv(a: Rational, b: Rational): Rational {
  return { neg: a.neg !== b.neg, num: a.num * b.den, den: a.den * b.num };
}

/** Split a 64-bit pattern into the lo/hi halves the softfloat API takes. */
export function halves(bits: bigint): [number, number] {
  return [Number(bits & 0xffffffffn), Number((bits >> 32n) & 0xffffffffn)];
}

/** Join FP_RESULT halves of `fmt` into a bigint. */
export function joined(fmt: number, lo: number, hi: number): bigint {
  return fmt === FMT_D ? (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
}

/** A deterministic pseudo-random generator (xorshift32) for reproducible tests. */
export class Xorshift {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 1;
  }
  /** Next uint32. */
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#s = x >>> 0;
    return this.#s;
  }
  /**
   * A random finite nonzero value of `fmt` whose exponent lies within
   * `[lo, hi]` of the format's exponent field (biased), plus a random sign.
   */
  finite(fmt: number, lo: number, hi: number): bigint {
    const F = F_OF[fmt];
    const exp = BigInt(lo + (this.next() % (hi - lo + 1)));
    let frac = BigInt(this.next());
    if (fmt === FMT_D) frac = (frac << 32n) | BigInt(this.next());
    // Bias towards interesting patterns: all ones / all zeros in the low bits.
    const mode = this.next() % 4;
    if (mode === 1) frac |= (1n << 30n) - 1n;
    if (mode === 2) frac &= ~((1n << 30n) - 1n);
    frac &= (1n << BigInt(F)) - 1n;
    let bits = (exp << BigInt(F)) | frac;
    if (bits === 0n) bits = 1n;
    if (this.next() & 1) bits |= 1n << BigInt(fmt - 1);
    return bits;
  }
}

export { FMT_D, FMT_S };
