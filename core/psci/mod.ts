/**
 * PSCI 1.1 (Arm DEN 0022) as the hypervisor offers it to its VMs, in one
 * module: the SMCCC STANDARD-owner service that decodes and validates a call
 * (service.ts), what it asks of the hypervisor (host.ts), and the
 * hypervisor's answer over vCPU threads (hypervisor_host.ts). Its numbers
 * are in core/abi/psci.ts. Gunyah does the same in its `hyp/vm/psci` module.
 *
 * @module
 */
export * from "./service.ts";
export type * from "./host.ts";
export * from "./hypervisor_host.ts";
