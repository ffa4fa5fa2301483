/**
 * The GICv3 virtual interrupt controller of one VM: distributor,
 * redistributors and CPU interfaces tied together, implementing the core's
 * {@link InterruptControllerInstance} contract.
 *
 * Whenever interrupt state changes, every vCPU that can see the change is
 * re-evaluated: its highest-priority pending, enabled interrupt of an enabled
 * group, routed to it, is signalled when it beats ICC_PMR_EL1 and the running
 * priority (Group 1 as IRQ, Group 0 as FIQ: one Security state). The result
 * drives the connected CPU's `irqLine`/`fiqLine`, answers
 * {@link GicV3.hasPending}, and calls the vCPU's wake callback when a vCPU
 * gains a signalled interrupt. None of this allocates.
 *
 * @module
 */
import type {
  ArchVcpu,
  InterruptControllerConfig,
  InterruptControllerInstance,
  MmioRegion,
} from "@gunyah-ts/core/plugin";
import { GicCpuInterface } from "./cpu_interface.ts";
import { GicDistributor } from "./distributor.ts";
import { type GicLink, SgiKind } from "./gic_link.ts";
import { InterruptState, ROUTE_ANY } from "./interrupt_state.ts";
import { GicRedistributors } from "./redistributor.ts";
import { GIC_INTID_SPURIOUS, GIC_SGI_COUNT, GIC_SPI_BASE } from "./registers.ts";
import {
  SGIR_AFF1_SHIFT,
  SGIR_HI_AFF2_SHIFT,
  SGIR_HI_AFF3_SHIFT,
  SGIR_HI_IRM,
  SGIR_HI_RS_SHIFT,
  SGIR_INTID_SHIFT,
  SGIR_TARGETLIST_MASK,
} from "./icc_sysregs.ts";

/** Where the frames of a vGIC sit in the VM's IPA space. */
export interface GicPlacement {
  /** Distributor base (64 KiB frame); 0x08000000 on QEMU virt. */
  readonly distributorBase: number;
  /** First redistributor (2 × 64 KiB per vCPU); 0x080A0000 on QEMU virt. */
  readonly redistributorBase: number;
}

/**
 * The CPU a vGIC CPU interface drives: the interrupt input lines the run loop
 * samples, and the slot where the system-register layer finds the ICC_*
 * registers. arch/aarch64's `Cpu` (a `CpuState` with a `gic` field) fits.
 */
export interface GicCpuPort {
  irqLine: boolean;
  fiqLine: boolean;
  gic: GicCpuInterface | object | null;
}

/** Signal states of a vCPU (what its CPU interface asserts). */
const SIGNAL_NONE = 0;
const SIGNAL_IRQ = 1;
const SIGNAL_FIQ = 2;

/** Does nothing; the wake callback until one is connected. */
function noWake(_vcpu: number): void {}

/** A GICv3 with one Security state, affinity routing, no LPIs/ITS. */
export class GicV3 implements InterruptControllerInstance, GicLink {
  readonly state: InterruptState;
  readonly spiCount: number;
  readonly distributor: GicDistributor;
  readonly redistributors: GicRedistributors;
  readonly regions: readonly MmioRegion[];
  /** CPU interface of each vCPU. */
  readonly cpus: readonly GicCpuInterface[];
  /** GICD_CTLR.EnableGrp0/EnableGrp1. */
  groupEnables = 0;

  /** What each vCPU's CPU interface currently asserts (SIGNAL_*). */
  readonly #signal: Uint8Array;
  readonly #ports: (GicCpuPort | null)[];
  readonly #wake: ((vcpu: number) => void)[];

  constructor(config: InterruptControllerConfig, placement: GicPlacement) {
    this.state = new InterruptState(config.vcpus, config.spis);
    this.spiCount = config.spis;
    const cpus: GicCpuInterface[] = [];
    for (let v = 0; v < config.vcpus; v++) cpus.push(new GicCpuInterface(v, this));
    this.cpus = cpus;
    this.distributor = new GicDistributor(placement.distributorBase, this);
    this.redistributors = new GicRedistributors(placement.redistributorBase, this);
    this.regions = [this.distributor, this.redistributors];
    this.#signal = new Uint8Array(config.vcpus);
    this.#ports = new Array<GicCpuPort | null>(config.vcpus).fill(null);
    this.#wake = new Array<(vcpu: number) => void>(config.vcpus).fill(noWake);
  }

  // -------------------------------------------------------------------------
  // Connecting CPUs
  // -------------------------------------------------------------------------

