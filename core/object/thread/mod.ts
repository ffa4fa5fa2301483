/**
 * The thread object (kind VCPU) and its hypercalls.
 *
 * @module
 */
export * from "./thread_types.ts";
export * from "./thread.ts";
export * from "./hypercalls.ts";
