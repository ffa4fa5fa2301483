/**
 * Benchmarks (`deno task bench`); exported for tests: the `net` row's guest
 * lines and host peer, which the user-mode networking e2e test shares.
 *
 * @module
 */
export * from "./net_guest.ts";
export * from "./net_host.ts";
