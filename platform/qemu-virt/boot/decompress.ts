/**
 * Unwrap a compressed arm64 kernel the way QEMU's `load_aarch64_image` does
 * before looking for the Image header: a gzip stream (Debian's `vmlinuz` for
 * arm64 is a gzipped Image) or an EFI zboot image (a PE stub wrapping a
 * compressed Image).
 *
 * Sources: RFC 1952 (gzip magic 0x1f 0x8b); Linux
 * `drivers/firmware/efi/libstub/zboot-header.S` and QEMU `hw/core/loader.c`
 * `struct linux_efi_zboot_header` (layout below).
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { BootImageError, mib } from "./errors.ts";

/** gzip member header magic (RFC 1952 §2.3.1). */
const GZIP_MAGIC0 = 0x1f;
const GZIP_MAGIC1 = 0x8b;
/** Largest decompressed kernel accepted (QEMU `LOAD_IMAGE_MAX_GUNZIP_BYTES`, 256 MiB). */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/** EFI zboot header fields (little-endian): "MZ" at 0, "zimg" at 4, payload offset/size at 8/12, compression name at 24. */
const ZBOOT_ZIMG_OFFSET = 4;
const ZBOOT_PAYLOAD_OFFSET = 8;
const ZBOOT_PAYLOAD_SIZE = 12;
const ZBOOT_COMPRESSION = 24;
const ZBOOT_COMPRESSION_LEN = 32;
const ZBOOT_HEADER_SIZE = 64;

/** How a kernel file was wrapped. */
export type KernelWrapping = "none" | "gzip" | "efi-zboot";

/** The unwrapped kernel bytes and how they were wrapped. */
export interface UnwrappedKernel {
  /** The kernel as it is loaded (decompressed). */
  readonly data: Uint8Array;
  /** What wrapper was removed. */
  readonly wrapping: KernelWrapping;
}

function gunzip(bytes: Uint8Array, what: string): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes, { maxOutputLength: MAX_DECOMPRESSED_BYTES }));
  } catch (e) {
    throw new BootImageError(
      `${what}: gzip decompression failed (${(e as Error).message}); ` +
        `the file is corrupt or expands beyond ${mib(MAX_DECOMPRESSED_BYTES)}`,
    );
  }
}

/** Whether `bytes` starts with the gzip magic. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC0 && bytes[1] === GZIP_MAGIC1;
}

/** Whether `bytes` is an EFI zboot image ("MZ" … "zimg"). */
export function isEfiZboot(bytes: Uint8Array): boolean {
  return bytes.length >= ZBOOT_HEADER_SIZE && bytes[0] === 0x4d && bytes[1] === 0x5a &&
    bytes[ZBOOT_ZIMG_OFFSET] === 0x7a && bytes[ZBOOT_ZIMG_OFFSET + 1] === 0x69 &&
    bytes[ZBOOT_ZIMG_OFFSET + 2] === 0x6d && bytes[ZBOOT_ZIMG_OFFSET + 3] === 0x67;
}

/** Unwrap gzip or EFI zboot; other input is returned as it is. */
export function unwrapKernel(bytes: Uint8Array): UnwrappedKernel {
  if (isGzip(bytes)) return { data: gunzip(bytes, "kernel"), wrapping: "gzip" };
  if (isEfiZboot(bytes)) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const off = view.getUint32(ZBOOT_PAYLOAD_OFFSET, true);
    const size = view.getUint32(ZBOOT_PAYLOAD_SIZE, true);
    const nameBytes = bytes.subarray(ZBOOT_COMPRESSION, ZBOOT_COMPRESSION + ZBOOT_COMPRESSION_LEN);
    const nul = nameBytes.indexOf(0);
    const compression = new TextDecoder().decode(nul < 0 ? nameBytes : nameBytes.subarray(0, nul));
    if (off + size > bytes.length) {
      throw new BootImageError(
        `kernel: EFI zboot payload [${off}, ${
          off + size
        }) runs past the ${bytes.length}-byte file (truncated?)`,
      );
    }
    if (compression !== "gzip") {
      throw new BootImageError(
        `kernel: EFI zboot image compressed with "${compression}", only gzip is supported; ` +
          `extract the Image with the kernel's scripts/extract-vmlinux or boot an uncompressed Image`,
      );
    }
    return {
      data: gunzip(bytes.subarray(off, off + size), "kernel (EFI zboot payload)"),
      wrapping: "efi-zboot",
    };
  }
  return { data: bytes, wrapping: "none" };
}
