/**
 * VFPExpandImm (Arm ARM shared pseudocode): the 8-bit floating-point
 * immediate of FMOV (scalar and vector) expanded to half, single or double:
 * sign = imm8<7>, exponent = NOT(imm8<6>) : Replicate(imm8<6>, E-3) : imm8<5:4>,
 * fraction = imm8<3:0> : Zeros(F-4).
 *
 * @module
 */

const expanded = new Uint32Array(1);

/** High 32 bits of the last double expanded by {@link expandImmD}. */
export function expandedHi(): number {
  return expanded[0];
}

/** Expand `imm8` to a single-precision bit pattern. */
export function expandImmS(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  const exp = ((b6 ^ 1) << 7) | (b6 ? 0x7c : 0) | ((imm8 >>> 4) & 3);
  return (((imm8 >>> 7) << 31) | (exp << 23) | ((imm8 & 15) << 19)) >>> 0;
}

/** Expand `imm8` to a double; returns the low 32 bits (always 0), high half in {@link expandedHi}. */
export function expandImmD(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  const exp = ((b6 ^ 1) << 10) | (b6 ? 0x3fc : 0) | ((imm8 >>> 4) & 3);
  expanded[0] = (((imm8 >>> 7) << 31) | (exp << 20) | ((imm8 & 15) << 16)) >>> 0;
  return 0;
}

/** Expand `imm8` to a half-precision bit pattern. */
export function expandImmH(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  const exp = ((b6 ^ 1) << 4) | (b6 ? 0xc : 0) | ((imm8 >>> 4) & 3);
  return ((imm8 >>> 7) << 15) | (exp << 10) | ((imm8 & 15) << 6);
}
