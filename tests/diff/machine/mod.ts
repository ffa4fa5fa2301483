/**
 * The differential-test machine: an aarch64 CPU on flat RAM with the
 * qemu-virt devices, which runs a bare-metal guest the way QEMU does so the
 * two can be compared.
 *
 * @module
 */
export * from "./machine.ts";
export * from "./flat_ram.ts";
export * from "./vm_psci_host.ts";
