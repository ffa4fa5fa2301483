/**
 * The devicetree of a QEMU-`virt`-shaped VM, node for node what QEMU's
 * `hw/arm/virt.c` (`create_fdt`, `fdt_add_psci_node` in `hw/arm/boot.c`,
 * `fdt_add_cpu_nodes`, `fdt_add_timer_nodes`, `fdt_add_gic_node`,
 * `create_uart`, `create_rtc`, `create_virtio_devices`) generates for
 * `-M virt,gic-version=3` with PSCI over HVC, so Linux and bare-metal
 * programs find the devices where they expect them.
 *
 * Binding references: Linux `Documentation/devicetree/bindings/`
 * `arm/psci.yaml`, `arm/cpus.yaml`, `timer/arm,arch_timer.yaml`,
 * `interrupt-controller/arm,gic-v3.yaml`, `serial/pl011.yaml`,
 * `rtc/arm,pl031.yaml`, `virtio/mmio.yaml`.
 *
 * @module
 */
import { GIC_PPI_BASE } from "@gunyah-ts/core/abi";
import type { DtNode, DtValue, PlatformVmOptions } from "@gunyah-ts/core/plugin";
import { cells64 } from "./fdt/writer.ts";
import {
  ARCH_TIMER_NS_EL1_INTID,
  ARCH_TIMER_NS_EL2_INTID,
  ARCH_TIMER_S_EL1_INTID,
  ARCH_TIMER_VIRT_INTID,
  GICV3_REDIST_SIZE,
  layoutMaxVcpus,
  mpidrForVcpu,
  VIRT_GIC_DIST_SIZE,
  VIRT_LAYOUT,
  VIRT_MMIO_SLOT_SIZE,
  VIRT_RTC_SIZE,
  VIRT_UART_SIZE,
  type VirtLayout,
  virtMemoryMap,
} from "./memory_map.ts";

/** Interrupt specifier type cell (GIC binding): shared peripheral interrupt. */
export const GIC_FDT_IRQ_TYPE_SPI = 0;
/** Interrupt specifier type cell (GIC binding): private peripheral interrupt. */
export const GIC_FDT_IRQ_TYPE_PPI = 1;
/** Interrupt specifier flags cell: rising edge (`IRQ_TYPE_EDGE_RISING`). */
export const GIC_FDT_IRQ_FLAGS_EDGE_LO_HI = 1;
/** Interrupt specifier flags cell: active-high level (`IRQ_TYPE_LEVEL_HIGH`). */
export const GIC_FDT_IRQ_FLAGS_LEVEL_HI = 4;

/**
 * Phandles, numbered from 0x8000 as QEMU's `qemu_fdt_alloc_phandle` does
 * (clock first, then the GIC), so they cannot clash with a user DTB's.
 */
export const PHANDLE_APB_PCLK = 0x8000;
/** Phandle of the GICv3 node (the root's `interrupt-parent`). */
export const PHANDLE_GIC = 0x8001;

/** Frequency of the `apb-pclk` fixed clock the PL011 and PL031 reference (virt.c `create_fdt`). */
export const APB_PCLK_HZ = 24_000_000;

/**
 * PSCI 0.2+ function IDs written into the legacy `cpu_*` properties of the
 * `psci` node (as QEMU does for old kernels). Source: Arm DEN0022 (PSCI)
 * §5.1, SMC64 forms.
 */
const PSCI_0_2_FN64_CPU_SUSPEND = 0xc400_0001;
const PSCI_0_2_FN_CPU_OFF = 0x8400_0002;
const PSCI_0_2_FN64_CPU_ON = 0xc400_0003;
const PSCI_0_2_FN64_MIGRATE = 0xc400_0005;

/** Node name of the console UART of a board with `layout`; `/chosen/stdout-path` points here. */
export function uartNodeName(layout: VirtLayout): string {
  return `pl011@${layout.uartBase.toString(16)}`;
}

/** Node name of QEMU virt's console UART. */
export const UART_NODE_NAME: string = uartNodeName(VIRT_LAYOUT);

/** Options beyond {@link PlatformVmOptions} that shape the tree. */
export interface VirtDeviceTreeOptions {
  /** `compatible` of each `cpu@N` node (default `"arm,cortex-a57"`). */
  readonly cpuCompatible?: string;
  /** If set, written as `/chosen/kaslr-seed` (QEMU writes a random one; deterministic runs omit it). */
  readonly kaslrSeed?: bigint;
  /** The board's layout (default QEMU virt's, {@link VIRT_LAYOUT}). */
  readonly layout?: VirtLayout;
}

