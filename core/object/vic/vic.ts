/**
 * The vic object: a VM's virtual interrupt controller (Gunyah's vGIC),
 * backed by an `InterruptController` that the architecture provides.
 *
 * HYP `hyp/interfaces/vic`, `hyp/vm/vgic` (gunyah-abi.md §1.5, §1.6):
 * - configure(max_vcpus, max_virqs, options, max_msis) while INIT;
 * - vCPUs are attached at indices below max_vcpus while they are INIT;
 * - VIRQ sources bind to its SPIs (shared) or PPIs (private);
 * - as a vdevice it is attached to an addrspace: index 0 = GICD (64 KiB),
 *   index 1..max_vcpus = the GICR frames of vCPU index-1 (2 × 64 KiB each,
 *   RD_base + SGI_base, Arm GICv3 spec §12.10).
 *
 * The interrupt controller is given with {@link Vic.setController} (or, if
 * none was given, asked from the partition tree's `createVicController`
 * service) before activation; activating without one, or with one that has
 * fewer SPIs than max_virqs, is ERROR_OBJECT_CONFIG.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import { GIC_SPI_NUM } from "../../abi/gicv3.ts";
import { VIC_OPTION_DISABLE_DEFAULT_ADDR, VIC_OPTION_MAX_MSIS_VALID } from "../../abi/formats.ts";
import { CAP_RIGHTS_VIC_ATTACH_VDEVICE } from "../../abi/rights.ts";
import type { InterruptController } from "../../plugin/contracts.ts";
import type { Addrspace } from "../addrspace/addrspace.ts";
import { GunyahObject } from "../object.ts";
import type { MpidrMapping } from "./mpidr_mapping.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import type { VdeviceProvider } from "../vdevice.ts";
import type { VirqSource } from "./virq_source.ts";

/** Largest max_vcpus: `PLATFORM_MAX_CORES` (8 on the QEMU platform, HYP `vgic.c` `vic_configure`). */
export const VIC_MAX_VCPUS = 8;
/** GICR attach flag bit 0: `last` is valid (HYP `vgic_gicr_attach_flags`). */
export const VGIC_GICR_ATTACH_LAST_VALID = 0x1;
/** GICR attach flag bit 1: this GICR is the last one (GICR_TYPER.Last). */
export const VGIC_GICR_ATTACH_LAST = 0x2;
/** Size of the GICD frame (GICv3 spec: 64 KiB). */
export const VGIC_GICD_SIZE = 0x10000;
/** Size of one vCPU's GICR frames (RD_base + SGI_base, 2 × 64 KiB). */
export const VGIC_GICR_SIZE = 0x20000;

/** A vic. */
export class Vic extends GunyahObject implements VdeviceProvider {
  readonly type = ObjectType.VIC;
  readonly vdeviceAttachRights = CAP_RIGHTS_VIC_ATTACH_VDEVICE;
  maxVcpus = 0;
  maxVirqs = 0;
  options = 0;
  maxMsis = 0;
  /**
   * The MPIDR ↔ vCPU-index mapping set by vgic_set_mpidr_mapping (INIT
   * only), or null for the platform's assignment (the hypervisor's
   * `mpidrOf`). Applied through `vcpuMpidrAffinity` (vcpu_mpidr.ts).
   */
  mpidrMapping: MpidrMapping | null = null;
  #controller: InterruptController | null = null;
  #vcpus: (GunyahObject | null)[] = [];
  #sources = new Map<string, VirqSource>();
  #gicdAttached = false;
  #gicrAttached = new Set<number>();

  constructor(partition: Partition) {
    super(partition);
  }

  /** The backing interrupt controller (null until given). */
  get controller(): InterruptController | null {
    return this.#controller;
  }

  /** Give the vic its interrupt controller (before activation). */
  setController(controller: InterruptController): void {
    this.requireInit();
    this.#controller = controller;
  }

