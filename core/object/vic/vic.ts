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
import {
  GIC_SPI_NUM,
  VIC_OPTION_DISABLE_DEFAULT_ADDR,
  VIC_OPTION_MAX_MSIS_VALID,
} from "../../abi/formats.ts";
import { CAP_RIGHTS_VIC_ATTACH_VDEVICE } from "../../abi/rights.ts";
import type { InterruptController } from "../../plugin/contracts.ts";
import type { Addrspace } from "../addrspace/addrspace.ts";
import { GunyahObject } from "../object.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import type { VdeviceProvider } from "../vdevice.ts";
import type { VirqSource } from "./virq_source.ts";

/** Largest max_vcpus: the vCPU index field of `virq_info` is 8 bits (bits 31:24). */
export const VIC_MAX_VCPUS = 256;
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
  #controller: InterruptController | null = null;
  #vcpus: (GunyahObject | null)[] = [];
  #sources = new Map<string, VirqSource>();

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
    this.requireInit();
    if ((options & ~BigInt(VIC_OPTION_MAX_MSIS_VALID | VIC_OPTION_DISABLE_DEFAULT_ADDR)) !== 0n) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "undefined vic options");
    }
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

  /** The vCPU attached at `index`, or null. */
  vcpu(index: number): GunyahObject | null {
    return this.#vcpus[index] ?? null;
  }

  /**
   * Reserve slot `index` for `thread` (vic_attach_vcpu). Index beyond
   * max_vcpus → ERROR_ARGUMENT_INVALID; slot taken by another thread →
   * ERROR_BUSY.
   */
  reserveVcpu(thread: GunyahObject, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.maxVcpus) {
      throwHypError(
        HypError.ERROR_ARGUMENT_INVALID,
        `vCPU index ${index} not below ${this.maxVcpus}`,
      );
    }
    const cur = this.#vcpus[index];
    if (cur !== null && cur !== thread) {
      throwHypError(HypError.ERROR_BUSY, `vCPU index ${index} taken`);
    }
    const old = this.#vcpus.indexOf(thread);
    if (old >= 0) this.#vcpus[old] = null;
    this.#vcpus[index] = thread;
  }

  /** Free the slot of `thread` (when the thread goes away or the attach is undone). */
  detachVcpu(thread: GunyahObject): void {
    const i = this.#vcpus.indexOf(thread);
    if (i >= 0) this.#vcpus[i] = null;
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

  /** addrspace_attach_vdevice: index 0 = GICD, 1..max_vcpus = GICR of vCPU index-1. */
  attachToAddrspace(
    addrspace: Addrspace,
    index: number,
    vbase: number,
    size: number,
    flags: bigint,
  ): void {
    this.requireActive();
    if (flags !== 0n) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "vGIC attach flags must be 0");
    if (index > this.maxVcpus) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `vGIC index ${index}`);
    }
    const want = index === 0 ? VGIC_GICD_SIZE : VGIC_GICR_SIZE;
    if (size !== want) {
      throwHypError(
        HypError.ERROR_ARGUMENT_SIZE,
        `vGIC frame ${index} is 0x${want.toString(16)} bytes`,
      );
    }
    addrspace.attachVdevice({ object: this, index, vbase, size, flags });
  }
}
