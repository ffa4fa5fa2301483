/**
 * Constants of the flattened devicetree (FDT/DTB) binary format.
 *
 * Source: Devicetree Specification v0.4, chapter 5 "Flattened Devicetree
 * (DTB) Format" (§5.2 header, §5.3 memory reservation block, §5.4 structure
 * block, §5.5 strings block). All multi-byte fields are big-endian.
 *
 * @module
 */

/** `magic` field of the header (§5.2). */
export const FDT_MAGIC = 0xd00dfeed;
/** Size in bytes of the version-17 header (ten u32 fields, §5.2). */
export const FDT_HEADER_SIZE = 40;
/** The format version we write (§5.2 `version`). */
export const FDT_VERSION = 17;
/** Lowest version ours is backwards compatible with (§5.2 `last_comp_version`). */
export const FDT_LAST_COMP_VERSION = 16;

/** Byte offsets of the header fields (§5.2). */
export const FDT_OFF_MAGIC = 0;
export const FDT_OFF_TOTALSIZE = 4;
export const FDT_OFF_DT_STRUCT = 8;
export const FDT_OFF_DT_STRINGS = 12;
export const FDT_OFF_MEM_RSVMAP = 16;
export const FDT_OFF_VERSION = 20;
export const FDT_OFF_LAST_COMP_VERSION = 24;
export const FDT_OFF_BOOT_CPUID_PHYS = 28;
export const FDT_OFF_SIZE_DT_STRINGS = 32;
export const FDT_OFF_SIZE_DT_STRUCT = 36;

/** Structure-block tokens (§5.4.1). */
export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** The memory reservation block is 8-byte aligned (§5.3). */
export const FDT_RSVMAP_ALIGN = 8;
/** Structure-block tokens and property values are padded to 4 bytes (§5.4.2). */
export const FDT_TOKEN_ALIGN = 4;
/** We keep `totalsize` a multiple of 8 so the blob can be placed anywhere 8-byte aligned. */
export const FDT_TOTALSIZE_ALIGN = 8;

/** Longest node name (without unit address) the specification allows (§2.2.1). */
export const FDT_MAX_NODE_NAME = 31;
/** Longest property name the specification allows (§2.2.4). */
export const FDT_MAX_PROP_NAME = 31;

/** A failure to encode or decode a devicetree blob; the message says where and why. */
export class FdtError extends Error {
  /** Error class name, for logs. */
  override readonly name = "FdtError";
}

/** One entry of the memory reservation block (§5.3): `[address, address + size)` is reserved. */
export interface FdtReservation {
  /** First reserved byte. */
  readonly address: bigint;
  /** Length in bytes. */
  readonly size: bigint;
}
