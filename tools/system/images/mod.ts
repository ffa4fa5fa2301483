/**
 * Guest images: Debian kernel + busybox initramfs, fetched with apt and cached.
 *
 * @module
 */
export * from "./cpio.ts";
export * from "./debian.ts";
export * from "./initramfs.ts";
export * from "./images.ts";
