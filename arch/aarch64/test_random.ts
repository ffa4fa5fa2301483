/**
 * Test support: seeded random inputs for the differential tests — a
 * xorshift32 stream and random instruction words that match given decoder
 * entries. Everything is determined by the seed, so a failing case is
 * reproduced by running the test again.
 *
 * @module
 */
import type { EncodingEntry } from "./decode/entry.ts";
import { parsePattern } from "./decode/pattern.ts";

/**
 * Marsaglia's xorshift32 generator (shifts 13, 17, 5; "Xorshift RNGs",
 * Journal of Statistical Software 8(14), 2003). Its state is never 0 for a
 * non-zero seed; period 2^32 - 1.
 */
export class Xorshift32 {
  #s: number;

  /** A stream starting from `seed` (a non-zero 32-bit value). */
  constructor(seed: number) {
    if ((seed >>> 0) === 0) throw new RangeError("Xorshift32: the seed must be non-zero");
    this.#s = seed >>> 0;
  }

  /** Advance and return the new state, an unsigned 32-bit value. */
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.#s = x >>> 0);
  }

  /** `next() % n`: a value in [0, n) (slightly biased for large n, as the tests' seeds expect). */
  below(n: number): number {
    return this.next() % n;
  }

  /** An element of a non-empty array, chosen by {@link below}. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** A decoder entry with its pattern parsed, for drawing random encodings of it. */
export interface EncodingCandidate {
  /** The entry. */
  readonly entry: EncodingEntry;
  /** Bits its pattern fixes (unsigned). */
  readonly mask: number;
  /** Values of those bits (unsigned). */
  readonly value: number;
}

/** Each entry with its parsed pattern, in the same order. */
export function encodingCandidates(entries: readonly EncodingEntry[]): EncodingCandidate[] {
  return entries.map((entry) => {
    const p = parsePattern(entry.pattern);
    return { entry, mask: p.mask >>> 0, value: p.value >>> 0 };
  });
}

/** A random word matching `c`'s pattern: one {@link Xorshift32.next} for the free bits. */
export function randomEncoding(rng: Xorshift32, c: EncodingCandidate): number {
  return ((rng.next() & ~c.mask) | c.value) >>> 0;
}
