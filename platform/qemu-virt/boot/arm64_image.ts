/**
 * The arm64 Linux `Image` header and where the image goes in RAM.
 *
 * Source: Linux `Documentation/arch/arm64/booting.rst` §4 "Call the kernel
 * image" (the 64-byte header: code0, code1, text_offset, image_size, flags,
 * res2..res4, magic "ARM\x64" at 0x38, res5/PE offset at 0x3C; load the image
 * text_offset bytes above a 2 MiB-aligned base) and QEMU `hw/arm/boot.c`
 * `load_aarch64_image` (the offset rules below).
 *
 * @module
 */
import { BootImageError, hex } from "./errors.ts";

/** Size of the Image header. */
export const ARM64_IMAGE_HEADER_SIZE = 64;
/** Offset of the little-endian magic 0x644d5241 ("ARM\x64"). */
export const ARM64_MAGIC_OFFSET = 0x38;
export const ARM64_IMAGE_MAGIC = 0x644d5241;
/** Offsets of text_offset and image_size (u64 LE). */
export const ARM64_TEXT_OFFSET_OFFSET = 0x08;
export const ARM64_IMAGE_SIZE_OFFSET = 0x10;
export const ARM64_FLAGS_OFFSET = 0x18;
/** flags bit 0: kernel endianness (1 = big-endian). */
export const ARM64_FLAG_BE = 1n;
/** flags bits 1-2: kernel page size (0 unspecified, 1 4K, 2 16K, 3 64K). */
export const ARM64_FLAG_PAGE_SIZE_SHIFT = 1n;
/** The 2 MiB alignment of the base the image is placed above. */
export const ARM64_IMAGE_ALIGN = 0x20_0000;
/**
 * Offset used when the header gives no image_size (kernels before 3.17, and
 * raw images): QEMU `KERNEL64_LOAD_ADDR`.
 */
export const KERNEL64_LOAD_ADDR = 0x8_0000;
/**
 * QEMU keeps the first 4 KiB (`BOOTLOADER_MAX_SIZE`) of RAM for its boot
 * stub; a text_offset below that is moved up by 2 MiB. We follow the same
 * rule so kernels land where they land under QEMU.
 */
export const BOOTLOADER_MAX_SIZE = 0x1000;

/** A parsed Image header. */
export interface Arm64ImageHeader {
  /** Offset of the image above a 2 MiB-aligned base (header 0x08). */
  readonly textOffset: bigint;
  /** Effective size including BSS; 0 in pre-3.17 headers. */
  readonly imageSize: bigint;
  /** Header flags (0x18): endianness, page size, placement. */
  readonly flags: bigint;
  /** Page size the kernel was built for (bytes), or 0 if the header does not say. */
  readonly pageSize: number;
}

/** Whether `bytes` carries the arm64 Image magic. */
export function isArm64Image(bytes: Uint8Array): boolean {
  return bytes.length >= ARM64_IMAGE_HEADER_SIZE &&
    new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(
        ARM64_MAGIC_OFFSET,
        true,
      ) ===
      ARM64_IMAGE_MAGIC;
}

/** Offset of the PE header's offset in an Image with an EFI stub ("MZ" at 0). */
export const ARM64_PE_OFFSET_OFFSET = 0x3c;
/** PE/COFF machine type of arm64 (IMAGE_FILE_MACHINE_ARM64, PE format spec "Machine Types"). */
export const PE_MACHINE_ARM64 = 0xaa64;
/** Bytes of a PE section header (PE format spec "Section Table"). */
const PE_SECTION_HEADER_SIZE = 40;

/**
 * An Image with an EFI stub ("MZ" at 0, a PE header at the offset in 0x3C)
 * describes its file layout in its PE section table: refuse an Image for
 * another machine, and one whose sections run past the end of the file (a
 * truncated download or copy, which would otherwise run until an exception
 * loop). Images without the stub have no such table; nothing is checked.
 */
