import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { gzipSync } from "node:zlib";
import type { PlatformVmOptions } from "@gunyah-ts/core/plugin";
import { layoutBoot, planVirtBoot } from "./boot_plan.ts";
import { BootImageError } from "./errors.ts";
import { parseArm64ImageHeader } from "./arm64_image.ts";
import { unwrapKernel } from "./decompress.ts";
import { craftArm64Image, craftElf64, craftZboot } from "./testing_images.ts";
import { encodeFdt } from "../fdt/writer.ts";
import { decodeFdt } from "../fdt/reader.ts";
import { findNode, propInteger } from "../fdt/tree.ts";
import { buildVirtDeviceTreeNodes } from "../devicetree.ts";

const MiB = 1024 * 1024;
const vm: PlatformVmOptions = {
  ramBase: 0x40000000,
  ramSize: 512 * MiB,
  vcpus: 1,
  bootargs: "console=ttyAMA0",
};
const dtb = encodeFdt(buildVirtDeviceTreeNodes(vm));

Deno.test("an arm64 Image loads at RAM + 2 MiB (text_offset 0), initrd at +128 MiB, DTB 2 MiB-aligned after it", () => {
  const kernel = craftArm64Image(0x10000, { imageSize: 0x200000n });
  const initrd = new Uint8Array(0x12345).fill(7);
  const plan = planVirtBoot({ kernel, initrd }, vm, dtb);
  assertEquals(plan.entry, 0x40200000n);
  const byName = new Map(plan.blobs.map((b) => [b.name, b]));
  assertEquals(byName.get("kernel")!.ipa, 0x40200000);
  assertEquals(byName.get("kernel")!.data, kernel);
  assertEquals(byName.get("initrd")!.ipa, 0x48000000);
  assertEquals(byName.get("dtb")!.ipa, 0x48200000);
  assertEquals(plan.x0, 0x48200000n);
  // the DTB now tells the kernel where the initrd is
  const chosen = findNode(decodeFdt(byName.get("dtb")!.data).root, "/chosen")!;
  assertEquals(propInteger(chosen, "linux,initrd-start"), 0x48000000n);
  assertEquals(propInteger(chosen, "linux,initrd-end"), 0x48012345n);
});

Deno.test("small RAM puts the initrd at RAM/2; a large text_offset and image_size 0 follow QEMU", () => {
  const small = { ...vm, ramSize: 64 * MiB };
  const l = layoutBoot({ kernel: craftArm64Image(0x1000), initrd: new Uint8Array(16) }, small);
  assertEquals(l.initrdStart, 0x42000000);
  assertEquals(
    layoutBoot({ kernel: craftArm64Image(0x1000, { textOffset: 0x80000n }) }, vm).entry,
    0x40080000,
  );
  assertEquals(
    layoutBoot({ kernel: craftArm64Image(0x1000, { imageSize: 0n }) }, vm).entry,
    0x40080000,
  );
  // a kernel reaching past RAM/2 pushes the initrd above it
  const big = layoutBoot({
    kernel: craftArm64Image(0x1000, { imageSize: BigInt(40 * MiB) }),
    initrd: new Uint8Array(1),
  }, small);
  assertEquals(big.initrdStart, 0x40200000 + 40 * MiB);
});

Deno.test("gzipped and EFI zboot Images are unwrapped before placement", () => {
  const image = craftArm64Image(0x3000);
  const gz = layoutBoot({ kernel: new Uint8Array(gzipSync(image)) }, vm);
  assertEquals(gz.wrapping, "gzip");
  assertEquals(gz.kernelBlobs[0].data, image);
  const zb = layoutBoot({ kernel: craftZboot(image) }, vm);
  assertEquals(zb.wrapping, "efi-zboot");
  assertEquals(zb.kernelBlobs[0].data, image);
  assertThrows(
    () => layoutBoot({ kernel: craftZboot(image, "zstd") }, vm),
    BootImageError,
    '"zstd", only gzip',
  );
  assertThrows(
    () => layoutBoot({ kernel: new Uint8Array(gzipSync(new Uint8Array(100))) }, vm),
    BootImageError,
    "bad arm64 Image magic",
  );
});

