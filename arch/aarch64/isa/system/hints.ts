/**
 * The hint space (NOP, YIELD, WFE, WFI, SEV, SEVL and the hints of features
 * not implemented, which execute as NOP), barriers (DMB, DSB, ISB) and CLREX.
 *
 * Source: DDI 0487, C6.2 (HINT, WFI, WFE, SEV, SEVL, DMB, DSB, ISB, CLREX),
 * D1.16 "Mechanisms for entering a low-power state" (the Event Register,
 * the WFI wake-up conditions) and the SCTLR_EL1.nTWI/nTWE traps (EC 0x01).
 *
 * @module
 */
import { ExitKind } from "@gunyah-ts/core/plugin";
import { EC_WFX } from "../../sys/esr.ts";
import { exitCpu, raiseSync } from "../../sys/exception.ts";
import { SCTLR_NTWE, SCTLR_NTWI } from "../../sys/registers.ts";
import type { SystemCpu } from "../../sys/system_cpu.ts";

/** HINT CRm:op2 values with behaviour (DDI 0487 C6.2 HINT). */
const HINT_YIELD = 1;
const HINT_WFE = 2;
const HINT_WFI = 3;
const HINT_SEV = 4;
const HINT_SEVL = 5;

/** ISS of a trapped WFI/WFE from AArch64: CV = 1, COND = 0b1110, TI (bit 0) = 1 for WFE. */
function wfxIss(wfe: boolean): number {
  return (1 << 24) | (0xe << 20) | (wfe ? 1 : 0);
}

function advancePc(cpu: SystemCpu): void {
  const next = cpu.pcLo + 4;
  cpu.pcLo = next >>> 0;
  if (next > 0xffffffff) cpu.pcHi = (cpu.pcHi + 1) >>> 0;
}

/** Whether an interrupt is pending for this vCPU (masked or not: both wake WFI). */
function interruptPending(cpu: SystemCpu): boolean {
  return cpu.irqLine || cpu.fiqLine || cpu.sys.irq.hasPending(cpu.sys.index);
}

/**
 * WFI: completes at once when an interrupt is already pending (after
 * bringing the timer lines up to date). Otherwise, at EL0 with
 * SCTLR_EL1.nTWI clear, it is trapped to EL1 (the trap applies only when the
 * PE would enter the low-power state); else it leaves with a Wfi exit, PC at
 * the next instruction.
 */
export function wfi(cpu: SystemCpu): void {
  cpu.sys.timer.update(cpu.retiredTotal);
  if (interruptPending(cpu)) return;
  if (cpu.el === 0 && (cpu.sys.sctlr & SCTLR_NTWI) === 0) raiseSync(cpu, EC_WFX, wfxIss(false));
  advancePc(cpu);
  exitCpu(cpu, ExitKind.Wfi, 0);
}

/**
 * WFE: if the Event Register is set, clears it and completes; it also
 * completes when an interrupt is pending. Otherwise, at EL0 with
 * SCTLR_EL1.nTWE clear, it is trapped to EL1; else it leaves with a Wfe exit
 * (PC at the next instruction), which the scheduler treats as a yield.
 */
export function wfe(cpu: SystemCpu): void {
  const s = cpu.sys;
  if (s.eventRegister) {
    s.eventRegister = false;
    return;
  }
  if (interruptPending(cpu)) return;
  if (cpu.el === 0 && (s.sctlr & SCTLR_NTWE) === 0) raiseSync(cpu, EC_WFX, wfxIss(true));
  advancePc(cpu);
  exitCpu(cpu, ExitKind.Wfe, 0);
}

/** HINT #imm (CRm:op2): the instructions above, everything else a NOP. */
export function hint(cpu: SystemCpu, insn: number): void {
  switch ((insn >>> 5) & 0x7f) {
    case HINT_WFI:
      return wfi(cpu);
    case HINT_WFE:
      return wfe(cpu);
    case HINT_SEV:
      // Send Event: sets the Event Register of every PE of the VM.
      for (const p of cpu.sys.peers()) p.eventRegister = true;
      return;
    case HINT_SEVL:
      cpu.sys.eventRegister = true;
      return;
    case HINT_YIELD:
    default:
      // NOP, YIELD, ESB, PSB, TSB, CSDB, PAuth and BTI hints: not implemented
      // features, so they execute as NOP, as the architecture requires.
      return;
  }
}

/** DMB, DSB: one vCPU executes at a time and accesses complete in order: nothing to wait for. */
export function barrier(_cpu: SystemCpu, _insn: number): void {}

/**
 * ISB: nothing is pipelined, so the only effect is the context
 * synchronization the decoder wrapper performs (re-translating PC).
 */
export function isb(_cpu: SystemCpu, _insn: number): void {}

/** CLREX: clear the local (and this vCPU's global) exclusive reservation. */
export function clrex(cpu: SystemCpu, _insn: number): void {
  cpu.clearExclusive();
}
