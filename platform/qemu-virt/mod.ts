/**
 * The `qemu-virt` platform plugin: QEMU's `virt` machine (GICv3) memory map,
 * a devicetree writer/reader and the virt devicetree, the PL011 UART and
 * PL031 RTC models, and the arm64 Image / ELF / flat-binary loader.
 *
 * The default export is the {@link PlatformPlugin} object.
 *
 * @module
 */
import { qemuVirtPlatform } from "./platform.ts";

export { createQemuVirtPlatform, isPl011, qemuVirtPlatform } from "./platform.ts";
export type { QemuVirtOptions, QemuVirtPlatform } from "./platform.ts";
export * from "./memory_map.ts";
export {
  APB_PCLK_HZ,
  buildVirtDeviceTreeNodes,
  GIC_FDT_IRQ_FLAGS_EDGE_LO_HI,
  GIC_FDT_IRQ_FLAGS_LEVEL_HI,
  GIC_FDT_IRQ_TYPE_PPI,
  GIC_FDT_IRQ_TYPE_SPI,
  PHANDLE_APB_PCLK,
  PHANDLE_GIC,
  UART_NODE_NAME,
  validateVmOptions,
  virtioMmioNode,
} from "./devicetree.ts";
export type { VirtDeviceTreeOptions } from "./devicetree.ts";
export { cells64, encodeDtValue, encodeFdt } from "./fdt/writer.ts";
export type { FdtWriteOptions } from "./fdt/writer.ts";
export { decodeFdt, guessDtValue } from "./fdt/reader.ts";
export type { DecodedFdt, FdtReadOptions } from "./fdt/reader.ts";
export { FdtError } from "./fdt/format.ts";
export type { FdtReservation } from "./fdt/format.ts";
export { formatDts } from "./fdt/dts.ts";
export { findNode, propCells, propInteger, propStrings, withProps } from "./fdt/tree.ts";
export { Pl011 } from "./pl011/pl011.ts";
export type { Pl011Options, Pl011OutputSink } from "./pl011/pl011.ts";
export { Pl011Console } from "./pl011/console.ts";
export { Pl031 } from "./pl031/pl031.ts";
export type { Pl031Options } from "./pl031/pl031.ts";
export { layoutBoot, placeDtb, planVirtBoot } from "./boot/boot_plan.ts";
export type { BootLayout, KernelKind } from "./boot/boot_plan.ts";
export { isArm64Image, parseArm64ImageHeader, placeArm64Image } from "./boot/arm64_image.ts";
export type { Arm64ImageHeader, Arm64ImagePlacement } from "./boot/arm64_image.ts";
export { isElf, parseElf64 } from "./boot/elf64.ts";
export type { ElfImage, ElfSegment } from "./boot/elf64.ts";
export { unwrapKernel } from "./boot/decompress.ts";
export type { KernelWrapping, UnwrappedKernel } from "./boot/decompress.ts";
export { BootImageError } from "./boot/errors.ts";
export {
  QEMU_HEADLESS_ARGS,
  QEMU_SYSTEM_AARCH64,
  QEMU_SYSTEM_AARCH64_PACKAGE,
} from "./qemu_reference.ts";

export default qemuVirtPlatform;
