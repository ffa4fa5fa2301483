/**
 * The host side of PSCI for the differential machine: one VM whose vCPU i
 * has MPIDR affinity Aff0 = i (as QEMU virt numbers up to eight CPUs). The
 * boot vCPU starts on, the others off until CPU_ON; SYSTEM_OFF/RESET end
 * the run. Answers follow what QEMU's PSCI emulation returns for the same
 * machine (CPU_ON of a running CPU: ALREADY_ON; of a CPU that does not
 * exist: INVALID_PARAMETERS).
 *
 * @module
 */
import { PsciAffinityState, PsciReturn } from "@gunyah-ts/core/abi";
import type { PsciHost } from "@gunyah-ts/core";

/** How the VM asked to stop. */
export type PowerRequest = "none" | "off" | "reset";

/** What the host needs from the machine to power vCPUs on. */
export interface VcpuPowerControl {
  /** Reset vCPU `index` to `entry` with X0 = `context` (EL1, MMU off). */
  powerOn(index: number, entry: bigint, context: bigint): void;
}

/** PSCI host of a VM with `vcpus` vCPUs. The caller context is the calling vCPU's index. */
export class VmPsciHost implements PsciHost<number> {
  /** Set by SYSTEM_OFF / SYSTEM_RESET. */
  request: PowerRequest = "none";
  /** Power state per vCPU (true = on). */
  readonly on: boolean[];

  /** A VM of `vcpus` vCPUs whose boot vCPU (index 0) is on; `control` starts the others. */
  constructor(vcpus: number, private readonly control: VcpuPowerControl) {
    this.on = Array.from({ length: vcpus }, (_, i) => i === 0);
  }

  #index(mpidr: bigint): number {
    // Aff0 only: a VM of at most 8 vCPUs has all of them in cluster 0 on QEMU virt.
    return mpidr < BigInt(this.on.length) ? Number(mpidr) : -1;
  }

  cpuOn(_caller: number, targetMpidr: bigint, entry: bigint, context: bigint): PsciReturn {
    const i = this.#index(targetMpidr);
    if (i < 0) return PsciReturn.INVALID_PARAMETERS;
    if (this.on[i]) return PsciReturn.ALREADY_ON;
    this.on[i] = true;
    this.control.powerOn(i, entry, context);
    return PsciReturn.SUCCESS;
  }

  cpuOff(caller: number): PsciReturn {
    // The last vCPU on may not power off: nothing would be left to run the VM.
    if (this.on.filter((x) => x).length === 1) return PsciReturn.DENIED;
    this.on[caller] = false;
    return PsciReturn.SUCCESS;
  }

  cpuSuspend(_caller: number): PsciReturn {
    // Resume in place (DEN 0022 §5.4.2 allows it when no context is lost).
    return PsciReturn.SUCCESS;
  }

  affinityInfo(
    _caller: number,
    targetAffinity: bigint,
    lowestLevel: number,
  ): PsciAffinityState | PsciReturn {
    const i = this.#index(targetAffinity);
    if (lowestLevel !== 0 || i < 0) return PsciReturn.INVALID_PARAMETERS;
    return this.on[i] ? PsciAffinityState.ON : PsciAffinityState.OFF;
  }

  systemOff(_caller: number): void {
    this.request = "off";
  }

  systemReset(_caller: number): void {
    this.request = "reset";
  }
}
