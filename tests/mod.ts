/**
 * Cross-package tests and what other packages' tests share: assertions
 * (`@gunyah-ts/tests/assert`), the bare-metal test guests
 * (`@gunyah-ts/tests/guests`), the differential-test machine
 * (`@gunyah-ts/tests/machine`) and end-to-end helpers (`@gunyah-ts/tests/e2e`).
 *
 * @module
 */
export * from "./assert.ts";
export * from "./guests/mod.ts";
export * from "./diff/machine/mod.ts";
export * from "./e2e/mod.ts";
