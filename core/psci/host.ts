/**
 * What PSCI needs from the hypervisor that runs the vCPUs. The PSCI module
 * (service.ts) decodes and validates a call; the host (the core's
 * hypervisor) carries it out on its vCPU and VM objects.
 *
 * `Caller` is whatever the hypercall dispatcher passes as the caller context
 * (the core's `HypercallContext`, which names the calling thread); PSCI
 * passes it through untouched.
 *
 * @module
 */
import type { PsciAffinityState, PsciReturn } from "../abi/psci.ts";

/** The host side of PSCI power management (implemented by the core's hypervisor). */
export interface PsciHost<Caller> {
  /**
   * CPU_ON: power on the vCPU of the caller's VM whose MPIDR affinity is
   * `targetMpidr` (Aff3 at bits 39:32, Aff2..Aff0 at 23:0; already checked to
   * have no other bits), to start at `entry` with X0 = `context`, at EL1 with
   * the MMU off. Returns SUCCESS, INVALID_PARAMETERS (no such vCPU),
   * ALREADY_ON, ON_PENDING, INVALID_ADDRESS (entry not executable RAM) or
   * INTERNAL_FAILURE.
   */
  cpuOn(caller: Caller, targetMpidr: bigint, entry: bigint, context: bigint): PsciReturn;
  /**
   * CPU_OFF: power the calling vCPU off. On success the caller never runs
   * again until a CPU_ON; the return value is then not observed. Return
   * DENIED if it may not power off (e.g. the last vCPU under a policy).
   */
  cpuOff(caller: Caller): PsciReturn;
  /**
   * CPU_SUSPEND: `powerState` is an original-format power_state, already
   * checked for reserved bits. Standby (StateType 0): behave as WFI and
   * return SUCCESS when woken. Power-down (StateType 1): on wake-up resume at
   * `entry` with X0 = `context` (as for CPU_ON), or return SUCCESS if the
   * host resumes the caller in place instead (allowed by DEN 0022 §5.4.2
   * when no context was lost). Errors: INVALID_PARAMETERS, INVALID_ADDRESS.
   */
  cpuSuspend(caller: Caller, powerState: number, entry: bigint, context: bigint): PsciReturn;
  /**
   * AFFINITY_INFO: the state of the vCPU (lowestLevel 0) or group of vCPUs
   * named by `targetAffinity`: ON, OFF or ON_PENDING; INVALID_PARAMETERS for
   * an unknown affinity or an unsupported level.
   */
  affinityInfo(
    caller: Caller,
    targetAffinity: bigint,
    lowestLevel: number,
  ): PsciAffinityState | PsciReturn;
  /** SYSTEM_OFF: end the caller's VM (power off). Does not return to the guest. */
  systemOff(caller: Caller): void;
  /** SYSTEM_RESET: reset the caller's VM. Does not return to the guest. */
  systemReset(caller: Caller): void;
}