  /** vic_configure (INIT only). */
  configure(maxVcpus: number, maxVirqs: number, options: bigint, maxMsis: number): void {
    if ((options & ~BigInt(VIC_OPTION_MAX_MSIS_VALID | VIC_OPTION_DISABLE_DEFAULT_ADDR)) !== 0n) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "undefined vic options");
    }
    this.requireInit();
    if (maxVcpus === 0 || maxVcpus > VIC_MAX_VCPUS) {
      throwHypError(
        HypError.ERROR_ARGUMENT_INVALID,
        `max_vcpus ${maxVcpus} not in 1..${VIC_MAX_VCPUS}`,
      );
    }
    if (maxVirqs > GIC_SPI_NUM) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `max_virqs ${maxVirqs} > ${GIC_SPI_NUM}`);
    }
    const msisValid = (options & BigInt(VIC_OPTION_MAX_MSIS_VALID)) !== 0n;
    // No ITS on this platform (GICV3_HAS_ITS = 0): MSIs cannot be provided.
    if (msisValid && maxMsis !== 0) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "MSIs are not supported (no ITS)");
    }
    this.maxVcpus = maxVcpus;
    this.maxVirqs = maxVirqs;
    this.options = Number(options);
    this.maxMsis = msisValid ? maxMsis : 0;
  }

  protected override onActivate(): HypError {
    if (this.maxVcpus === 0) return HypError.ERROR_OBJECT_CONFIG;
    if (!this.#controller) {
      this.#controller = this.partition!.services.createVicController?.(this) ?? null;
    }
    if (!this.#controller || this.#controller.spiCount < this.maxVirqs) {
      return HypError.ERROR_OBJECT_CONFIG;
    }
    this.#vcpus = new Array(this.maxVcpus).fill(null);
    return HypError.OK;
  }

  protected override onDeactivate(): void {
    for (const s of [...this.#sources.values()]) s.unbind();
  }

  // -------------------------------------------------------------------------
  // vCPUs
  // -------------------------------------------------------------------------

  /** The activated vCPU at `index`, or null. */
  vcpu(index: number): GunyahObject | null {
    return this.#vcpus[index] ?? null;
  }

  /**
   * Validate an attachment index (vic_attach_vcpu): `index` ≥ max_vcpus →
   * ERROR_ARGUMENT_INVALID. As in HYP the attach itself only records the vic
   * and index in the thread; the slot is taken when the thread activates.
   */
  checkVcpuIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.maxVcpus) {
      throwHypError(
        HypError.ERROR_ARGUMENT_INVALID,
        `vCPU index ${index} not below ${this.maxVcpus}`,
      );
    }
  }

  /**
   * Take slot `index` for `thread` when the thread activates (HYP
   * `vgic_handle_object_activate_thread`): ERROR_BUSY if another activated
   * vCPU holds it. The thread module calls this from its activate hook.
   */
  activateVcpu(thread: GunyahObject, index: number): HypError {
    if (index < 0 || index >= this.#vcpus.length) return HypError.ERROR_ARGUMENT_INVALID;
    const cur = this.#vcpus[index];
    if (cur !== null && cur !== thread) return HypError.ERROR_BUSY;
    this.#vcpus[index] = thread;
    return HypError.OK;
  }

  /** Free the slot of `thread` (its deactivation); also forgets its GICR attachment. */
  deactivateVcpu(thread: GunyahObject): void {
    const i = this.#vcpus.indexOf(thread);
    if (i >= 0) {
      this.#vcpus[i] = null;
      this.#gicrAttached.delete(i);
    }
  }

  // -------------------------------------------------------------------------
  // VIRQ sources
  // -------------------------------------------------------------------------

  static #key(virq: number, cpu: number): string {
    return `${virq}:${cpu}`;
  }

  /** Claim a VIRQ for `source` (used by {@link VirqSource.bind}); ERROR_BUSY if taken. */
  claimVirq(source: VirqSource, virq: number, cpu: number, _shared: boolean): void {
    const key = Vic.#key(virq, cpu);
    if (this.#sources.has(key)) throwHypError(HypError.ERROR_BUSY, `VIRQ ${virq} already bound`);
    this.#sources.set(key, source);
  }

  /** Release the VIRQ of `source`. */
  releaseVirq(source: VirqSource): void {
    this.#sources.delete(Vic.#key(source.virq, source.shared ? 0 : source.vcpuIndex));
  }

  /** The source bound to `virq` (private: on vCPU `cpu`), if any. */
  sourceOf(virq: number, cpu = 0): VirqSource | undefined {
    return this.#sources.get(Vic.#key(virq, cpu));
  }

  // -------------------------------------------------------------------------
  // vdevice
  // -------------------------------------------------------------------------

  /**
   * addrspace_attach_vdevice (HYP `vgic_handle_addrspace_attach_vdevice`):
   * index 0 = GICD (flags must be 0), 1..max_vcpus = the GICR frames of the
   * vCPU at index-1 (flags: bit 0 last_valid, bit 1 last; that vCPU must be
   * activated, else ERROR_IDLE). Another index → ERROR_ARGUMENT_INVALID; a
   * frame already attached → ERROR_BUSY. The size must be the frame size
   * (GICD 64 KiB, GICR 128 KiB), else ERROR_ARGUMENT_SIZE (our check; HYP
   * validates the range in `vdevice_attach_vmaddr`).
   */
  attachToAddrspace(
    addrspace: Addrspace,
    index: number,
    vbase: number,
    size: number,
    flags: bigint,
  ): void {
    this.requireActive();
    if (index > this.maxVcpus) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `vGIC index ${index}`);
    }
    if (index === 0) {
      if (flags !== 0n) {
        throwHypError(HypError.ERROR_ARGUMENT_INVALID, "GICD attach flags must be 0");
      }
      if (this.#gicdAttached) throwHypError(HypError.ERROR_BUSY, "GICD already attached");
    } else {
      if ((flags & ~BigInt(VGIC_GICR_ATTACH_LAST_VALID | VGIC_GICR_ATTACH_LAST)) !== 0n) {
        throwHypError(HypError.ERROR_ARGUMENT_INVALID, "undefined GICR attach flags");
      }
      if (this.#vcpus[index - 1] === null) {
        throwHypError(HypError.ERROR_IDLE, `no activated vCPU at index ${index - 1}`);
      }
      if (this.#gicrAttached.has(index - 1)) {
        throwHypError(HypError.ERROR_BUSY, `GICR ${index - 1} already attached`);
      }
    }
    const want = index === 0 ? VGIC_GICD_SIZE : VGIC_GICR_SIZE;
    if (size !== want) {
      throwHypError(
        HypError.ERROR_ARGUMENT_SIZE,
        `vGIC frame ${index} is 0x${want.toString(16)} bytes`,
      );
    }
    addrspace.attachVdevice({ object: this, index, vbase, size, flags });
    if (index === 0) this.#gicdAttached = true;
    else this.#gicrAttached.add(index - 1);
  }

  /**
   * Whether the GICR of vCPU `vcpuIndex` reports GICR_TYPER.Last: as given
   * by the attach flags, or by default for the highest-numbered vCPU.
   */
  gicrLast(vcpuIndex: number, flags: bigint): boolean {
    if ((flags & BigInt(VGIC_GICR_ATTACH_LAST_VALID)) !== 0n) {
      return (flags & BigInt(VGIC_GICR_ATTACH_LAST)) !== 0n;
    }
    return vcpuIndex === this.maxVcpus - 1;
  }
}