  /**
   * Connect vCPU `index`'s CPU: the vGIC drives `port.irqLine`/`fiqLine`,
   * installs the CPU interface in `port.gic`, takes the vCPU's MPIDR affinity
   * (bits 23:0 and 39:32 as `mpidr`, a number below 2^40) for GICR_TYPER,
   * SPI routing and SGI targeting, and calls `wake(index)` when the vCPU gains
   * a signalled interrupt. Returns the CPU interface.
   */
  connectCpu(
    index: number,
    port: GicCpuPort,
    mpidr: number,
    wake: (vcpu: number) => void,
  ): GicCpuInterface {
    this.#checkVcpu(index);
    const cpu = this.cpus[index];
    this.#ports[index] = port;
    this.#wake[index] = wake;
    port.gic = cpu;
    this.state.setAffinity(index, mpidr % 0x100000000, Math.floor(mpidr / 0x100000000));
    this.updateAll();
    const signal = this.#signal[index];
    port.irqLine = signal === SIGNAL_IRQ;
    port.fiqLine = signal === SIGNAL_FIQ;
    return cpu;
  }

  /**
   * The contract's hook: attach vCPU `index` once the core created it. If the
   * vCPU exposes its CPU (`vcpu.cpu`, a {@link GicCpuPort} with `init.mpidr` /
   * `init.wake`, as arch/aarch64's vCPU does), it is connected as by
   * {@link connectCpu}; otherwise only {@link hasPending} reports its state.
   */
  attachVcpu(index: number, vcpu: ArchVcpu): void {
    this.#checkVcpu(index);
    const cpu = (vcpu as { cpu?: unknown }).cpu;
    if (!isConnectableCpu(cpu) || this.#ports[index] === cpu) return;
    this.connectCpu(index, cpu, cpu.init.mpidr, cpu.init.wake);
  }

  /** Set the wake callback of one vCPU without connecting a CPU. */
  setWake(index: number, wake: (vcpu: number) => void): void {
    this.#checkVcpu(index);
    this.#wake[index] = wake;
  }

  /**
   * Reset the CPU interface of one vCPU (its ICC_* registers), as a PE's warm
   * reset does: call when the vCPU is powered on again (PSCI CPU_ON). The
   * redistributor's interrupt state is kept, as it is in the GIC's own power
   * domain.
   */
  resetCpuInterface(index: number): void {
    this.#checkVcpu(index);
    this.cpus[index].reset();
    this.update(index);
  }

  /** Reset every interrupt, CPU interface and redistributor to the power-on state. */
  reset(): void {
    this.state.reset();
    this.groupEnables = 0;
    for (const cpu of this.cpus) cpu.reset();
    this.redistributors.reset();
    this.updateAll();
  }

  // -------------------------------------------------------------------------
  // InterruptController
  // -------------------------------------------------------------------------

  /**
   * Drive an interrupt line. `virq` is a GIC INTID; PPIs (16..31) and SGIs
   * need `vcpuIndex`. Throws a RangeError for an INTID this controller does
   * not implement (a wiring mistake on the host side, never guest input).
   */
  setLine(virq: number, level: boolean, vcpuIndex?: number): void {
    const slot = this.#slotFor(virq, vcpuIndex);
    if (this.state.setLine(slot, level)) this.slotChanged(slot);
  }

  /** Make an interrupt pending once (edge), whatever its trigger configuration. */
  pulse(virq: number, vcpuIndex?: number): void {
    const slot = this.#slotFor(virq, vcpuIndex);
    this.state.setPending(slot);
    this.slotChanged(slot);
  }

  /** Whether vCPU `vcpuIndex`'s CPU interface signals an interrupt now (wakes WFI). */
  hasPending(vcpuIndex: number): boolean {
    return this.#signal[vcpuIndex] !== SIGNAL_NONE;
  }

  // -------------------------------------------------------------------------
  // GicLink (used by the distributor, redistributors and CPU interfaces)
  // -------------------------------------------------------------------------

  setGroupEnables(bits: number): void {
    if (bits === this.groupEnables) return;
    this.groupEnables = bits;
    this.updateAll();
  }

  cpuGroupEnables(vcpu: number): number {
    return this.cpus[vcpu].groupEnables;
  }

  slotChanged(slot: number): void {
    const state = this.state;
    const privateSlots = state.vcpus * 32;
    if (slot < privateSlots) {
      this.update(slot >>> 5);
      return;
    }
    const target = state.spiTarget[slot - privateSlots];
    if (target >= 0) this.update(target);
    else if (target === ROUTE_ANY) this.updateAll();
  }

  updateAll(): void {
    for (let v = 0; v < this.state.vcpus; v++) this.update(v);
  }

  update(vcpu: number): void {
    const state = this.state, cpu = this.cpus[vcpu];
    state.highestPending(vcpu, this.groupEnables & cpu.groupEnables);
    let signal = SIGNAL_NONE;
    if (state.hpIntid !== GIC_INTID_SPURIOUS && cpu.canSignal(state.hpPriority, state.hpGroup)) {
      signal = state.hpGroup === 1 ? SIGNAL_IRQ : SIGNAL_FIQ;
    }
    // The lines are rewritten even when nothing changed, so a CPU whose
    // state was reset (CPU_ON) picks the current signal up again.
    const port = this.#ports[vcpu];
    if (port !== null) {
      port.irqLine = signal === SIGNAL_IRQ;
      port.fiqLine = signal === SIGNAL_FIQ;
    }
    const before = this.#signal[vcpu];
    if (before === signal) return;
    this.#signal[vcpu] = signal;
    if (before === SIGNAL_NONE) this.#wake[vcpu](vcpu);
  }

  /**
   * Deliver SGIs for an ICC_SGI0R/SGI1R/ASGI1R_EL1 write by `source`
   * (IHI 0069 §12.2.21): IRM = 1 targets every vCPU but the sender; otherwise
   * the vCPUs whose Aff3.Aff2.Aff1 match and whose Aff0 is RS * 16 + n for a
   * set bit n of TargetList. An SGI becomes pending only where its group
   * matches what the register generates: SGI1R Group 1, SGI0R Group 0.
   * ASGI1R asks for the other Security state's Group 1; with one Security
   * state QEMU's model delivers it to targets that have the SGI in Group 0,
   * and so does this one.
   */
  sendSgi(source: number, lo: number, hi: number, kind: SgiKind): void {
    const state = this.state;
    const intid = (lo >>> SGIR_INTID_SHIFT) & (GIC_SGI_COUNT - 1);
    const wantGroup = kind === SgiKind.Group1 ? 1 : 0;
    const broadcast = (hi & SGIR_HI_IRM) !== 0;
    const aff321 = (((hi >>> SGIR_HI_AFF3_SHIFT) & 0xff) * 0x10000) +
      (((hi >>> SGIR_HI_AFF2_SHIFT) & 0xff) << 8) + ((lo >>> SGIR_AFF1_SHIFT) & 0xff);
    const aff0Base = ((hi >>> SGIR_HI_RS_SHIFT) & 0xf) * 16;
    const targets = lo & SGIR_TARGETLIST_MASK;
    for (let v = 0; v < state.vcpus; v++) {
      if (broadcast) {
        if (v === source) continue;
      } else {
        const affLo = state.affLo[v];
        const vAff321 = state.affHi[v] * 0x10000 + (affLo >>> 8);
        if (vAff321 !== aff321) continue;
        const n = (affLo & 0xff) - aff0Base;
        if (n < 0 || n > 15 || ((targets >>> n) & 1) === 0) continue;
      }
      const slot = v * 32 + intid;
      if (state.groupOf(slot) !== wantGroup) continue;
      state.setPending(slot);
      this.update(v);
    }
  }

  /** A snapshot for the dashboard and debugging. */
  describe(): Record<string, string | number | boolean> {
    const out: Record<string, string | number | boolean> = {
      vcpus: this.state.vcpus,
      spis: this.spiCount,
      groupEnables: this.groupEnables,
    };
    for (let v = 0; v < this.state.vcpus; v++) {
      const cpu = this.cpus[v];
      out[`cpu${v}.signal`] = ["none", "irq", "fiq"][this.#signal[v]];
      out[`cpu${v}.pmr`] = cpu.pmr;
      out[`cpu${v}.rpr`] = cpu.runningPriority();
    }
    return out;
  }

  #checkVcpu(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.state.vcpus) {
      throw new RangeError(
        `vGIC: vCPU index ${index} out of range (this controller has ${this.state.vcpus} vCPUs)`,
      );
    }
  }

