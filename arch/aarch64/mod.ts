/**
 * The AArch64 architecture plugin: the A64 CPU emulator (EL0/EL1), stage-1
 * MMU, generic timer and the GICv3 virtual interrupt controller.
 *
 * @module
 */
export * from "./cpu/state.ts";
