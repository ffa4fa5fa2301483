/**
 * Every instruction class the fuzzer draws from: the scalar ones
 * (generator.ts) and the AdvSIMD ones (simd_generators.ts).
 *
 * @module
 */
import { type InstructionClass, SCALAR_CLASSES } from "./generator.ts";
import { SIMD_CLASSES } from "./simd_generators.ts";

/** All classes with their weights. */
export const CLASSES: readonly InstructionClass[] = [...SCALAR_CLASSES, ...SIMD_CLASSES];
