/**
 * DecodeBitMasks() of the Arm ARM shared pseudocode for the logical
 * (immediate) instructions, precomputed for all 2^13 values of N:immr:imms
 * so that executing AND/ORR/EOR/ANDS (immediate) is one table lookup.
 *
 * @module
 */

/** Number of N:immr:imms combinations. */
const COMBINATIONS = 1 << 13;

/** Low halves of the 64-bit immediates, indexed by `N:immr:imms` (bits 22:10 of the word). */
export const BITMASK_LO: Uint32Array = new Uint32Array(COMBINATIONS);
/** High halves of the 64-bit immediates. */
export const BITMASK_HI: Uint32Array = new Uint32Array(COMBINATIONS);
/**
 * 1 where the combination is a valid 64-bit immediate, 2 where it is also
 * valid for a 32-bit instruction (N = 0, element size at most 32), 0 where
 * it is reserved.
 */
export const BITMASK_VALID: Uint8Array = new Uint8Array(COMBINATIONS);

/** Valid for 64-bit (sf = 1) instructions. */
export const BITMASK_VALID64 = 1;
/** Valid for 32-bit (sf = 0) instructions as well. */
export const BITMASK_VALID32 = 2;

function build(): void {
  for (let index = 0; index < COMBINATIONS; index++) {
    const n = index >>> 12, immr = (index >>> 6) & 63, imms = index & 63;
    // len = HighestSetBit(N:NOT(imms)).
    const combined = (n << 6) | (~imms & 63);
    if (combined === 0) continue;
    const len = 31 - Math.clz32(combined);
    if (len < 1) continue;
    const levels = (1 << len) - 1;
    const s = imms & levels, r = immr & levels;
    if (s === levels) continue; // all-ones element is reserved for immediates
    const esize = 1 << len;
    const ones = (1n << BigInt(s + 1)) - 1n;
    const emask = (1n << BigInt(esize)) - 1n;
    const rot = BigInt(r);
    let elem = ones;
    if (r !== 0) elem = ((ones >> rot) | (ones << (BigInt(esize) - rot))) & emask;
    let value = 0n;
    for (let i = 0; i < 64; i += esize) value |= elem << BigInt(i);
    BITMASK_LO[index] = Number(value & 0xffffffffn);
    BITMASK_HI[index] = Number(value >> 32n);
    BITMASK_VALID[index] = BITMASK_VALID64 | (n === 0 ? BITMASK_VALID32 : 0);
  }
}
build();
