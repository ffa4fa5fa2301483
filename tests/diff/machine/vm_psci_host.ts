/**
 * The host side of PSCI for the differential machine: one VM with one vCPU
 * (MPIDR affinity 0), as `qemu-system-aarch64 -smp 1` provides. CPU_ON of
 * that vCPU answers ALREADY_ON, any other affinity INVALID_PARAMETERS (QEMU
 * answers the same for a CPU that does not exist); SYSTEM_OFF/RESET end the
 * run.
 *
 * @module
 */
import { PsciAffinityState, PsciReturn } from "../../../arch/aarch64/psci/function_ids.ts";
import type { PsciHost } from "../../../arch/aarch64/psci/host.ts";

/** How the VM asked to stop. */
export type PowerRequest = "none" | "off" | "reset";

/** PSCI host of a one-vCPU VM. The caller context is unused (`null`). */
export class SingleVcpuPsciHost implements PsciHost<null> {
  /** Set by SYSTEM_OFF / SYSTEM_RESET. */
  request: PowerRequest = "none";

  cpuOn(_caller: null, targetMpidr: bigint): PsciReturn {
    return targetMpidr === 0n ? PsciReturn.ALREADY_ON : PsciReturn.INVALID_PARAMETERS;
  }

  cpuOff(_caller: null): PsciReturn {
    // Powering off the only vCPU would leave the VM with nothing to run.
    return PsciReturn.DENIED;
  }

  cpuSuspend(_caller: null): PsciReturn {
    // Resume in place (DEN 0022 §5.4.2 allows it when no context is lost).
    return PsciReturn.SUCCESS;
  }

  affinityInfo(
    _caller: null,
    targetAffinity: bigint,
    lowestLevel: number,
  ): PsciAffinityState | PsciReturn {
    if (lowestLevel !== 0 || targetAffinity !== 0n) return PsciReturn.INVALID_PARAMETERS;
    return PsciAffinityState.ON;
  }

  systemOff(_caller: null): void {
    this.request = "off";
  }

  systemReset(_caller: null): void {
    this.request = "reset";
  }
}
