/**
 * Kernel image checks that name the problem (issue 12 §8): a truncated Image
 * (its EFI stub's PE section table says where the file ends), an Image for
 * another machine, and a damaged ELF segment size are refused before
 * anything is loaded, instead of ending in an exception loop or a failed
 * allocation.
 */
import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { layoutBoot } from "./boot_plan.ts";
import { BootImageError } from "./errors.ts";

const VM = { ramBase: 0x4000_0000, ramSize: 64 << 20, vcpus: 1, bootargs: "" };

/** An Image with an EFI stub: "MZ", the arm64 magic, a PE header with one section ending at 0x3000. */
function efiImage(length: number, machine = 0xaa64): Uint8Array {
  const b = new Uint8Array(length);
  const v = new DataView(b.buffer);
  b[0] = 0x4d;
  b[1] = 0x5a;
  v.setBigUint64(0x10, 0x4000n, true); // image_size
  v.setBigUint64(0x18, 0xan, true); // LE, 4K pages
  v.setUint32(0x38, 0x644d5241, true); // "ARM\x64"
  v.setUint32(0x3c, 0x40, true); // PE header offset
  v.setUint32(0x40, 0x4550, true); // "PE\0\0"
  v.setUint16(0x44, machine, true);
  v.setUint16(0x46, 1, true); // one section
  v.setUint16(0x54, 0, true); // no optional header
  const sec = 0x40 + 24;
  v.setUint32(sec + 16, 0x2000, true); // SizeOfRawData
  v.setUint32(sec + 20, 0x1000, true); // PointerToRawData
  return b;
}

Deno.test("image checks: a whole EFI-stub Image loads; a truncated one is refused by name", () => {
  assertEquals(layoutBoot({ kernel: efiImage(0x3000) }, VM).kind, "arm64-image");
  assertThrows(
    () => layoutBoot({ kernel: efiImage(0x2800) }, VM),
    BootImageError,
    "truncated Image: its PE sections end at byte 12288, the file has 10240 bytes",
  );
});

Deno.test("image checks: an Image whose EFI stub is for another machine is not arm64", () => {
  assertThrows(
    () => layoutBoot({ kernel: efiImage(0x3000, 0x8664) }, VM),
    BootImageError,
    "PE machine 0x8664, not arm64",
  );
});

Deno.test("image checks: an ELF segment larger than the VM's RAM is refused before it is allocated", () => {
  const b = new Uint8Array(0x200);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setUint16(16, 2, true);
  v.setUint16(18, 183, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(24, 0x4008_0000n, true);
  v.setBigUint64(32, 64n, true);
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true);
  v.setUint32(64, 1, true); // PT_LOAD
  v.setBigUint64(64 + 8, 0x100n, true);
  v.setBigUint64(64 + 16, 0x4008_0000n, true);
  v.setBigUint64(64 + 24, 0x4008_0000n, true);
  v.setBigUint64(64 + 32, 0x100n, true);
  v.setBigUint64(64 + 40, 0x10_0000_0000n, true); // p_memsz 64 GiB
  assertThrows(() => layoutBoot({ kernel: b }, VM), BootImageError, "more than the VM's");
});
