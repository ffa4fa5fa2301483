/**
 * Cross-package test support: assertions and (later) guest builders.
 *
 * @module
 */
export * from "./assert.ts";
