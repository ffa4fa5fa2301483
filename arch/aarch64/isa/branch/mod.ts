/**
 * The A64 branch instructions (ERET and the exception-generating ones
 * belong to the system group, arch/aarch64/isa/system/).
 *
 * @module
 */
export { entries } from "./branch.ts";
