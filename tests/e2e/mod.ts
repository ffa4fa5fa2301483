/**
 * End-to-end helpers: the init script a Linux guest runs to report results.
 *
 * @module
 */
export * from "./linux_init.ts";
