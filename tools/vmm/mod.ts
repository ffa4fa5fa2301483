/**
 * `gunyah-vmm`: its build (the static aarch64 program, and host builds for
 * tests) and what the primary's initramfs carries to run a secondary VM.
 *
 * @module
 */
export * from "./build.ts";
export * from "./secondary.ts";
