/**
 * The fuzzers' seeded generator (SplitMix32 steps; not for cryptography):
 * the same seed gives the same cases, so a failure reproduces from its seed.
 *
 * @module
 */

/** A deterministic source of random numbers. */
export class Prng {
  #state: number;
  /** A generator starting from `seed` (its low 32 bits). */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** The next 32-bit unsigned value. */
  u32(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 0x1_0000_0000 ? Math.floor((this.u32() / 0x1_0000_0000) * n) : this.u32() % n;
  }
  /** A 64-bit value, biased towards the interesting ones (0, small, all ones, high bit). */
  u64(): bigint {
    switch (this.below(8)) {
      case 0:
        return 0n;
      case 1:
        return BigInt(this.below(16));
      case 2:
        return 0xffff_ffff_ffff_ffffn;
      case 3:
        return 1n << BigInt(this.below(64));
      default:
        return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    }
  }
  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** A seed for case batch `index` of a run seeded with `seed` (so each batch replays alone). */
export function batchSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x01000193) + Math.imul(index + 1, 0x9e3779b1)) >>> 0;
}
