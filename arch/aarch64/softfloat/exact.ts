/**
 * Error-free transformations on JS doubles, the basis of the exact
 * arithmetic in this folder:
 *
 * - {@link twoSum}: `a + b = s + err` exactly (Knuth), with `s` the
 *   round-to-nearest sum;
 * - {@link twoProduct}: `a * b = p + err` exactly (Dekker, Veltkamp
 *   splitting), valid while neither the product nor the partial products
 *   overflow or underflow (callers keep operands near 1);
 * - {@link expansionSign}: the exact sign of a sum of a few doubles
 *   (Shewchuk's Grow-Expansion with zero elimination).
 *
 * Results travel in module scratch ({@link EXACT}) so nothing allocates.
 *
 * @module
 */

/**
 * Outputs of the last {@link twoSum} / {@link twoProduct}: [0] the rounded
 * value, [1] its exact error. A typed array, so storing doubles allocates nothing.
 */
export const EXACT: Float64Array = new Float64Array(2);

/** Veltkamp splitter for binary64: 2^27 + 1. */
const SPLITTER = 134217729;

/** `a + b = EXACT[0] + EXACT[1]` exactly, `EXACT[0] = RN(a + b)`. No overflow allowed. */
export function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  EXACT[0] = s;
  EXACT[1] = (a - (s - bb)) + (b - bb);
}

/**
 * `a * b = EXACT[0] + EXACT[1]` exactly, `EXACT[0] = RN(a * b)`. Operands
 * must be small enough in magnitude (|a|,|b| < 2^500) and their product large
 * enough (> 2^-900) that no step overflows or underflows.
 */
export function twoProduct(a: number, b: number): void {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a), al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b), bl = b - bh;
  EXACT[0] = p;
  EXACT[1] = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** Scratch for {@link expansionSign}: the terms in, the expansion built. */
export const TERMS = new Float64Array(8);
const EXPANSION = new Float64Array(9);

/**
 * The exact sign (-1, 0, 1) of `TERMS[0] + ... + TERMS[n-1]`, n <= 8.
 * Builds a nonoverlapping expansion (increasing magnitude, zeros eliminated);
 * its last component has the sign of the sum.
 */
export function expansionSign(n: number): number {
  let len = 0;
  for (let i = 0; i < n; i++) {
    let q = TERMS[i];
    let out = 0;
    for (let j = 0; j < len; j++) {
      const e = EXPANSION[j];
      const s = q + e;
      const bb = s - q;
      const h = (q - (s - bb)) + (e - bb);
      q = s;
      if (h !== 0) EXPANSION[out++] = h;
    }
    if (q !== 0) EXPANSION[out++] = q;
    len = out;
  }
  if (len === 0) return 0;
  return EXPANSION[len - 1] > 0 ? 1 : -1;
}
