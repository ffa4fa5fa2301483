/**
 * A small deterministic pseudo-random generator (SplitMix64) for values that
 * Gunyah draws from its PRNG, such as the per-cspace CapID randomisation.
 * Seeded explicitly so that every run with the same seed produces the same
 * CapIDs. Cold path only (`bigint`).
 *
 * @module
 */

const MASK64 = (1n << 64n) - 1n;
/** SplitMix64 increment (the 64-bit golden ratio), Steele/Lea/Flood 2014. */
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/** A seeded 64-bit generator. */
export class DeterministicRandom {
  #state: bigint;

  constructor(seed: bigint) {
    this.#state = BigInt.asUintN(64, seed);
  }

  /** The next 64-bit value. */
  next64(): bigint {
    this.#state = (this.#state + GOLDEN_GAMMA) & MASK64;
    let z = this.#state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }

  /** A new generator seeded from this one (for a child object's own stream). */
  fork(): DeterministicRandom {
    return new DeterministicRandom(this.next64());
  }
}
