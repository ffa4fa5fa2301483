/**
 * Test helpers of the qemu-virt platform for other packages' tests: a fake
 * device host and the `dtc` round trip that checks a devicetree blob.
 *
 * @module
 */
export * from "./fake_host.ts";
export * from "../fdt/dtc_testing.ts";
