/**
 * The Gunyah hypervisor ABI as a guest or a native component sees it:
 * hypercall numbers and their SMCCC function IDs, error codes, capability
 * rights, the packed argument formats and the identify result. Every number
 * is defined once, next to the Gunyah source it comes from. The resource
 * manager and the tools speak to the core through these and the
 * {@link https://github.com/quic/gunyah-hypervisor | hypercall} contract only.
 *
 * @module
 */
export * from "./error.ts";
export * from "./hypercall_numbers.ts";
export * from "./rights.ts";
export * from "./formats.ts";
export * from "./smccc.ts";
export * from "./psci.ts";
export * from "./gicv3.ts";
export * from "./mpidr.ts";
export * from "./identify.ts";
export * from "./virtio.ts";
