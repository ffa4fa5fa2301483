/**
 * Where the kernel, initrd and devicetree go in a virt VM's RAM, following
 * QEMU `hw/arm/boot.c` (`arm_setup_direct_kernel_boot`, `arm_load_dtb`):
 *
 * - kernel: an arm64 Image (optionally gzipped or EFI zboot) is placed as
 *   {@link placeArm64Image} says; an AArch64 ELF goes to its segments'
 *   physical addresses; anything else (not starting with the EFI stub's
 *   "MZ") is a flat binary loaded and entered at the RAM base.
 * - initrd: at RAM + min(RAM / 2, 128 MiB), or just above the kernel if the
 *   kernel reaches further, 4 KiB aligned (QEMU `TARGET_PAGE_ALIGN`).
 * - DTB: after the initrd (or where the initrd would go), aligned to 2 MiB
 *   because early arm64 kernels map the 2 MiB block around it. For an ELF
 *   that leaves room below its lowest segment the DTB goes at the RAM base,
 *   as QEMU does for ELF images.
 * - `/chosen/linux,initrd-start` and `-end` are written into the DTB here,
 *   as QEMU's `arm_load_dtb` writes them at load time.
 *
 * Everything is checked to fit in RAM; the errors say how much RAM is needed.
 *
 * @module
 */
import type { BootImages, BootPlan, PlatformVmOptions } from "@gunyah-ts/core/plugin";
import { cells64 } from "../fdt/writer.ts";
import { decodeFdt } from "../fdt/reader.ts";
import { encodeFdt } from "../fdt/writer.ts";
import { withProps } from "../fdt/tree.ts";
import { isArm64Image, parseArm64ImageHeader, placeArm64Image } from "./arm64_image.ts";
import { type KernelWrapping, unwrapKernel } from "./decompress.ts";
import { isElf, parseElf64 } from "./elf64.ts";
import { BootImageError, hex, mib } from "./errors.ts";

/** initrd offset cap: QEMU puts it at most 128 MiB into RAM. */
export const INITRD_MAX_OFFSET = 128 * 1024 * 1024;
/** initrd alignment (QEMU `TARGET_PAGE_ALIGN`, 4 KiB). */
export const INITRD_ALIGN = 0x1000;
/** DTB alignment for AArch64 kernels (QEMU `arm_setup_direct_kernel_boot`, 2 MiB). */
export const DTB_ALIGN = 0x20_0000;
/** Largest DTB arm64 Linux accepts (booting.rst §2: "must not exceed 2 megabytes"). */
export const DTB_MAX_SIZE = 0x20_0000;

/** "MZ": the PE/COFF signature an EFI-stub arm64 Image starts with (booting.rst, code0). */
const PE_MZ0 = 0x4d;
const PE_MZ1 = 0x5a;

/** What kind of kernel file was recognised. */
export type KernelKind = "arm64-image" | "elf" | "flat";

/** The placement decided for one boot. */
export interface BootLayout {
  /** Which loader took the kernel. */
  readonly kind: KernelKind;
  /** Compression wrapper removed before loading. */
  readonly wrapping: KernelWrapping;
  /** Entry IPA of the boot vCPU. */
  readonly entry: number;
  /** Kernel pieces with their IPAs. */
  readonly kernelBlobs: readonly {
    readonly name: string;
    readonly ipa: number;
    readonly data: Uint8Array;
  }[];
  /** First and one-past-last byte the kernel occupies (an Image claims image_size). */
  readonly kernelLow: number;
  /** One past the last byte the kernel occupies. */
  readonly kernelHigh: number;
  /** Where the initrd goes (also when none is given: the DTB is placed after this point). */
  readonly initrdStart: number;
  /** One past the initrd's last byte (equal to the start when there is none). */
  readonly initrdEnd: number;
}

