/**
 * End-to-end helpers: the init script a Linux guest runs to report results.
 *
 * @module
 */
export * from "./linux_init.ts";
export * from "./linux_vm.ts";
export * from "./net_user.ts";
export * from "./net_user_host.ts";
