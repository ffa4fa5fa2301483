/**
 * The host side of PSCI power management: what the PSCI service
 * (service.ts, `PsciHost<Caller>`) asks of the hypervisor, implemented over
 * vCPU threads. The caller is the hypercall context of the
 * vCPU making the call; the "system" is the caller's VM (the vCPUs sharing
 * its address space).
 *
 * Boot code registers the service:
 * `hv.dispatcher.registerSmcccService(SmcccOwner.STANDARD, createPsciService(hv.psci))`.
 *
 * Gunyah virtualises PSCI in the hypervisor (HYP `hyp/vm/psci`): CPU_ON is a
 * power-on of the target vCPU, CPU_OFF a power-off of the caller, SYSTEM_OFF /
 * SYSTEM_RESET stop the whole VM and are reported to its owner (for a proxy
 * scheduled VM, through `vcpu_run` as POWERED_OFF / PSCI_SYSTEM_RESET).
 *
 * @module
 */
import { HypError } from "../abi/error.ts";
import { PsciAffinityState, PsciReturn } from "../abi/psci.ts";
import type { HypercallContext } from "../hypercall/context.ts";
import { Thread } from "../object/thread/thread.ts";
import { VCPU_RUN_RESET_SYSTEM_RESET } from "../object/thread/thread_types.ts";
import { vcpuMpidrAffinity } from "../object/vic/vcpu_mpidr.ts";
import { S2_ACCESS_X, type Stage2View } from "../plugin/contracts.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";

/** What the PSCI host needs from the hypervisor. */
export interface PsciHostServices {
  /** The vCPUs of the VM the thread belongs to, by index. */
  vcpusOf(thread: Thread): readonly (Thread | undefined)[];
  /** The platform's MPIDR affinity of vCPU `index` (used when its vic has no mapping of its own). */
  mpidrOf(index: number): number;
  /** The VM ended (SYSTEM_OFF / SYSTEM_RESET). */
  vmExit(caller: Thread, reason: "system_off" | "system_reset"): void;
}

/** `PsciHost<HypercallContext>` over vCPU threads. */
export class VcpuPsciHost {
  /** A PSCI host over the hypervisor's `services`. */
  constructor(readonly services: PsciHostServices) {}

  #caller(ctx: HypercallContext): Thread | null {
    return ctx.thread instanceof Thread ? ctx.thread : null;
  }

  #byMpidr(caller: Thread, mpidr: bigint): Thread | null {
    for (const t of this.services.vcpusOf(caller)) {
      if (
        t !== undefined &&
        BigInt(vcpuMpidrAffinity(t.vic, t.vcpuIndex, (i) => this.services.mpidrOf(i))) === mpidr
      ) return t;
    }
    return null;
  }

  /** CPU_ON: power on the caller's sibling with MPIDR `targetMpidr`. */
  cpuOn(ctx: HypercallContext, targetMpidr: bigint, entry: bigint, context: bigint): number {
    const caller = this.#caller(ctx);
    if (caller === null) return PsciReturn.INVALID_PARAMETERS;
    const target = this.#byMpidr(caller, targetMpidr);
    if (target === null || target.arch === null) return PsciReturn.INVALID_PARAMETERS;
    if (!target.isBlocked(SchedulerBlock.VCPU_OFF)) return PsciReturn.ALREADY_ON;
    const s2 = target.addrspace as unknown as Stage2View | null;
    if (s2 !== null && typeof s2.lookup === "function") {
      const m = entry < 2n ** 53n ? s2.lookup(Number(entry)) : null;
      if (m === null || (m.access & S2_ACCESS_X) === 0) return PsciReturn.INVALID_ADDRESS;
    }
    const err = target.poweron(entry, context);
    if (err === HypError.ERROR_BUSY) return PsciReturn.ALREADY_ON;
    return err === HypError.OK ? PsciReturn.SUCCESS : PsciReturn.INVALID_PARAMETERS;
  }

  /** CPU_OFF of the caller. */
  cpuOff(ctx: HypercallContext): number {
    const caller = this.#caller(ctx);
    if (caller === null) return PsciReturn.DENIED;
    return caller.poweroff(false) === HypError.OK ? PsciReturn.SUCCESS : PsciReturn.DENIED;
  }

  /**
   * CPU_SUSPEND: both standby and power-down states resume the caller in
   * place when an interrupt arrives (allowed by DEN 0022 §5.4.2, since no
   * context is lost here); while suspended the vCPU is blocked by
   * `vcpu_suspend`, which `vcpu_run` reports as EXPECTS_WAKEUP.
   */
  cpuSuspend(ctx: HypercallContext, powerState: number, _entry: bigint, _context: bigint): number {
    const caller = this.#caller(ctx);
    if (caller === null) return PsciReturn.DENIED;
    if (caller.arch !== null && caller.arch.hasPendingInterrupt()) return PsciReturn.SUCCESS;
    caller.suspendPowerState = BigInt(powerState >>> 0);
    caller.block(SchedulerBlock.VCPU_SUSPEND);
    return PsciReturn.SUCCESS;
  }

  /** AFFINITY_INFO at level 0 (one vCPU); other levels are INVALID_PARAMETERS. */
  affinityInfo(ctx: HypercallContext, targetAffinity: bigint, lowestLevel: number): number {
    const caller = this.#caller(ctx);
    if (caller === null || lowestLevel !== 0) return PsciReturn.INVALID_PARAMETERS;
    const target = this.#byMpidr(caller, targetAffinity);
    if (target === null) return PsciReturn.INVALID_PARAMETERS;
    return target.isBlocked(SchedulerBlock.VCPU_OFF) ? PsciAffinityState.OFF : PsciAffinityState.ON;
  }

  /** SYSTEM_OFF: every vCPU of the caller's VM powers off; the VM's owner is told. */
  systemOff(ctx: HypercallContext): void {
    const caller = this.#caller(ctx);
    if (caller === null) return;
    for (const t of this.services.vcpusOf(caller)) t?.block(SchedulerBlock.VCPU_OFF);
    caller.signalHalt();
    this.services.vmExit(caller, "system_off");
  }

  /**
   * SYSTEM_RESET: every vCPU of the caller's VM stops with the reset recorded
   * (`vcpu_run` state PSCI_SYSTEM_RESET, data0 bit 63 = SYSTEM_RESET); the
   * owner resets the VM.
   */
  systemReset(ctx: HypercallContext): void {
    const caller = this.#caller(ctx);
    if (caller === null) return;
    for (const t of this.services.vcpusOf(caller)) {
      if (t === undefined) continue;
      t.systemReset = { type: VCPU_RUN_RESET_SYSTEM_RESET, cookie: 0n };
      t.block(SchedulerBlock.VCPU_OFF);
    }
    caller.signalHalt();
    this.services.vmExit(caller, "system_reset");
  }
}
