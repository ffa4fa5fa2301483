/**
 * The thread object (kind VCPU), its VIRQ sources and its hypercalls.
 *
 * @module
 */
export * from "./thread_types.ts";
export * from "./thread.ts";
export * from "./vcpu_virq_source.ts";
export * from "./hypercalls.ts";
