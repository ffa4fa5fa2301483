/**
 * The `gunyah-vm-config` node of a VMM's devicetree, as the Gunyah RM reads
 * it at VM_INIT (gunyah-abi.md §5.8; RM `src/vm_config/vm_config_parser.c`):
 * the VM's memory base, its vCPUs (count from `/cpus`, affinity incl.
 * `proxy`, affinity-map, scheduling priority offset and timeslice), the GIC
 * the VM's vGIC is placed like (`interrupts { config = <&gic>; }`), and its
 * vdevices.
 *
 * What this RM does with each vdevice type:
 * - `rm-rpc`, `doorbell`, `doorbell-source`, `message-queue`,
 *   `message-queue-pair`: created (core objects exist for them);
 * - `shm`, `shm-doorbell`, `virtio-mmio`, `vrtc-pl031`, `watchdog`: parsed
 *   and listed, not created — the real RM fails VM_INIT for a vdevice it
 *   cannot set up, and so does this one ({@link UNSUPPORTED_VDEVICE_TYPES}:
 *   RM_ERROR_UNIMPLEMENTED with the node named). Unknown types are ignored
 *   with a log line, as the RM's parser skips nodes it does not know.
 *
 * @module
 */
import { RmError } from "../abi.ts";
import {
  fdtByPhandle,
  fdtCells,
  fdtChild,
  fdtFind,
  fdtInteger,
  type FdtNode,
  fdtStrings,
} from "../dt/fdt.ts";

/** Names of the config node (RM `platform_dt_parser.h` also accepts `qcom,vm-config`). */
export const VM_CONFIG_NODE_NAMES = ["gunyah-vm-config", "qcom,vm-config"] as const;

/** vCPU affinity policies (`vcpus { affinity = ... }`). */
export type VcpuAffinity = "static" | "sticky" | "pinned" | "proxy";
const AFFINITIES: readonly VcpuAffinity[] = ["static", "sticky", "pinned", "proxy"];

/** Vdevice types this RM creates. */
export const SUPPORTED_VDEVICE_TYPES = [
  "rm-rpc",
  "doorbell",
  "doorbell-source",
  "message-queue",
  "message-queue-pair",
] as const;
/** Vdevice types the Gunyah RM knows that this RM refuses at VM_INIT (no core object behind them). */
export const UNSUPPORTED_VDEVICE_TYPES = [
  "shm",
  "shm-doorbell",
  "virtio-mmio",
  "vrtc-pl031",
  "watchdog",
] as const;
export type VdeviceType = typeof SUPPORTED_VDEVICE_TYPES[number];

/** GIC devicetree binding: the first interrupt cell of an SPI (dt-bindings arm-gic.h GIC_SPI). */
const GIC_SPI_CELL = 0;
/** INTID of SPI 0 (Arm GIC architecture: SPIs are INTIDs 32-1019). */
const SPI_INTID_BASE = 32;
/** Highest SPI number (INTID 1019). */
const SPI_NUMBER_MAX = 1019 - SPI_INTID_BASE;

/** Default message size and depth of a config message queue (RM `vm_config_parser.c` defaults). */
export const DEFAULT_VDEVICE_MSG_SIZE = 240;
export const DEFAULT_VDEVICE_QUEUE_DEPTH = 8;

/** One vdevice node. */
export interface VdeviceConfig {
  readonly type: VdeviceType;
  /** The config node's name. */
  readonly node: string;
  /** Where the guest's node goes (`generate`), default `/hypervisor/<node name>`. */
  readonly generate: string;
  /** `label` / `qcom,label` (doorbells and queues are matched by it). */
  readonly label: number;
  /** The partner VM: a VMID (`peer = <vmid>`), or null for `peer-default` (the owner). */
  readonly peer: number | null;
  readonly messageSize: number;
  readonly queueDepth: number;
  /** For `message-queue`: this VM sends (`is-sender`) rather than receives. */
  readonly isSender: boolean;
  /**
   * For `doorbell`: the INTID this VM asks to receive it on (`interrupts =
   * <GIC_SPI n flags>`, INTID 32 + n), as the RM's config parser honours it;
   * null = one from the RM's pool.
   */
  readonly interrupt: number | null;
}