Deno.test("bad Images: truncated header, big-endian kernel, too big for RAM", () => {
  const gzTrunc = new Uint8Array(gzipSync(new Uint8Array(10)));
  assertThrows(
    () => layoutBoot({ kernel: gzTrunc }, vm),
    BootImageError,
    "shorter than the 64-byte arm64 Image header",
  );
  assertThrows(
    () => layoutBoot({ kernel: craftArm64Image(0x1000, { flags: 1n }) }, vm),
    BootImageError,
    "big-endian",
  );
  assertThrows(
    () => layoutBoot({ kernel: craftArm64Image(0x1000, { imageSize: BigInt(600 * MiB) }) }, vm),
    BootImageError,
    "give the VM at least 602 MiB",
  );
  assertThrows(
    () =>
      planVirtBoot({ kernel: craftArm64Image(0x1000), initrd: new Uint8Array(400 * MiB) }, vm, dtb),
    BootImageError,
    "initrd needs",
  );
});

Deno.test("an AArch64 ELF loads its segments at p_paddr with zeroed bss; DTB at the RAM base when there is room", () => {
  const code = new Uint8Array([0x1f, 0x20, 0x03, 0xd5, 0, 0, 0, 0x14]); // nop; b .
  const kernel = craftElf64(0x40080000, [
    { paddr: 0x40080000, data: code },
    { paddr: 0x40090000, data: new Uint8Array([1, 2, 3, 4]), memsz: 0x100 },
  ]);
  const plan = planVirtBoot({ kernel }, vm, dtb);
  assertEquals(plan.entry, 0x40080000n);
  const seg1 = plan.blobs.find((b) => b.name === "kernel:segment1")!;
  assertEquals(seg1.ipa, 0x40090000);
  assertEquals(seg1.data.length, 0x100);
  assertEquals([...seg1.data.subarray(0, 6)], [1, 2, 3, 4, 0, 0]);
  assertEquals(plan.x0, 0x40000000n);
  // an ELF starting at the RAM base leaves no room below: DTB goes up after the initrd slot
  const low = planVirtBoot(
    { kernel: craftElf64(0x40000000, [{ paddr: 0x40000000, data: code }]) },
    vm,
    dtb,
  );
  assertEquals(low.x0, 0x48000000n);
});

Deno.test("malformed ELFs are refused with what to do", () => {
  const code = new Uint8Array(8);
  const seg = [{ paddr: 0x40080000, data: code }];
  assertThrows(
    () => layoutBoot({ kernel: craftElf64(0x40080000, seg, { cls: 1 }) }, vm),
    BootImageError,
    "ELFCLASS64",
  );
  assertThrows(
    () => layoutBoot({ kernel: craftElf64(0x40080000, seg, { machine: 62 }) }, vm),
    BootImageError,
    "EM_AARCH64",
  );
  assertThrows(
    () => layoutBoot({ kernel: craftElf64(0x40080000, seg, { data: 2 }) }, vm),
    BootImageError,
    "little-endian",
  );
  assertThrows(
    () => layoutBoot({ kernel: craftElf64(0x40080000, seg, { type: 1 }) }, vm),
    BootImageError,
    "not an executable",
  );
  assertThrows(
    () => layoutBoot({ kernel: craftElf64(0x1000, [{ paddr: 0x1000, data: code }]) }, vm),
    BootImageError,
    "lies below RAM",
  );
  assertThrows(
    () => layoutBoot({ kernel: craftElf64(0x50000000, seg) }, vm),
    BootImageError,
    "entry point 0x50000000",
  );
  assertThrows(
    () => layoutBoot({ kernel: craftElf64(0x40080000, seg, {}).subarray(0, 100) }, vm),
    BootImageError,
    "truncated",
  );
  assertThrows(
    () =>
      layoutBoot(
        { kernel: craftElf64(0x40080000, [{ paddr: 0x40080000, data: code, type: 4 }]) },
        vm,
      ),
    BootImageError,
    "no PT_LOAD",
  );
  assertThrows(
    () =>
      layoutBoot(
        { kernel: craftElf64(0x40080000, [...seg, { paddr: 0x40080004, data: code }]) },
        vm,
      ),
    BootImageError,
    "overlaps",
  );
});

