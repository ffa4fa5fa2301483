/**
 * PSCI 1.1 for guests: function IDs and return codes, the {@link PsciHost}
 * the hypervisor implements, and the SMCCC service that decodes calls.
 *
 * @module
 */
export * from "./function_ids.ts";
export type { PsciHost } from "./host.ts";
export { createPsciService, psciImplements, type PsciServiceHandler } from "./service.ts";