  #slotFor(virq: number, vcpuIndex: number | undefined): number {
    if (virq < GIC_SPI_BASE) {
      if (vcpuIndex === undefined) {
        throw new RangeError(`vGIC: INTID ${virq} is private (SGI/PPI) and needs a vCPU index`);
      }
      this.#checkVcpu(vcpuIndex);
    }
    const slot = Number.isInteger(virq) ? this.state.slotOf(virq, vcpuIndex ?? 0) : -1;
    if (slot < 0) {
      throw new RangeError(
        `vGIC: INTID ${virq} is not implemented (SGIs 0-15, PPIs 16-31, SPIs 32-${
          GIC_SPI_BASE + this.spiCount - 1
        })`,
      );
    }
    return slot;
  }
}

/** What {@link GicV3.attachVcpu} needs to find on a vCPU's `cpu`. */
interface ConnectableCpu extends GicCpuPort {
  readonly init: { readonly mpidr: number; readonly wake: (vcpu: number) => void };
}

function isConnectableCpu(cpu: unknown): cpu is ConnectableCpu {
  if (typeof cpu !== "object" || cpu === null) return false;
  const c = cpu as Partial<ConnectableCpu>;
  return typeof c.irqLine === "boolean" && typeof c.fiqLine === "boolean" && "gic" in c &&
    typeof c.init === "object" && c.init !== null && typeof c.init.mpidr === "number" &&
    typeof c.init.wake === "function";
}

/**
 * Create the vGIC of a VM (the arch plugin's `createInterruptController`).
 *
 * @example
 * ```ts
 * const gic = createGicV3({ vcpus: 2, spis: 64 }, {
 *   distributorBase: 0x08000000,
 *   redistributorBase: 0x080a0000,
 * });
 * gic.setLine(33, true); // PL011 UART line (SPI 1)
 * ```
 */
export function createGicV3(config: InterruptControllerConfig, placement: GicPlacement): GicV3 {
  return new GicV3(config, placement);
}