Deno.test("anything else is a flat binary entered at the RAM base; empty and oversized DTBs are refused", () => {
  const flat = new Uint8Array([0x1f, 0x20, 0x03, 0xd5]);
  const plan = planVirtBoot({ kernel: flat }, vm, dtb);
  assertEquals(plan.entry, 0x40000000n);
  assertEquals(plan.blobs[0], { name: "kernel", ipa: 0x40000000, data: flat });
  assertEquals(plan.x0, 0x48000000n);
  assertThrows(() => layoutBoot({ kernel: new Uint8Array(0) }, vm), BootImageError, "empty");
  assertThrows(
    () => planVirtBoot({ kernel: flat, initrd: new Uint8Array(1) }, vm, new Uint8Array(64)),
    Error,
    "bad magic",
  );
});

Deno.test("a real ELF linked by the cross toolchain loads (skipped without aarch64-linux-gnu-ld)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/t.s`,
      ".globl _start\n_start: nop\n b _start\n.bss\n.space 64\n",
    );
    const as = await new Deno.Command("aarch64-linux-gnu-as", {
      args: ["-o", `${dir}/t.o`, `${dir}/t.s`],
    })
      .output().catch(() => null);
    if (!as?.success) {
      console.log(
        "aarch64-linux-gnu-as not found: skipping (apt-get install binutils-aarch64-linux-gnu)",
      );
      return;
    }
    const ld = await new Deno.Command("aarch64-linux-gnu-ld", {
      args: ["-Ttext=0x40080000", "-e", "_start", "-o", `${dir}/t.elf`, `${dir}/t.o`],
    }).output();
    assert(ld.success, new TextDecoder().decode(ld.stderr));
    const plan = planVirtBoot({ kernel: await Deno.readFile(`${dir}/t.elf`) }, vm, dtb);
    assertEquals(plan.entry, 0x40080000n);
    const seg = plan.blobs.find((b) => b.ipa <= 0x40080000 && 0x40080000 < b.ipa + b.data.length)!;
    const at = 0x40080000 - seg.ipa;
    assertEquals([...seg.data.subarray(at, at + 4)], [0x1f, 0x20, 0x03, 0xd5]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the Debian arm64 kernel fetched by `gunyah images` is recognised and placed (skipped if not fetched)", async () => {
  const root = new URL("../../../.cache/images/", import.meta.url);
  let kernel: Uint8Array | null = null;
  try {
    for await (const e of Deno.readDir(root)) {
      if (e.isDirectory) {
        kernel = await Deno.readFile(new URL(`${e.name}/Image`, root)).catch(() => null);
        if (kernel) break;
      }
    }
  } catch {
    // no cache directory
  }
  if (!kernel) {
    console.log("no kernel in .cache/images: skipping (fetch one with the CLI's images command)");
    return;
  }
  const header = parseArm64ImageHeader(unwrapKernel(kernel).data);
  assertEquals(header.textOffset, 0n);
  assertEquals(header.pageSize, 4096);
  const layout = layoutBoot({ kernel, initrd: new Uint8Array(1 << 20) }, vm);
  assertEquals(layout.kind, "arm64-image");
  assertEquals(layout.entry, 0x40200000);
  assertEquals(layout.initrdStart, 0x48000000);
});
