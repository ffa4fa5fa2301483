/**
 * The hook the run loop calls at the start of every run slice.
 *
 * @module
 */
import { checkGeneration } from "../mmu/access.ts";
import type { SystemCpu } from "./system_cpu.ts";

/**
 * Start of a run slice: drop the TLB if the VM's stage-2 view changed
 * (mappings only change while no vCPU of the VM is inside a slice, so the
 * per-access fast path need not check), anchor the timer's view of virtual
 * time at the core's clock and `cpu.retiredTotal`, and bring the timer
 * interrupt lines up to date. Call before the first instruction of the slice.
 */
export function beginSlice(cpu: SystemCpu): void {
  cpu.sys.owner = cpu;
  checkGeneration(cpu);
  cpu.sys.timer.beginSlice(cpu.retiredTotal);
}

/**
 * Bring the timer lines up to date mid-slice (e.g. every few thousand
 * instructions, or before deciding whether WFI may park the vCPU).
 */
export function updateTimers(cpu: SystemCpu): void {
  cpu.sys.timer.update(cpu.retiredTotal);
}

/** Absolute virtual time (ns) of this vCPU's next timer event, or `Infinity` (for ArchVcpu.nextDeadline). */
export function nextTimerDeadline(cpu: SystemCpu): number {
  return cpu.sys.timer.nextDeadline();
}
