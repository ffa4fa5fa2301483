/**
 * The bare-metal test guests: their catalogue, the cross toolchain and the
 * build that turns a guest's C source into an ELF image.
 *
 * @module
 */
export * from "./catalogue.ts";
export * from "./toolchain.ts";
export * from "./build.ts";
