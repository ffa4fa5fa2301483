/**
 * Bit-field composition for A64 instruction words, used by the fuzzer's
 * generators (fields listed MSB first with their widths, as the Arm ARM
 * encoding diagrams draw them).
 *
 * @module
 */

/** Compose `[value, width]` fields, most significant first, into a 32-bit word. */
export function fields(...parts: readonly (readonly [number, number])[]): number {
  let word = 0, used = 0;
  for (const [value, width] of parts) {
    if (value < 0 || value >= 2 ** width) {
      throw new RangeError(`field value ${value} does not fit in ${width} bits`);
    }
    word = word * 2 ** width + value;
    used += width;
  }
  if (used !== 32) throw new RangeError(`fields cover ${used} bits, not 32`);
  return word >>> 0;
}

/** Two's complement of `value` in `width` bits (for signed immediates). */
export function signed(value: number, width: number): number {
  const lim = 2 ** (width - 1);
  if (value < -lim || value >= lim) {
    throw new RangeError(`${value} is not a ${width}-bit signed value`);
  }
  return value < 0 ? value + 2 ** width : value;
}
