/**
 * The hypervisor instance and its run loop, the per-VM MMIO bus, the event
 * map and native components' interrupt controller.
 *
 * @module
 */
export * from "./events.ts";
export * from "./vm_mmio_bus.ts";
export * from "./vm_registry.ts";
export * from "./component_irq.ts";
export * from "./component.ts";
export * from "./vcpu_user_memory.ts";
export * from "./trace.ts";
export * from "./host_yield.ts";
export * from "./hypervisor.ts";
export * from "./host_debug.ts";
