/**
 * The `gunyah` command line as a library: the machine it builds from a boot
 * configuration, the configuration parser, the guest console and the Debian
 * guest images. `@gunyah-ts/cli/main` is the command itself.
 *
 * @module
 */
export * from "./system.ts";
export * from "./config.ts";
export * from "./console.ts";
export * from "./images/mod.ts";
