/**
 * 64-bit integer operations on (lo, hi) pairs of unsigned 32-bit halves,
 * without allocation: every function leaves its 64-bit result in
 * {@link out} (`out[0]` = low half, `out[1]` = high half).
 *
 * @module
 */

/** Result register of the functions in this module: [lo, hi]. */
export const out: Uint32Array = new Uint32Array(2);

/** Logical shift left by `n` (0..63). */
export function shl64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    out[0] = lo;
    out[1] = hi;
  } else if (n < 32) {
    out[1] = (hi << n) | (lo >>> (32 - n));
    out[0] = lo << n;
  } else {
    out[1] = lo << (n - 32);
    out[0] = 0;
  }
}

/** Logical shift right by `n` (0..63). */
export function lsr64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    out[0] = lo;
    out[1] = hi;
  } else if (n < 32) {
    out[0] = (lo >>> n) | (hi << (32 - n));
    out[1] = hi >>> n;
  } else {
    out[0] = hi >>> (n - 32);
    out[1] = 0;
  }
}

/** Arithmetic shift right by `n` (0..63). */
export function asr64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    out[0] = lo;
    out[1] = hi;
  } else if (n < 32) {
    out[0] = (lo >>> n) | (hi << (32 - n));
    out[1] = hi >> n;
  } else {
    out[0] = hi >> (n - 32);
    out[1] = hi >> 31;
  }
}

/** Rotate right by `n` (0..63). */
export function ror64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    out[0] = lo;
    out[1] = hi;
  } else if (n < 32) {
    out[0] = (lo >>> n) | (hi << (32 - n));
    out[1] = (hi >>> n) | (lo << (32 - n));
  } else if (n === 32) {
    out[0] = hi;
    out[1] = lo;
  } else {
    const m = n - 32;
    out[0] = (hi >>> m) | (lo << (32 - m));
    out[1] = (lo >>> m) | (hi << (32 - m));
  }
}

/** Full 64-bit product of two unsigned 32-bit values. */
export function mul32x32(a: number, b: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  out[0] = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  out[1] = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
}

/** Low 64 bits of the product of two 64-bit values (same for signed and unsigned). */
export function mul64(alo: number, ahi: number, blo: number, bhi: number): void {
  mul32x32(alo, blo);
  const hi = (out[1] + Math.imul(alo, bhi) + Math.imul(ahi, blo)) >>> 0;
  out[1] = hi;
}

/** High 64 bits of the unsigned 128-bit product (UMULH). */
export function umulh64(alo: number, ahi: number, blo: number, bhi: number): void {
  // Partial products of 32-bit limbs: (ahi:alo) * (bhi:blo).
  mul32x32(alo, blo);
  const ll1 = out[1];
  mul32x32(alo, bhi);
  const lh0 = out[0], lh1 = out[1];
  mul32x32(ahi, blo);
  const hl0 = out[0], hl1 = out[1];
  mul32x32(ahi, bhi);
  const hh0 = out[0], hh1 = out[1];
  // Column 1 (bits 63:32) carry into column 2.
  const col1 = ll1 + lh0 + hl0; // < 3 * 2^32
  const c1 = Math.floor(col1 / 0x100000000);
  const col2 = lh1 + hl1 + hh0 + c1; // < 4 * 2^32
  const c2 = Math.floor(col2 / 0x100000000);
  out[0] = col2 >>> 0;
  out[1] = (hh1 + c2) >>> 0;
}

/** High 64 bits of the signed 128-bit product (SMULH). */
export function smulh64(alo: number, ahi: number, blo: number, bhi: number): void {
  umulh64(alo, ahi, blo, bhi);
  let lo = out[0], hi = out[1];
  // signed(a)*signed(b) = a*b - 2^64*(a<0 ? b : 0) - 2^64*(b<0 ? a : 0)
  if ((ahi & 0x80000000) !== 0) {
    const s = lo - blo;
    hi = (hi - bhi - (s < 0 ? 1 : 0)) >>> 0;
    lo = s >>> 0;
  }
  if ((bhi & 0x80000000) !== 0) {
    const s = lo - alo;
    hi = (hi - ahi - (s < 0 ? 1 : 0)) >>> 0;
    lo = s >>> 0;
  }
  out[0] = lo;
  out[1] = hi;
}

const TWO32 = 0x100000000;

/** Unsigned 64-bit division, quotient only; division by zero gives 0 (A64 UDIV). */
export function udiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  if (blo === 0 && bhi === 0) {
    out[0] = 0;
    out[1] = 0;
    return;
  }
  if (ahi < 0x100000 && bhi < 0x100000) {
    // Both below 2^52: the double quotient's floor is exact.
    const q = Math.floor((ahi * TWO32 + alo) / (bhi * TWO32 + blo));
    out[0] = q >>> 0;
    out[1] = Math.floor(q / TWO32);
    return;
  }
  // Restoring binary long division on halves.
  let qlo = 0, qhi = 0, rlo = 0, rhi = 0;
  for (let i = 63; i >= 0; i--) {
    rhi = ((rhi << 1) | (rlo >>> 31)) >>> 0;
    const bit = i >= 32 ? (ahi >>> (i - 32)) & 1 : (alo >>> i) & 1;
    rlo = ((rlo << 1) | bit) >>> 0;
    if (rhi > bhi || (rhi === bhi && rlo >= blo)) {
      const s = rlo - blo;
      rhi = (rhi - bhi - (s < 0 ? 1 : 0)) >>> 0;
      rlo = s >>> 0;
      if (i >= 32) qhi = (qhi | (1 << (i - 32))) >>> 0;
      else qlo = (qlo | (1 << i)) >>> 0;
    }
  }
  out[0] = qlo;
  out[1] = qhi;
}

/** Two's-complement negation of a 64-bit value. */
export function neg64(lo: number, hi: number): void {
  out[0] = (-lo) >>> 0;
  out[1] = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
}

/**
 * Signed 64-bit division rounding toward zero; division by zero gives 0 and
 * INT64_MIN / -1 gives INT64_MIN (A64 SDIV).
 */
export function sdiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  const an = (ahi & 0x80000000) !== 0, bn = (bhi & 0x80000000) !== 0;
  if (an) {
    neg64(alo, ahi);
    alo = out[0];
    ahi = out[1];
  }
  if (bn) {
    neg64(blo, bhi);
    blo = out[0];
    bhi = out[1];
  }
  udiv64(alo, ahi, blo, bhi);
  if (an !== bn) neg64(out[0], out[1]);
}