/** The parsed config. */
export interface VmConfig {
  readonly imageName: string;
  /** IPA where the image parcel goes (`memory { base-address }`), null = the parcel's own IPA. */
  readonly memoryBase: bigint | null;
  readonly vcpuCount: number;
  readonly affinity: VcpuAffinity;
  /** Physical CPU of each vCPU (`affinity-map`); empty = spread. */
  readonly affinityMap: readonly number[];
  /** Priority offset from the owner's vCPUs (`sched-priority`, signed). */
  readonly schedPriority: number;
  /** Timeslice in µs (`sched-timeslice`), null = default. */
  readonly schedTimesliceUs: number | null;
  /** GICD and GICR bases of the VMM's GIC node, null = the default placement. */
  readonly gic: { readonly distributor: bigint; readonly redistributor: bigint } | null;
  readonly vdevices: readonly VdeviceConfig[];
  /** Config nodes that were ignored, with the reason. */
  readonly ignored: readonly string[];
}

/** The config is wrong: carries the RM error VM_INIT answers with. */
export class VmConfigError extends Error {
  override readonly name = "VmConfigError";
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function bad(message: string): never {
  throw new VmConfigError(RmError.ARGUMENT_INVALID, `gunyah-vm-config: ${message}`);
}

function u32Prop(node: FdtNode, prop: string, dflt: number): number {
  const c = fdtCells(node, prop);
  if (c === null) {
    if (node.props.has(prop)) bad(`${node.name}/${prop} is not a u32`);
    return dflt;
  }
  if (c.length !== 1) bad(`${node.name}/${prop} has ${c.length} cells, want 1`);
  return c[0];
}

/** Parse the `gunyah-vm-config` node of `root`; throws {@link VmConfigError}. */
export function parseVmConfig(root: FdtNode): VmConfig {
  const cfg = VM_CONFIG_NODE_NAMES.map((n) => fdtChild(root, n)).find((n) => n !== null);
  if (!cfg) {
    throw new VmConfigError(
      RmError.ARGUMENT_INVALID,
      "the devicetree has no /gunyah-vm-config node",
    );
  }
  const ignored: string[] = [];
  const imageName = fdtStrings(cfg, "image-name")?.[0] ?? "";

  const mem = fdtChild(cfg, "memory");
  let memoryBase: bigint | null = null;
  if (mem) {
    memoryBase = fdtInteger(mem, "base-address");
    if (mem.props.has("base-address") && memoryBase === null) {
      bad("memory/base-address is not 1 or 2 cells");
    }
    if (memoryBase !== null && (memoryBase & 0xfffn) !== 0n) {
      bad("memory/base-address is not page aligned");
    }
  }

  const cpus = fdtFind(root, "/cpus");
  const cpuNodes = cpus?.children.filter((c) => c.name === "cpu" || c.name.startsWith("cpu@")) ??
    [];
  const vc = fdtChild(cfg, "vcpus");
  let affinity: VcpuAffinity = "static";
  let affinityMap: number[] = [];
  let schedPriority = 0;
  let schedTimesliceUs: number | null = null;
  if (vc) {
    const a = fdtStrings(vc, "affinity")?.[0];
    if (a !== undefined) {
      if (!(AFFINITIES as readonly string[]).includes(a)) bad(`vcpus/affinity "${a}" is unknown`);
      affinity = a as VcpuAffinity;
    }
    affinityMap = fdtCells(vc, "affinity-map") ?? [];
    schedPriority = u32Prop(vc, "sched-priority", 0) | 0;
    if (vc.props.has("sched-timeslice")) schedTimesliceUs = u32Prop(vc, "sched-timeslice", 0);
    if (schedTimesliceUs === 0) bad("vcpus/sched-timeslice is 0");
  }
  const vcpuCount = cpuNodes.length > 0 ? cpuNodes.length : Math.max(1, affinityMap.length);
  if (affinityMap.length > 0 && affinityMap.length !== vcpuCount) {
    bad(`vcpus/affinity-map has ${affinityMap.length} entries for ${vcpuCount} vCPUs`);
  }

  let gic: VmConfig["gic"] = null;
  const irqs = fdtChild(cfg, "interrupts");
  if (irqs && irqs.props.has("config")) {
    const ph = fdtCells(irqs, "config");
    if (!ph || ph.length !== 1) bad("interrupts/config is not one phandle");
    const node = fdtByPhandle(root, ph[0]);
    if (!node) bad(`interrupts/config: no node with phandle ${ph[0]}`);
    const compat = fdtStrings(node, "compatible") ?? [];
    if (!compat.includes("arm,gic-v3")) {
      bad(`interrupts/config: ${node.name} is not an arm,gic-v3 (only GICv3 vGICs exist)`);
    }
    const reg = fdtCells(node, "reg");
    if (!reg || reg.length < 8) bad(`interrupts/config: ${node.name} has no GICD and GICR reg`);
    const at = (i: number) => (BigInt(reg[i]) << 32n) | BigInt(reg[i + 1]);
    gic = { distributor: at(0), redistributor: at(4) };
  }

  const vdevices: VdeviceConfig[] = [];
  for (const n of fdtChild(cfg, "vdevices")?.children ?? []) {
    const type = fdtStrings(n, "vdevice-type")?.[0];
    if (type === undefined) {
      ignored.push(`vdevices/${n.name}: no vdevice-type`);
      continue;
    }
    if ((UNSUPPORTED_VDEVICE_TYPES as readonly string[]).includes(type)) {
      throw new VmConfigError(
        RmError.UNIMPLEMENTED,
        `gunyah-vm-config: vdevices/${n.name}: vdevice-type "${type}" has no hypervisor object here`,
      );
    }
    if (!(SUPPORTED_VDEVICE_TYPES as readonly string[]).includes(type)) {
      ignored.push(`vdevices/${n.name}: unknown vdevice-type "${type}"`);
      continue;
    }
    const generate = fdtStrings(n, "generate")?.[0] ?? `/hypervisor/${n.name.split("@")[0]}`;
    if (!generate.startsWith("/hypervisor/")) {
      bad(`vdevices/${n.name}: generate "${generate}" is not under /hypervisor`);
    }
    const peerCells = fdtCells(n, "peer");
    if (n.props.has("peer") && (!peerCells || peerCells.length !== 1)) {
      bad(`vdevices/${n.name}/peer is not one VMID cell`);
    }
    const label = n.props.has("qcom,label") ? u32Prop(n, "qcom,label", 0) : u32Prop(n, "label", 0);
    const messageSize = u32Prop(n, "message-size", DEFAULT_VDEVICE_MSG_SIZE);
    const queueDepth = u32Prop(n, "queue-depth", DEFAULT_VDEVICE_QUEUE_DEPTH);
    if (messageSize < 1 || messageSize > 1023) {
      bad(`vdevices/${n.name}/message-size ${messageSize}`);
    }
    if (queueDepth < 1 || queueDepth > 255) bad(`vdevices/${n.name}/queue-depth ${queueDepth}`);
    let interrupt: number | null = null;
    const irq = fdtCells(n, "interrupts");
    if (type === "doorbell" && irq) {
      // One GIC specifier: <type number flags>; only SPIs can be a doorbell's VIRQ.
      if (irq.length !== 3 || irq[0] !== GIC_SPI_CELL || irq[1] > SPI_NUMBER_MAX) {
        bad(`vdevices/${n.name}/interrupts is not one <GIC_SPI n flags> (n ≤ ${SPI_NUMBER_MAX})`);
      }
      interrupt = SPI_INTID_BASE + irq[1];
    }
    vdevices.push({
      type: type as VdeviceType,
      node: n.name,
      generate,
      label,
      peer: peerCells ? peerCells[0] : null,
      messageSize,
      queueDepth,
      isSender: n.props.has("is-sender"),
      interrupt,
    });
  }
  if (vdevices.filter((d) => d.type === "rm-rpc").length > 1) bad("more than one rm-rpc vdevice");
  return {
    imageName,
    memoryBase,
    vcpuCount,
    affinity,
    affinityMap,
    schedPriority,
    schedTimesliceUs,
    gic,
    vdevices,
    ignored,
  };
}
