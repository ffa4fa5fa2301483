/**
 * The error every boot-image loader throws: the message names the image,
 * what is wrong with it, and what to do about it.
 *
 * @module
 */

/** A kernel, initrd or DTB that cannot be loaded as given. */
export class BootImageError extends Error {
  /** Error class name, for logs. */
  override readonly name = "BootImageError";
}

/** `0x…` formatting for addresses in messages. */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** Sizes in messages: bytes with a MiB figure. */
export function mib(n: number): string {
  return `${n} bytes (${(n / (1024 * 1024)).toFixed(1)} MiB)`;
}
