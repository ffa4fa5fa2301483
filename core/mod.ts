/**
 * The gunyah-ts core: objects, capabilities, hypercall dispatch, scheduling
 * and virtual time, and the contracts every plugin implements.
 *
 * @module
 */
export * from "./plugin/contracts.ts";
export * from "./events.ts";
export * from "./plugin/validate.ts";
export * from "./plugin/loader.ts";
