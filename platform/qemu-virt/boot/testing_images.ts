/**
 * Test helpers: craft small arm64 Images, ELF64 executables and EFI zboot
 * wrappers byte by byte, so loader tests need no toolchain.
 *
 * @module
 */
import { gzipSync } from "node:zlib";

/** An arm64 Image of `size` bytes with the given header fields (text_offset, image_size, flags). */
export function craftArm64Image(
  size: number,
  fields: { textOffset?: bigint; imageSize?: bigint; flags?: bigint; magic?: number } = {},
): Uint8Array {
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x91005a4d, true); // code0: "MZ" + add x13, x18, #0x16 as real kernels have
  v.setUint32(4, 0x14000000, true); // code1: b .
  v.setBigUint64(8, fields.textOffset ?? 0n, true);
  v.setBigUint64(16, fields.imageSize ?? BigInt(size), true);
  v.setBigUint64(24, fields.flags ?? 0b010n, true); // 4K pages
  v.setUint32(0x38, fields.magic ?? 0x644d5241, true);
  for (let i = 64; i < size; i++) b[i] = i & 0xff;
  return b;
}

/** A PT_LOAD description for {@link craftElf64}. */
export interface CraftSegment {
  paddr: number;
  data: Uint8Array;
  memsz?: number;
  type?: number;
}

/** A little-endian ELF64 executable with the given segments. */
export function craftElf64(
  entry: number,
  segments: CraftSegment[],
  header: { cls?: number; data?: number; machine?: number; type?: number } = {},
): Uint8Array {
  const phoff = 64;
  let offset = phoff + segments.length * 56;
  const total = offset + segments.reduce((n, s) => n + s.data.length, 0);
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, header.cls ?? 2, header.data ?? 1, 1]);
  v.setUint16(16, header.type ?? 2, true);
  v.setUint16(18, header.machine ?? 183, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(24, BigInt(entry), true);
  v.setBigUint64(32, BigInt(phoff), true);
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, segments.length, true);
  segments.forEach((s, i) => {
    const ph = phoff + i * 56;
    v.setUint32(ph, s.type ?? 1, true);
    v.setUint32(ph + 4, 7, true);
    v.setBigUint64(ph + 8, BigInt(offset), true);
    v.setBigUint64(ph + 16, BigInt(s.paddr), true);
    v.setBigUint64(ph + 24, BigInt(s.paddr), true);
    v.setBigUint64(ph + 32, BigInt(s.data.length), true);
    v.setBigUint64(ph + 40, BigInt(s.memsz ?? s.data.length), true);
    v.setBigUint64(ph + 48, 0x1000n, true);
    b.set(s.data, offset);
    offset += s.data.length;
  });
  return b;
}

/** Wrap `payload` as an EFI zboot image compressed with `compression` (gzip unless told). */
export function craftZboot(payload: Uint8Array, compression = "gzip"): Uint8Array {
  const z = compression === "gzip" ? new Uint8Array(gzipSync(payload)) : payload;
  const headerSize = 0x100;
  const b = new Uint8Array(headerSize + z.length);
  const v = new DataView(b.buffer);
  b.set([0x4d, 0x5a, 0, 0, 0x7a, 0x69, 0x6d, 0x67]); // "MZ" .. "zimg"
  v.setUint32(8, headerSize, true);
  v.setUint32(12, z.length, true);
  b.set(new TextEncoder().encode(compression), 24);
  b.set(z, headerSize);
  return b;
}
