/**
 * The vpm_group object: a group of vCPUs whose power states are aggregated
 * (the virtual PSCI "power domain" of a VM), with one VIRQ raised when the
 * aggregate state changes.
 *
 * HYP `hyp/interfaces/vpm/vpm.tc`, `hyp/vm/psci` hypercalls
 * (gunyah-abi.md §1.5): configure(option_flags) while INIT (bit 0
 * no_aggregation; any other bit → ERROR_UNIMPLEMENTED, checked before the
 * cap lookup); vCPUs attach at indices while they are INIT and take their
 * slot when they activate; bind / unbind a
 * VIRQ; get_state returns NO_STATE 0, RUNNING 1, CPUS_SUSPENDED 2,
 * SYSTEM_SUSPENDED 3.
 *
 * The vCPU power state comes from the thread module: attached threads that
 * implement {@link VpmMember} report it, and the thread module calls
 * {@link VpmGroup.update} whenever one changes.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import { VpmState } from "../../abi/formats.ts";
import { GunyahObject } from "../object.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import { VirqSource } from "../vic/virq_source.ts";

/** vCPUs per group: one per physical CPU slot (`PLATFORM_MAX_CORES` = 8 on QEMU, gunyah-abi.md §9). */
export const VPM_GROUP_MAX_VCPUS = 8;

/** A vCPU's power state as the group sees it. */
export const enum VpmVcpuPower {
  OFF = 0,
  RUNNING = 1,
  SUSPENDED = 2,
}

/** What a thread reports to its vpm_group. */
export interface VpmMember extends GunyahObject {
  readonly vpmPower: VpmVcpuPower;
}

class VpmSource extends VirqSource {
  checkPending(): boolean {
    return false; // an event: pulsed on each aggregate state change
  }
}

/** A vpm_group. */
export class VpmGroup extends GunyahObject {
  readonly type = ObjectType.VPM_GROUP;
  /** Option flags (bit 0 no_aggregation). */
  options = 0;
  /** Set by the PSCI layer while the whole VM is in SYSTEM_SUSPEND. */
  systemSuspended = false;
  readonly source: VirqSource = new VpmSource();
  #members: (GunyahObject | null)[] = new Array(VPM_GROUP_MAX_VCPUS).fill(null);
  #lastState: VpmState = VpmState.NO_STATE;

  constructor(partition: Partition) {
    super(partition);
  }

  /** vpm_group_configure (INIT only). */
  configure(options: number): void {
    this.requireInit();
    this.options = options;
  }

  protected override onDeactivate(): void {
    this.source.unbind();
  }

  /**
   * Validate an attachment index (vpm_group_attach_vcpu): it must be a valid
   * CPU index (below `PLATFORM_MAX_CORES`), else ERROR_ARGUMENT_INVALID. As in
   * HYP the attach only records the group and index in the thread; the slot
   * is taken when the thread activates.
   */
  checkVcpuIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= VPM_GROUP_MAX_VCPUS) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `vpm index ${index} ≥ ${VPM_GROUP_MAX_VCPUS}`);
    }
  }

  /** Take slot `index` for `thread` at its activation; ERROR_BUSY if another vCPU holds it. */
  activateVcpu(thread: GunyahObject, index: number): HypError {
    if (index < 0 || index >= VPM_GROUP_MAX_VCPUS) return HypError.ERROR_ARGUMENT_INVALID;
    const cur = this.#members[index];
    if (cur !== null && cur !== thread) return HypError.ERROR_BUSY;
    this.#members[index] = thread;
    this.update();
    return HypError.OK;
  }

  /** Free the slot of `thread` (its deactivation). */
  deactivateVcpu(thread: GunyahObject): void {
    const i = this.#members.indexOf(thread);
    if (i >= 0) this.#members[i] = null;
    this.update();
  }

  /** The attached vCPUs by index. */
  get members(): readonly (GunyahObject | null)[] {
    return this.#members;
  }

  /** The aggregate state (vpm_group_get_state). */
  get vpmState(): VpmState {
    if (this.systemSuspended) return VpmState.SYSTEM_SUSPENDED;
    let any = false;
    let suspended = false;
    for (const m of this.#members) {
      if (m === null) continue;
      any = true;
      const power = (m as unknown as Partial<VpmMember>).vpmPower ?? VpmVcpuPower.OFF;
      if (power === VpmVcpuPower.RUNNING) return VpmState.RUNNING;
      if (power === VpmVcpuPower.SUSPENDED) suspended = true;
    }
    return any && suspended ? VpmState.CPUS_SUSPENDED : VpmState.NO_STATE;
  }

  /** Re-aggregate after a member's power state changed; raises the VIRQ on a change. */
  update(): void {
    const s = this.vpmState;
    if (s !== this.#lastState) {
      this.#lastState = s;
      this.source.assert();
    }
  }
}