function regProp(base: number, size: number): number[] {
  return [...cells64(base), ...cells64(size)];
}

function hex(n: number): string {
  return n.toString(16);
}

/** Check a VM shape against the machine; throws a message saying what to change. */
export function validateVmOptions(vm: PlatformVmOptions, layout: VirtLayout = VIRT_LAYOUT): void {
  const maxVcpus = layoutMaxVcpus(layout);
  if (!Number.isInteger(vm.vcpus) || vm.vcpus < 1 || vm.vcpus > maxVcpus) {
    throw new RangeError(
      `vcpus = ${vm.vcpus}: the qemu-virt GICv3 redistributor region holds 1..${maxVcpus} vCPUs`,
    );
  }
  if (!Number.isSafeInteger(vm.ramBase) || vm.ramBase % 0x1000 !== 0) {
    throw new RangeError(`ramBase 0x${hex(vm.ramBase)} must be a 4 KiB-aligned address`);
  }
  if (!Number.isSafeInteger(vm.ramSize) || vm.ramSize <= 0 || vm.ramSize % 0x1000 !== 0) {
    throw new RangeError(`ramSize ${vm.ramSize} must be a positive multiple of 4 KiB`);
  }
  for (const e of virtMemoryMap(layout)) {
    if (e.name === "ram") continue;
    if (vm.ramBase < e.base + e.size && e.base < vm.ramBase + vm.ramSize) {
      throw new RangeError(
        `RAM [0x${hex(vm.ramBase)}, 0x${
          hex(vm.ramBase + vm.ramSize)
        }) overlaps the ${e.name} region at ` +
          `0x${hex(e.base)}; put RAM at 0x${hex(layout.ramBase)} or above`,
      );
    }
  }
}

/** The devicetree node of virtio-mmio slot `n` (virt.c `create_virtio_devices`). */
export function virtioMmioNode(n: number, layout: VirtLayout = VIRT_LAYOUT): DtNode {
  if (!Number.isInteger(n) || n < 0 || n >= layout.mmioSlots) {
    throw new RangeError(`virtio-mmio slot ${n} is outside 0..${layout.mmioSlots - 1}`);
  }
  const base = layout.mmioBase + n * VIRT_MMIO_SLOT_SIZE;
  return {
    name: `virtio_mmio@${hex(base)}`,
    props: {
      "dma-coherent": true,
      interrupts: [GIC_FDT_IRQ_TYPE_SPI, layout.mmioSpiBase + n, GIC_FDT_IRQ_FLAGS_EDGE_LO_HI],
      reg: regProp(base, VIRT_MMIO_SLOT_SIZE),
      compatible: "virtio,mmio",
    },
  };
}

