/**
 * Guest-visible CapID encoding.
 *
 * HYP `hyp/core/cspace_twolevel/src/cspace_twolevel.c` (gunyah-abi.md §2.4):
 * a slot is named by a 16-bit cap value (bits 15:8 table index, bits 7:0
 * slot index within the table); the guest sees
 * `CapID = (value * id_mult) XOR id_rand_base`, where per cspace
 * `id_rand_base` is random with its top 32 bits below 0xffffff00 (so the
 * `0xffffffff_xxxxxxxx` range, including the invalid cap -1, is never
 * produced) and `id_mult` is a random non-zero 16-bit multiplier. Decoding
 * inverts this; an ID that does not round-trip is ERROR_ARGUMENT_INVALID.
 *
 * @module
 */
import type { DeterministicRandom } from "./prng.ts";

/** Cap slots per cap table, from HYP's 2048-byte `cap_table` (62 slots of 32 bytes + header). */
export const CAP_TABLE_NUM_CAP_SLOTS = 62;
/**
 * Cap tables per cspace, from HYP's 2048-byte `cspace` object (table pointers
 * after the header). Computed for the 12/2023 structure sizes; an
 * implementation detail that bounds `max_caps`.
 */
export const CSPACE_NUM_CAP_TABLES = 231;
/** Largest `max_caps` cspace_configure accepts (`CSPACE_MAX_CAP_COUNT_SUPPORTED`). */
export const CSPACE_MAX_CAP_COUNT_SUPPORTED = CAP_TABLE_NUM_CAP_SLOTS * CSPACE_NUM_CAP_TABLES;

/** `CSPACE_CAP_INVALID`: the all-ones CapID. */
export const CSPACE_CAP_INVALID = 0xffffffffffffffffn;

const MASK64 = (1n << 64n) - 1n;

/** Encodes and decodes CapIDs for one cspace. */
export class CapIdEncoder {
  /** `id_rand_base`. */
  readonly base: bigint;
  /** `id_mult` (1..0xffff). */
  readonly mult: bigint;

  constructor(random: DeterministicRandom) {
    let base = random.next64();
    while (base >> 32n >= 0xffffff00n) base = random.next64();
    let mult = random.next64();
    // Same fallback as HYP for a zero low half-word: shift in a constant pattern.
    while ((mult & 0xffffn) === 0n) mult = (0x5555n << 48n) | (mult >> 16n);
    this.base = base;
    this.mult = mult & 0xffffn;
  }

  /** The CapID of flat slot `index` (table = index / slots, slot = index % slots). */
  encode(index: number): bigint {
    const upper = Math.floor(index / CAP_TABLE_NUM_CAP_SLOTS);
    const lower = index % CAP_TABLE_NUM_CAP_SLOTS;
    const value = BigInt((upper << 8) | lower);
    return ((value * this.mult) & MASK64) ^ this.base;
  }

  /** The flat slot index named by `capId`, or -1 if it is not a valid ID of this cspace. */
  decode(capId: bigint): number {
    const r = (BigInt.asUintN(64, capId) ^ this.base) & MASK64;
    if (r % this.mult !== 0n) return -1;
    const value = r / this.mult;
    if (value > 0xffffn) return -1;
    const v = Number(value);
    const upper = v >> 8;
    const lower = v & 0xff;
    if (upper >= CSPACE_NUM_CAP_TABLES || lower >= CAP_TABLE_NUM_CAP_SLOTS) return -1;
    return upper * CAP_TABLE_NUM_CAP_SLOTS + lower;
  }
}
