/**
 * The QEMU `virt` machine's physical memory map and interrupt assignment,
 * used unchanged so that guests built for `qemu-system-aarch64 -M virt`
 * (GICv3) run here as they are.
 *
 * Sources: QEMU `hw/arm/virt.c` (`base_memmap[]`, `a15irqmap[]`,
 * `virt_cpu_mp_affinity()`), `include/hw/arm/virt.h` (`NUM_VIRTIO_TRANSPORTS`,
 * timer PPIs), `include/hw/intc/arm_gicv3_common.h` (`GICV3_REDIST_SIZE`).
 *
 * @module
 */
import { GIC_SPI_BASE } from "@gunyah-ts/core/abi";
import type { MemoryMapEntry } from "@gunyah-ts/core/plugin";

/** Boot flash (virt.c `VIRT_FLASH`): two 64 MiB pflash banks; unused here, kept free. */
export const VIRT_FLASH_BASE = 0x0000_0000;
/** Size of the flash region. */
export const VIRT_FLASH_SIZE = 0x0800_0000;

/** GICv3 distributor (virt.c `VIRT_GIC_DIST`). */
export const VIRT_GIC_DIST_BASE = 0x0800_0000;
/** Size of the distributor frame (64 KiB). */
export const VIRT_GIC_DIST_SIZE = 0x0001_0000;

/** GICv3 redistributor region (virt.c `VIRT_GIC_REDIST`): room for 123 vCPUs. */
export const VIRT_GIC_REDIST_BASE = 0x080a_0000;
/** Size of the whole redistributor window. */
export const VIRT_GIC_REDIST_SIZE = 0x00f6_0000;
/** One redistributor: RD_base + SGI_base frames, 64 KiB each (`GICV3_REDIST_SIZE`). */
export const GICV3_REDIST_SIZE = 0x0002_0000;
/** Most vCPUs whose redistributors fit in {@link VIRT_GIC_REDIST_SIZE}. */
export const VIRT_MAX_VCPUS: number = VIRT_GIC_REDIST_SIZE / GICV3_REDIST_SIZE;

/** PL011 UART (virt.c `VIRT_UART`), SPI 1. */
export const VIRT_UART_BASE = 0x0900_0000;
/** Size of the PL011 register block. */
export const VIRT_UART_SIZE = 0x0000_1000;
/** SPI number of the PL011 (virt.c `a15irqmap[VIRT_UART]`). */
export const VIRT_UART_SPI = 1;
/** PL011 interrupt as a GIC INTID (33). */
export const VIRT_UART_INTID: number = GIC_SPI_BASE + VIRT_UART_SPI;

/** PL031 RTC (virt.c `VIRT_RTC`), SPI 2. */
export const VIRT_RTC_BASE = 0x0901_0000;
/** Size of the PL031 register block. */
export const VIRT_RTC_SIZE = 0x0000_1000;
/** SPI number of the PL031 (virt.c `a15irqmap[VIRT_RTC]`). */
export const VIRT_RTC_SPI = 2;
/** PL031 interrupt as a GIC INTID (34). */
export const VIRT_RTC_INTID: number = GIC_SPI_BASE + VIRT_RTC_SPI;

/** virtio-mmio transports (virt.c `VIRT_MMIO`): 32 slots of 0x200 bytes from 0x0a000000. */
export const VIRT_MMIO_BASE = 0x0a00_0000;
/** Size of one virtio-mmio transport. */
export const VIRT_MMIO_SLOT_SIZE = 0x200;
/** `NUM_VIRTIO_TRANSPORTS` in virt.h. */
export const VIRT_MMIO_SLOTS = 32;
/** SPI of virtio-mmio slot 0; slot n uses SPI 16 + n (virt.c `a15irqmap[VIRT_MMIO]`). */
export const VIRT_MMIO_SPI_BASE = 16;

/** Guest RAM starts at 1 GiB (virt.c `VIRT_MEM`). */
export const VIRT_MEM_BASE = 0x4000_0000;
/** Largest RAM of the legacy (below-4 GiB-IPA-layout) map: 255 GiB (virt.c `LEGACY_RAMLIMIT_GB`). */
export const VIRT_MEM_MAX: number = 255 * 0x4000_0000;

/**
 * Secure EL1 physical timer, PPI 13. This and the INTIDs below are virt.h's
 * `ARCH_TIMER_*_IRQ`, `VIRTUAL_PMU_IRQ` and `ARCH_GIC_MAINT_IRQ` as INTIDs.
 */
export const ARCH_TIMER_S_EL1_INTID = 29;
/** Non-secure EL1 physical timer (CNTP), PPI 14. */
export const ARCH_TIMER_NS_EL1_INTID = 30;
/** Virtual timer (CNTV), PPI 11. */
export const ARCH_TIMER_VIRT_INTID = 27;
/** Non-secure EL2 physical timer (CNTHP), PPI 10. */
export const ARCH_TIMER_NS_EL2_INTID = 26;
/** PMU overflow interrupt, PPI 7. */
export const VIRTUAL_PMU_INTID = 23;
/** GIC virtual-interface maintenance interrupt, PPI 9. */
export const ARCH_GIC_MAINT_INTID = 25;

/** vCPUs per affinity-level-1 cluster with GICv3 (`GICV3_TARGETLIST_BITS`). */
export const GICV3_TARGETLIST_BITS = 16;

/**
 * MPIDR affinity of vCPU `index` as QEMU `virt` assigns it with GICv3
 * (`virt_cpu_mp_affinity`): Aff0 = index mod 16, Aff1 = index / 16.
 */
