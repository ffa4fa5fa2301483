/**
 * Parsing of encoding patterns (see ./entry.ts) into mask/value pairs.
 *
 * @module
 */

/** A parsed pattern: `(insn & mask) === value` when the pattern matches. */
export interface ParsedPattern {
  /** Bits that the pattern fixes (1 = fixed). Unsigned 32-bit. */
  readonly mask: number;
  /** Required values of the fixed bits. Unsigned 32-bit, a subset of `mask`. */
  readonly value: number;
  /** Number of fixed bits (popcount of `mask`). */
  readonly fixedBits: number;
}

/**
 * Parse a pattern of 32 `0`/`1`/`x` characters (MSB first, spaces and `_`
 * ignored).
 *
 * @example
 * ```ts
 * const p = parsePattern("1101 0101 0000 0011 0010 0000 0001 1111"); // NOP
 * // p.mask === 0xffffffff, p.value === 0xd503201f
 * ```
 * @throws Error naming the pattern when it has a bad character or length.
 */
export function parsePattern(pattern: string): ParsedPattern {
  let mask = 0, value = 0, count = 0, fixed = 0;
  for (const ch of pattern) {
    if (ch === " " || ch === "_") continue;
    if (ch !== "0" && ch !== "1" && ch !== "x") {
      throw new Error(
        `encoding pattern "${pattern}": bad character "${ch}" (use 0, 1, x, space or _)`,
      );
    }
    mask = (mask << 1) >>> 0;
    value = (value << 1) >>> 0;
    if (ch !== "x") {
      mask = (mask | 1) >>> 0;
      fixed++;
      if (ch === "1") value = (value | 1) >>> 0;
    }
    count++;
  }
  if (count !== 32) {
    throw new Error(`encoding pattern "${pattern}" has ${count} bits, expected 32`);
  }
  return { mask, value, fixedBits: fixed };
}
