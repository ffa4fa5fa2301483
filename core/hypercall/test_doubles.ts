/**
 * Test doubles for the core's own tests (and other modules' tests): a
 * minimal attachable thread and an interrupt controller that records every
 * call. They implement the real interfaces; nothing here is used at run time.
 *
 * @module
 */
import { HypError } from "../abi/error.ts";
import type { Cspace } from "../cspace/cspace.ts";
import type { Addrspace } from "../object/addrspace/addrspace.ts";
import type { AttachableThread } from "../object/attachable_thread.ts";
import { GunyahObject } from "../object/object.ts";
import { ObjectType } from "../object/object_type.ts";
import type { Vic } from "../object/vic/vic.ts";
import { type VpmGroup, VpmVcpuPower } from "../object/vpm_group/vpm_group.ts";
import type { InterruptController } from "../plugin/contracts.ts";

/** A thread that records its attachments (stands in for the thread module's vCPU). */
export class TestThread extends GunyahObject implements AttachableThread {
  readonly type = ObjectType.THREAD;
  cspace: Cspace | null = null;
  addrspace: Addrspace | null = null;
  vic: { vic: Vic; index: number } | null = null;
  vpm: { group: VpmGroup; index: number } | null = null;
  /** Power state reported to a vpm_group. */
  vpmPower: VpmVcpuPower = VpmVcpuPower.OFF;
  /** When set, attachAddrspace refuses (a non-vCPU thread). */
  notVcpu = false;

  attachCspace(cspace: Cspace): HypError {
    this.cspace = cspace;
    return HypError.OK;
  }
  attachAddrspace(addrspace: Addrspace): HypError {
    if (this.notVcpu) return HypError.ERROR_ARGUMENT_INVALID;
    this.addrspace = addrspace;
    return HypError.OK;
  }
  attachVic(vic: Vic, index: number): HypError {
    this.vic = { vic, index };
    return HypError.OK;
  }
  attachVpmGroup(group: VpmGroup, index: number): HypError {
    this.vpm = { group, index };
    return HypError.OK;
  }

  /** Take the vic and vpm_group slots, as the real thread's activation does. */
  protected override onActivate(): HypError {
    if (this.vic) {
      const err = this.vic.vic.activateVcpu(this, this.vic.index);
      if (err !== HypError.OK) return err;
    }
    if (this.vpm) {
      const err = this.vpm.group.activateVcpu(this, this.vpm.index);
      if (err !== HypError.OK) {
        this.vic?.vic.deactivateVcpu(this);
        return err;
      }
    }
    return HypError.OK;
  }

  protected override onDeactivate(): void {
    this.vic?.vic.deactivateVcpu(this);
    this.vpm?.group.deactivateVcpu(this);
  }
}

/** One recorded interrupt-controller call. */
export type IrqCall =
  | {
    readonly op: "setLine";
    readonly virq: number;
    readonly level: boolean;
    readonly cpu?: number;
  }
  | { readonly op: "pulse"; readonly virq: number; readonly cpu?: number };

/**
 * An interrupt controller that records calls and models pending state
 * simply: a pulse or a rising line makes an interrupt pending; `ack` takes
 * it (level interrupts become pending again while their line is high).
 */
export class RecordingInterruptController implements InterruptController {
  readonly spiCount: number;
  readonly calls: IrqCall[] = [];
  readonly lines: Map<number, boolean> = new Map<number, boolean>();
  readonly pending: Set<number> = new Set<number>();

  constructor(spiCount = 64) {
    this.spiCount = spiCount;
  }

  setLine(virq: number, level: boolean, vcpuIndex?: number): void {
    this.calls.push({ op: "setLine", virq, level, cpu: vcpuIndex });
    if (level && !this.lines.get(virq)) this.pending.add(virq);
    this.lines.set(virq, level);
  }

  pulse(virq: number, vcpuIndex?: number): void {
    this.calls.push({ op: "pulse", virq, cpu: vcpuIndex });
    this.pending.add(virq);
  }

  hasPending(_vcpuIndex: number): boolean {
    return this.pending.size > 0;
  }

  /** The guest takes and completes `virq`; a level line still high leaves it pending. */
  ack(virq: number): boolean {
    const was = this.pending.delete(virq);
    if (this.lines.get(virq)) this.pending.add(virq);
    return was;
  }

  /** Current line level. */
  level(virq: number): boolean {
    return this.lines.get(virq) ?? false;
  }
}