function checkPeSections(bytes: Uint8Array, view: DataView): void {
  if (bytes[0] !== 0x4d || bytes[1] !== 0x5a) return; // no EFI stub
  const pe = view.getUint32(ARM64_PE_OFFSET_OFFSET, true);
  if (pe + 24 > bytes.length || view.getUint32(pe, true) !== 0x0000_4550) return; // no "PE\0\0"
  const machine = view.getUint16(pe + 4, true);
  if (machine !== PE_MACHINE_ARM64) {
    throw new BootImageError(
      `kernel: the Image's EFI stub is for PE machine ${hex(machine)}, not arm64 (${
        hex(PE_MACHINE_ARM64)
      }): pass an arm64 kernel`,
    );
  }
  const sections = view.getUint16(pe + 6, true);
  const table = pe + 24 + view.getUint16(pe + 20, true);
  let end = 0;
  for (let i = 0; i < sections; i++) {
    const h = table + i * PE_SECTION_HEADER_SIZE;
    if (h + PE_SECTION_HEADER_SIZE > bytes.length) {
      throw new BootImageError(
        `kernel: truncated Image: its PE section table runs past the ${bytes.length}-byte file`,
      );
    }
    end = Math.max(end, view.getUint32(h + 20, true) + view.getUint32(h + 16, true));
  }
  if (end > bytes.length) {
    throw new BootImageError(
      `kernel: truncated Image: its PE sections end at byte ${end}, the file has ${bytes.length} ` +
        "bytes (an interrupted download or copy?)",
    );
  }
}

/** Parse and check the header; throws {@link BootImageError} for a truncated or foreign file. */
export function parseArm64ImageHeader(bytes: Uint8Array): Arm64ImageHeader {
  if (bytes.length < ARM64_IMAGE_HEADER_SIZE) {
    throw new BootImageError(
      `kernel: ${bytes.length} bytes is shorter than the ${ARM64_IMAGE_HEADER_SIZE}-byte arm64 Image header (truncated file?)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const magic = view.getUint32(ARM64_MAGIC_OFFSET, true);
  if (magic !== ARM64_IMAGE_MAGIC) {
    throw new BootImageError(
      `kernel: bad arm64 Image magic ${
        hex(magic)
      } at offset 0x38 (expected 0x644d5241 "ARM\\x64"); ` +
        `pass an arm64 Image, a gzipped Image or an AArch64 ELF`,
    );
  }
  const flags = view.getBigUint64(ARM64_FLAGS_OFFSET, true);
  if ((flags & ARM64_FLAG_BE) !== 0n) {
    throw new BootImageError(
      "kernel: the Image is built big-endian (flags bit 0); only little-endian guests run here",
    );
  }
  checkPeSections(bytes, view);
  const pageCode = Number((flags >> ARM64_FLAG_PAGE_SIZE_SHIFT) & 3n);
  return {
    textOffset: view.getBigUint64(ARM64_TEXT_OFFSET_OFFSET, true),
    imageSize: view.getBigUint64(ARM64_IMAGE_SIZE_OFFSET, true),
    flags,
    pageSize: [0, 4096, 16384, 65536][pageCode],
  };
}

/** Where an Image is placed: load address (= entry) and the end of the memory it claims. */
export interface Arm64ImagePlacement {
  /** IPA of the first byte of the image, which is also the entry point. */
  readonly loadAddress: number;
  /** One past the last byte the image claims (load address + max(image_size, file size)). */
  readonly end: number;
}

/**
 * Place an Image in RAM starting at `ramBase`: `text_offset` above the first
 * 2 MiB-aligned address, moved up by 2 MiB when text_offset is below 4 KiB
 * (QEMU's rule, so modern kernels with text_offset 0 load at RAM + 2 MiB);
 * 0x80000 when image_size is 0. The image claims max(image_size, file size).
 */
export function placeArm64Image(
  header: Arm64ImageHeader,
  fileSize: number,
  ramBase: number,
): Arm64ImagePlacement {
  let offset: number;
  if (header.imageSize === 0n) {
    offset = KERNEL64_LOAD_ADDR;
  } else {
    if (header.textOffset >= BigInt(ARM64_IMAGE_ALIGN) * 512n) {
      throw new BootImageError(
        `kernel: text_offset ${hex(header.textOffset)} is implausibly large (corrupt header?)`,
      );
    }
    offset = Number(header.textOffset);
    if (offset < BOOTLOADER_MAX_SIZE) offset += ARM64_IMAGE_ALIGN;
  }
  const base = Math.ceil(ramBase / ARM64_IMAGE_ALIGN) * ARM64_IMAGE_ALIGN;
  const loadAddress = base + offset;
  const claimed = Math.max(Number(header.imageSize), fileSize);
  return { loadAddress, end: loadAddress + claimed };
}