function startsWithMz(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === PE_MZ0 && data[1] === PE_MZ1;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function checkFits(what: string, start: number, end: number, vm: PlatformVmOptions): void {
  const ramEnd = vm.ramBase + vm.ramSize;
  if (start < vm.ramBase || end > ramEnd) {
    const need = alignUp(end - vm.ramBase, 1024 * 1024);
    throw new BootImageError(
      `${what} needs [${hex(start)}, ${hex(end)}) but RAM is [${hex(vm.ramBase)}, ${
        hex(ramEnd)
      }) ` +
        `(${mib(vm.ramSize)})` +
        (start >= vm.ramBase
          ? `; give the VM at least ${need / (1024 * 1024)} MiB of RAM`
          : "; it lies below RAM"),
    );
  }
}

/** Recognise the kernel and place kernel and initrd (no DTB yet). */
export function layoutBoot(images: BootImages, vm: PlatformVmOptions): BootLayout {
  if (images.kernel.length === 0) throw new BootImageError("kernel: the file is empty");
  const { data, wrapping } = unwrapKernel(images.kernel);
  let kind: KernelKind;
  let entry: number;
  let low: number;
  let high: number;
  let kernelBlobs: BootLayout["kernelBlobs"];
  if (isElf(data)) {
    const elf = parseElf64(data, vm.ramSize);
    kind = "elf";
    entry = elf.entry;
    low = elf.low;
    high = elf.high;
    elf.segments.forEach((s, i) =>
      checkFits(`kernel ELF segment ${i}`, s.address, s.address + s.data.length, vm)
    );
    kernelBlobs = elf.segments.map((s, i) => ({
      name: `kernel:segment${i}`,
      ipa: s.address,
      data: s.data,
    }));
  } else if (isArm64Image(data) || wrapping !== "none" || startsWithMz(data)) {
    // A decompressed payload, or a file starting with the EFI stub's "MZ", must be an
    // Image: parse it as one so a truncated or damaged kernel is refused, not run flat.
    const header = parseArm64ImageHeader(data);
    const place = placeArm64Image(header, data.length, vm.ramBase);
    kind = "arm64-image";
    entry = place.loadAddress;
    low = place.loadAddress;
    high = place.end;
    checkFits("kernel Image (image_size from its header)", low, high, vm);
    kernelBlobs = [{ name: "kernel", ipa: low, data }];
  } else {
    kind = "flat";
    entry = vm.ramBase;
    low = vm.ramBase;
    high = vm.ramBase + data.length;
    checkFits("flat kernel binary", low, high, vm);
    kernelBlobs = [{ name: "kernel", ipa: low, data }];
  }
  let initrdStart = vm.ramBase + Math.min(Math.floor(vm.ramSize / 2), INITRD_MAX_OFFSET);
  if (high > initrdStart) initrdStart = high;
  initrdStart = alignUp(initrdStart, INITRD_ALIGN);
  const initrdEnd = initrdStart + (images.initrd?.length ?? 0);
  if (images.initrd) checkFits("initrd", initrdStart, initrdEnd, vm);
  return {
    kind,
    wrapping,
    entry,
    kernelBlobs,
    kernelLow: low,
    kernelHigh: high,
    initrdStart,
    initrdEnd,
  };
}

/** Where the DTB of `dtbSize` bytes goes for `layout`. */
export function placeDtb(layout: BootLayout, dtbSize: number, vm: PlatformVmOptions): number {
  if (dtbSize > DTB_MAX_SIZE) {
    throw new BootImageError(
      `DTB is ${mib(dtbSize)}; arm64 Linux accepts at most 2 MiB (booting.rst)`,
    );
  }
  if (layout.kind === "elf" && layout.kernelLow >= vm.ramBase + dtbSize) {
    return vm.ramBase;
  }
  const at = alignUp(layout.initrdEnd, DTB_ALIGN);
  checkFits("DTB (placed after the initrd, 2 MiB aligned)", at, at + dtbSize, vm);
  return at;
}

/**
 * Plan a boot: place kernel, initrd and DTB, write the initrd bounds into the
 * DTB's `/chosen`, and return the {@link BootPlan} (entry, x0 = DTB address).
 */
export function planVirtBoot(images: BootImages, vm: PlatformVmOptions, dtb: Uint8Array): BootPlan {
  const layout = layoutBoot(images, vm);
  let blob = dtb;
  if (images.initrd) {
    const { root, reservations, bootCpuidPhys } = decodeFdt(dtb, { raw: true });
    const chosen = withProps(root, "/chosen", {
      "linux,initrd-start": cells64(layout.initrdStart),
      "linux,initrd-end": cells64(layout.initrdEnd),
    });
    blob = encodeFdt(chosen, { reservations, bootCpuidPhys });
  }
  const dtbAddress = placeDtb(layout, blob.length, vm);
  const blobs = [...layout.kernelBlobs];
  if (images.initrd) blobs.push({ name: "initrd", ipa: layout.initrdStart, data: images.initrd });
  blobs.push({ name: "dtb", ipa: dtbAddress, data: blob });
  return { entry: BigInt(layout.entry), x0: BigInt(dtbAddress), blobs };
}
