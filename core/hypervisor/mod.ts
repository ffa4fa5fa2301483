/**
 * The hypervisor instance and its run loop, the per-VM MMIO bus and the
 * event map.
 *
 * @module
 */
export * from "./events.ts";
export * from "./vm_mmio_bus.ts";
export * from "./hypervisor.ts";