export function mpidrForVcpu(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= VIRT_MAX_VCPUS) {
    throw new RangeError(`vCPU index ${index} is outside 0..${VIRT_MAX_VCPUS - 1}`);
  }
  return ((Math.floor(index / GICV3_TARGETLIST_BITS) << 8) | (index % GICV3_TARGETLIST_BITS)) >>> 0;
}

/** Base address of virtio-mmio slot `n` (0..31). */
export function virtioMmioBase(n: number): number {
  checkSlot(n);
  return VIRT_MMIO_BASE + n * VIRT_MMIO_SLOT_SIZE;
}

/** GIC INTID of virtio-mmio slot `n` (48 + n). */
export function virtioMmioIntid(n: number): number {
  checkSlot(n);
  return GIC_SPI_BASE + VIRT_MMIO_SPI_BASE + n;
}

function checkSlot(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n >= VIRT_MMIO_SLOTS) {
    throw new RangeError(`virtio-mmio slot ${n} is outside 0..${VIRT_MMIO_SLOTS - 1}`);
  }
}

/** Size of the redistributor region actually used by `vcpus` vCPUs. */
export function redistributorRegionSize(vcpus: number): number {
  if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > VIRT_MAX_VCPUS) {
    throw new RangeError(
      `${vcpus} vCPUs: the virt machine's GICv3 redistributor region holds 1..${VIRT_MAX_VCPUS}`,
    );
  }
  return vcpus * GICV3_REDIST_SIZE;
}

/**
 * Where a `virt`-shaped board puts what a VM sees: RAM, the GICv3 frames,
 * the PL011, the PL031 and the virtio-mmio slots. {@link VIRT_LAYOUT} is
 * QEMU's; a board derived from `virt` with another memory map passes its own
 * to `createQemuVirtPlatform({ layout })`, and the devices, the devicetree,
 * the slots and the checks of a VM's shape all follow it.
 */
export interface VirtLayout {
  /** IPA where RAM starts. */
  readonly ramBase: number;
  /** Largest RAM, bytes. */
  readonly ramMax: number;
  /** GICv3 distributor frame (64 KiB). */
  readonly gicDistBase: number;
  /** GICv3 redistributor window. */
  readonly gicRedistBase: number;
  /** Size of the redistributor window (a multiple of {@link GICV3_REDIST_SIZE}). */
  readonly gicRedistSize: number;
  /** PL011 console UART and its SPI number. */
  readonly uartBase: number;
  readonly uartSpi: number;
  /** PL031 RTC and its SPI number. */
  readonly rtcBase: number;
  readonly rtcSpi: number;
  /** First virtio-mmio slot; slot n is at `mmioBase + n * VIRT_MMIO_SLOT_SIZE`. */
  readonly mmioBase: number;
  /** Number of virtio-mmio slots. */
  readonly mmioSlots: number;
  /** SPI number of slot 0; slot n uses SPI `mmioSpiBase + n`. */
  readonly mmioSpiBase: number;
  /** Boot flash region kept free (size 0: none). */
  readonly flashBase: number;
  readonly flashSize: number;
}

/** QEMU `virt`'s own layout (the constants above). */
export const VIRT_LAYOUT: VirtLayout = Object.freeze({
  ramBase: VIRT_MEM_BASE,
  ramMax: VIRT_MEM_MAX,
  gicDistBase: VIRT_GIC_DIST_BASE,
  gicRedistBase: VIRT_GIC_REDIST_BASE,
  gicRedistSize: VIRT_GIC_REDIST_SIZE,
  uartBase: VIRT_UART_BASE,
  uartSpi: VIRT_UART_SPI,
  rtcBase: VIRT_RTC_BASE,
  rtcSpi: VIRT_RTC_SPI,
  mmioBase: VIRT_MMIO_BASE,
  mmioSlots: VIRT_MMIO_SLOTS,
  mmioSpiBase: VIRT_MMIO_SPI_BASE,
  flashBase: VIRT_FLASH_BASE,
  flashSize: VIRT_FLASH_SIZE,
});

/** Most vCPUs whose redistributors fit in `layout`'s redistributor window. */
export function layoutMaxVcpus(layout: VirtLayout): number {
  return Math.floor(layout.gicRedistSize / GICV3_REDIST_SIZE);
}

/** The memory map of a board with `layout`, as the platform contract exposes it. */
export function virtMemoryMap(layout: VirtLayout): readonly MemoryMapEntry[] {
  const flash = layout.flashSize > 0
    ? [{ name: "flash", base: layout.flashBase, size: layout.flashSize }]
    : [];
  return Object.freeze([
    ...flash,
    { name: "gic-dist", base: layout.gicDistBase, size: VIRT_GIC_DIST_SIZE },
    { name: "gic-redist", base: layout.gicRedistBase, size: layout.gicRedistSize },
    {
      name: "pl011",
      base: layout.uartBase,
      size: VIRT_UART_SIZE,
      intid: GIC_SPI_BASE + layout.uartSpi,
    },
    {
      name: "pl031",
      base: layout.rtcBase,
      size: VIRT_RTC_SIZE,
      intid: GIC_SPI_BASE + layout.rtcSpi,
    },
    ...Array.from({ length: layout.mmioSlots }, (_, n) => ({
      name: `virtio-mmio-${n}`,
      base: layout.mmioBase + n * VIRT_MMIO_SLOT_SIZE,
      size: VIRT_MMIO_SLOT_SIZE,
      intid: GIC_SPI_BASE + layout.mmioSpiBase + n,
    })),
    { name: "ram", base: layout.ramBase, size: layout.ramMax },
  ]);
}

/** The machine's memory map as the platform contract exposes it. */
export const VIRT_MEMORY_MAP: readonly MemoryMapEntry[] = virtMemoryMap(VIRT_LAYOUT);
