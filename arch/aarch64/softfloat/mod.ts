/**
 * Softfloat for A64: IEEE 754 half/single/double arithmetic and conversions
 * exact to the Arm ARM pseudocode (FPRound, FPProcessNaN(s), FPAdd ... FPMulAdd,
 * FPCompare, FPConvert, FPToFixed, FixedToFP, FPRoundInt), honouring FPCR
 * (RMode, FZ, DN) and accumulating FPSR's cumulative flags.
 *
 * @module
 */
export * from "./fpcr.ts";
export * from "./format.ts";
export { FP_RESULT, pow2 } from "./round.ts";
export * from "./arith.ts";
export * from "./convert.ts";
export { writeDefaultNaN } from "./unpack.ts";