/** Build the VM's devicetree as a {@link DtNode} tree (encode it with `encodeFdt`). */
export function buildVirtDeviceTreeNodes(
  vm: PlatformVmOptions,
  extraNodes: readonly DtNode[] = [],
  options: VirtDeviceTreeOptions = {},
): DtNode {
  const layout = options.layout ?? VIRT_LAYOUT;
  validateVmOptions(vm, layout);
  const level = GIC_FDT_IRQ_FLAGS_LEVEL_HI;
  const uartNode = uartNodeName(layout);
  const ppi = (intid: number) => [GIC_FDT_IRQ_TYPE_PPI, intid - GIC_PPI_BASE, level];

  const cpus: DtNode[] = [];
  for (let i = 0; i < vm.vcpus; i++) {
    const mpidr = mpidrForVcpu(i);
    cpus.push({
      name: `cpu@${hex(mpidr)}`,
      props: {
        device_type: "cpu",
        compatible: options.cpuCompatible ?? "arm,cortex-a57",
        "enable-method": "psci",
        reg: [mpidr],
      },
    });
  }

  const chosen: Record<string, DtValue> = { "stdout-path": `/${uartNode}` };
  if (vm.bootargs !== "") chosen.bootargs = vm.bootargs;
  if (vm.initrd) {
    if (vm.initrd.end < vm.initrd.start) {
      throw new RangeError(
        `initrd end 0x${hex(vm.initrd.end)} is below its start 0x${hex(vm.initrd.start)}`,
      );
    }
    chosen["linux,initrd-start"] = cells64(vm.initrd.start);
    chosen["linux,initrd-end"] = cells64(vm.initrd.end);
  }
  if (options.kaslrSeed !== undefined) chosen["kaslr-seed"] = cells64(options.kaslrSeed);

  const children: DtNode[] = [
    {
      name: "psci",
      props: {
        compatible: ["arm,psci-1.0", "arm,psci-0.2", "arm,psci"],
        method: "hvc",
        cpu_suspend: [PSCI_0_2_FN64_CPU_SUSPEND],
        cpu_off: [PSCI_0_2_FN_CPU_OFF],
        cpu_on: [PSCI_0_2_FN64_CPU_ON],
        migrate: [PSCI_0_2_FN64_MIGRATE],
      },
    },
    {
      name: `memory@${hex(vm.ramBase)}`,
      props: { device_type: "memory", reg: regProp(vm.ramBase, vm.ramSize) },
    },
    {
      name: "cpus",
      props: { "#address-cells": [1], "#size-cells": [0] },
      children: cpus,
    },
    {
      name: "timer",
      props: {
        compatible: ["arm,armv8-timer", "arm,armv7-timer"],
        "always-on": true,
        // Secure EL1 phys, non-secure EL1 phys, virtual, EL2 phys. GICv3 has no
        // CPU-mask bits in the flags cell (those are GICv2 only).
        interrupts: [
          ...ppi(ARCH_TIMER_S_EL1_INTID),
          ...ppi(ARCH_TIMER_NS_EL1_INTID),
          ...ppi(ARCH_TIMER_VIRT_INTID),
          ...ppi(ARCH_TIMER_NS_EL2_INTID),
        ],
      },
    },
    {
      name: "apb-pclk",
      props: {
        compatible: "fixed-clock",
        "#clock-cells": [0],
        "clock-frequency": [APB_PCLK_HZ],
        "clock-output-names": "clk24mhz",
        phandle: [PHANDLE_APB_PCLK],
      },
    },
    {
      name: uartNode,
      props: {
        compatible: ["arm,pl011", "arm,primecell"],
        reg: regProp(layout.uartBase, VIRT_UART_SIZE),
        interrupts: [GIC_FDT_IRQ_TYPE_SPI, layout.uartSpi, level],
        clocks: [PHANDLE_APB_PCLK, PHANDLE_APB_PCLK],
        "clock-names": ["uartclk", "apb_pclk"],
      },
    },
    {
      name: `pl031@${hex(layout.rtcBase)}`,
      props: {
        compatible: ["arm,pl031", "arm,primecell"],
        reg: regProp(layout.rtcBase, VIRT_RTC_SIZE),
        interrupts: [GIC_FDT_IRQ_TYPE_SPI, layout.rtcSpi, level],
        clocks: [PHANDLE_APB_PCLK],
        "clock-names": "apb_pclk",
      },
    },
    {
      name: `intc@${hex(layout.gicDistBase)}`,
      props: {
        compatible: "arm,gic-v3",
        "#interrupt-cells": [3],
        "interrupt-controller": true,
        // dtc's interrupt_provider check wants the address/size cells, and
        // `ranges` lets an ITS child be added without changing the parent.
        "#address-cells": [2],
        "#size-cells": [2],
        ranges: true,
        reg: [
          ...regProp(layout.gicDistBase, VIRT_GIC_DIST_SIZE),
          ...regProp(layout.gicRedistBase, vm.vcpus * GICV3_REDIST_SIZE),
        ],
        "#redistributor-regions": [1],
        phandle: [PHANDLE_GIC],
      },
    },
    { name: "chosen", props: chosen },
  ];

  // Extra nodes: a node named like a built-in one is merged into it (its
  // properties win, its children are appended); others are added at the end.
  for (const extra of extraNodes) {
    const i = children.findIndex((c) => c.name === extra.name);
    if (i < 0) {
      children.push(extra);
    } else {
      const base = children[i];
      children[i] = {
        name: base.name,
        props: { ...base.props, ...extra.props },
        children: [...(base.children ?? []), ...(extra.children ?? [])],
      };
    }
  }

  return {
    name: "",
    props: {
      "interrupt-parent": [PHANDLE_GIC],
      "#size-cells": [2],
      "#address-cells": [2],
      model: "linux,dummy-virt",
      compatible: "linux,dummy-virt",
    },
    children,
  };
}
