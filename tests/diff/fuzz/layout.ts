/**
 * The register and memory conventions shared by the instruction generators
 * (generator.ts) and the guest template (template.ts, guest/fuzz_support.c).
 *
 * @module
 */

/** Random instructions read and write X0..X25 (and XZR where the encoding means ZR). */
export const POOL_REGS = 26;
/** Address temporary set by a group's own setup instruction just before the access that uses it. */
export const REG_TEMP = 27;
/** Base of the scratch buffer; never written by random instructions. */
export const REG_SCRATCH = 28;
/** Scratch buffer size in bytes (guest/fuzz_support.c FUZZ_SCRATCH_SIZE must match). */
export const SCRATCH_SIZE = 1024;
/** FP/SIMD instructions use V0..V7 only, so that all their state is printed compactly. */
export const POOL_VREGS = 8;
/** The zero register / stack pointer number in register fields. */
export const R31 = 31;
