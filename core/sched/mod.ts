/**
 * Scheduling: Gunyah's FPRR scheduler and its block reasons.
 *
 * @module
 */
export * from "./scheduler_block.ts";
export * from "./fprr.ts";
