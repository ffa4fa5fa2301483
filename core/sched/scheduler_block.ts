/**
 * Reasons a thread can be blocked, as a bitmap: a thread is runnable only when
 * no bit is set (Gunyah `scheduler_block` enumeration; HYP
 * `hyp/interfaces/scheduler/scheduler.tc` and the modules that extend it,
 * e.g. `hyp/vm/vcpu/vcpu.tc`, `hyp/vm/vcpu_run/vcpu_run.tc`,
 * `hyp/mem/addrspace/aarch64/addrspace.tc`). The numeric values are ours (HYP
 * generates them from build order and never exposes them).
 *
 * @module
 */

/** One block reason; the value is the bit number in the block bitmap. */
export const enum SchedulerBlock {
  /** The vCPU is powered off (initial state, PSCI CPU_OFF, vcpu_poweroff). */
  VCPU_OFF = 0,
  /** The vCPU is in a PSCI CPU_SUSPEND / SYSTEM_SUSPEND low-power state. */
  VCPU_SUSPEND = 1,
  /** The vCPU executed WFI and waits for an interrupt or a timer deadline. */
  VCPU_WFI = 2,
  /** The vCPU hit an unrecoverable fault. */
  VCPU_FAULT = 3,
  /** Proxy scheduled: runs only inside an owner's `vcpu_run` call. Non-killable. */
  VCPU_RUN = 4,
  /** The vCPU waits for a VMMIO access to be completed by its proxy scheduler / device. */
  ADDRSPACE_VMMIO_ACCESS = 5,
  /** The thread's affinity is being changed. Non-killable. */
  AFFINITY_CHANGED = 6,
  /** The thread exited (or was never started). */
  THREAD_LIFECYCLE = 7,
  /**
   * A host debugger (GDB stub) holds the vCPU stopped: gunyah-ts's own, HYP
   * has no host debugger (core/hypervisor/host_debug.ts).
   */
  HOST_DEBUG = 8,
}

/** Number of defined block reasons. */
export const SCHEDULER_NUM_BLOCK_BITS = 9;

/** Bit mask of one block reason. */
export function blockBit(block: SchedulerBlock): number {
  return 1 << block;
}

/**
 * Block reasons that still hold a killed thread (HYP: the vcpu_run and
 * affinity_changed blocks are declared `non_killable`, so a killed proxy vCPU
 * must still be run through `vcpu_run` until it exits).
 */
export const NON_KILLABLE_BLOCK_MASK: number = (1 << SchedulerBlock.VCPU_RUN) |
  (1 << SchedulerBlock.AFFINITY_CHANGED);

/** Names of the block reasons, lower-case as in HYP, indexed by bit number. */
export const SCHEDULER_BLOCK_NAMES: readonly string[] = [
  "vcpu_off",
  "vcpu_suspend",
  "vcpu_wfi",
  "vcpu_fault",
  "vcpu_run",
  "addrspace_vmmio_access",
  "affinity_changed",
  "thread_lifecycle",
  "host_debug",
];

/** The names of the bits set in `mask`, for traces and the dashboard. */
export function describeBlockMask(mask: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < SCHEDULER_NUM_BLOCK_BITS; i++) {
    if (mask & (1 << i)) out.push(SCHEDULER_BLOCK_NAMES[i]);
  }
  return out;
}
