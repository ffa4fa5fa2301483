/**
 * IEEE 754 binary formats used by A64: half (binary16), single (binary32)
 * and double (binary64). A format is named by its width in bits; values travel
 * as bit patterns: `lo` holds the low 32 bits (all of a half or single), `hi`
 * the high 32 bits of a double.
 *
 * @module
 */

/** Half precision, binary16 (E = 5, F = 10). */
export const FMT_H = 16;
/** Single precision, binary32 (E = 8, F = 23). */
export const FMT_S = 32;
/** Double precision, binary64 (E = 11, F = 52). */
export const FMT_D = 64;

/** Number of fraction bits F of a format. */
export function fracBits(fmt: number): number {
  return fmt === FMT_D ? 52 : fmt === FMT_S ? 23 : 10;
}

/** Number of exponent bits E of a format. */
export function expBits(fmt: number): number {
  return fmt === FMT_D ? 11 : fmt === FMT_S ? 8 : 5;
}

/** Exponent of the smallest normal number, 2 - 2^(E-1) (the pseudocode's minimum_exp). */
export function minExp(fmt: number): number {
  return fmt === FMT_D ? -1022 : fmt === FMT_S ? -126 : -14;
}

/** Operand classes (FPType in the Arm ARM pseudocode). */
export const T_ZERO = 0;
/** A finite nonzero number (normal or, when not flushed, denormal). */
export const T_NONZERO = 1;
/** Infinity. */
export const T_INF = 2;
/** Quiet NaN. */
export const T_QNAN = 3;
/** Signalling NaN. */
export const T_SNAN = 4;
