/**
 * The `gunyah` command line as a library: the terminal side of a guest
 * console (escape keys, scripted input). The machine, its configuration and
 * the guest images are `@gunyah-ts/system`'s; `@gunyah-ts/cli/main` is the
 * command itself.
 *
 * @module
 */
export * from "./console.ts";
