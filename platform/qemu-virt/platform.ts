/**
 * The `qemu-virt` {@link PlatformPlugin}: QEMU's `virt` machine (GICv3) as
 * a memory map, its built-in PL011 and PL031, its devicetree and its kernel
 * loader.
 *
 * @example
 * ```ts
 * import { createQemuVirtPlatform } from "./platform.ts";
 * const platform = createQemuVirtPlatform({ rtcEpochSeconds: 1_700_000_000 });
 * const vm = { ramBase: 0x40000000, ramSize: 256 << 20, vcpus: 2, bootargs: "console=ttyAMA0" };
 * const dtb = platform.buildDeviceTree(vm, []);
 * ```
 *
 * @module
 */
import {
  type BootImages,
  type BootPlan,
  type Device,
  type DeviceHost,
  type DeviceSlot,
  type DtNode,
  type PlatformPlugin,
  type PlatformVmOptions,
  PLUGIN_API_VERSION,
} from "@gunyah-ts/core/plugin";
import { GIC_SPI_BASE } from "@gunyah-ts/core/abi";
import {
  layoutMaxVcpus,
  mpidrForVcpu,
  VIRT_LAYOUT,
  VIRT_MMIO_SLOT_SIZE,
  type VirtLayout,
  virtMemoryMap,
} from "./memory_map.ts";
import { buildVirtDeviceTreeNodes, validateVmOptions, virtioMmioNode } from "./devicetree.ts";
import { encodeFdt } from "./fdt/writer.ts";
import { planVirtBoot } from "./boot/boot_plan.ts";
import { Pl011 } from "./pl011/pl011.ts";
import { Pl031 } from "./pl031/pl031.ts";

/** Machine-wide choices that are not part of {@link PlatformVmOptions}. */
export interface QemuVirtOptions {
  /**
   * PL031 count at virtual time 0 (seconds since the Unix epoch). Default:
   * the host clock when the devices are created. Set it for repeatable runs.
   */
  readonly rtcEpochSeconds?: number;
  /** `compatible` of the cpu nodes (default `"arm,cortex-a57"`). */
  readonly cpuCompatible?: string;
  /** `/chosen/kaslr-seed`, if KASLR should be seeded (omitted by default for determinism). */
  readonly kaslrSeed?: bigint;
  /**
   * The board's memory map and interrupt assignment (default QEMU virt's,
   * {@link VIRT_LAYOUT}); a board derived from `virt` gives its own.
   */
  readonly layout?: VirtLayout;
  /** Platform name (default `"qemu-virt"`). */
  readonly name?: string;
}

/** The qemu-virt platform plugin, with its device classes typed. */
export interface QemuVirtPlatform extends PlatformPlugin {
  /** Returns `[Pl011, Pl031]`: the console UART first, then the RTC. */
  createDevices(host: DeviceHost, options: PlatformVmOptions): [Pl011, Pl031];
  /** The layout the board was made with. */
  readonly layout: VirtLayout;
}

/** Create the platform plugin. */
export function createQemuVirtPlatform(options: QemuVirtOptions = {}): QemuVirtPlatform {
  const layout = options.layout ?? VIRT_LAYOUT;
  const maxVcpus = layoutMaxVcpus(layout);
  const slots: DeviceSlot[] = Array.from({ length: layout.mmioSlots }, (_, index) => ({
    index,
    base: layout.mmioBase + index * VIRT_MMIO_SLOT_SIZE,
    size: VIRT_MMIO_SLOT_SIZE,
    intid: GIC_SPI_BASE + layout.mmioSpiBase + index,
    dt: virtioMmioNode(index, layout),
  }));
  return {
    kind: "platform",
    apiVersion: PLUGIN_API_VERSION,
    name: options.name ?? "qemu-virt",
    layout,
    memoryMap: virtMemoryMap(layout),
    ramBase: layout.ramBase,
    maxVcpus,
    interruptControllerPlacement: Object.freeze({
      distributorBase: layout.gicDistBase,
      redistributorBase: layout.gicRedistBase,
    }),
    mpidrOf: mpidrForVcpu,
    deviceSlotCount: slots.length,
    deviceSlot(index: number): DeviceSlot {
      const slot = slots[index];
      if (slot === undefined || !Number.isInteger(index)) {
        throw new RangeError(`virtio-mmio slot ${index} is outside 0..${slots.length - 1}`);
      }
      return slot;
    },
    createDevices(host: DeviceHost, vm: PlatformVmOptions): [Pl011, Pl031] {
      validateVmOptions(vm, layout);
      return [
        new Pl011(host, { base: layout.uartBase, intid: GIC_SPI_BASE + layout.uartSpi }),
        new Pl031(host, {
          base: layout.rtcBase,
          intid: GIC_SPI_BASE + layout.rtcSpi,
          epochSeconds: vm.rtcEpochSeconds ?? options.rtcEpochSeconds,
        }),
      ];
    },
    consoleOf(devices: readonly Device[]): Pl011 | null {
      return devices.find(isPl011) ?? null;
    },
    planBoot(images: BootImages, vm: PlatformVmOptions, dtb: Uint8Array): BootPlan {
      validateVmOptions(vm, layout);
      return planVirtBoot(images, vm, dtb);
    },
    buildDeviceTree(vm: PlatformVmOptions, extraNodes: readonly DtNode[]): Uint8Array {
      return encodeFdt(buildVirtDeviceTreeNodes(vm, extraNodes, { ...options, layout }));
    },
  };
}

/** The platform with default options (RTC on the host clock at device creation). */
export const qemuVirtPlatform: QemuVirtPlatform = createQemuVirtPlatform();

/** Type guard for code that holds devices as plain {@link Device}s. */
export function isPl011(device: Device): device is Pl011 {
  return device instanceof Pl011;
}
