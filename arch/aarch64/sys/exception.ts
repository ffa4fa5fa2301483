/**
 * Exception entry and return for a vCPU with EL0 and EL1 (AArch64 only).
 *
 * Every exception this CPU takes goes to EL1: synchronous exceptions (with
 * ESR_EL1 and, for aborts, FAR_EL1), IRQ and FIQ. Entry saves PSTATE in
 * SPSR_EL1 and the preferred return address in ELR_EL1, switches to EL1 with
 * SP_EL1 selected and D, A, I, F masked, and branches to VBAR_EL1 plus the
 * vector offset. ERET does the reverse, with the illegal-return checks.
 *
 * Source: DDI 0487, D1.10 "Exception entry", D1.11 "Exception return",
 * D1.10.2 "Exception vectors", and the pseudocode AArch64.TakeException /
 * AArch64.ExceptionReturn / IllegalExceptionReturn.
 *
 * @module
 */
import { CPU_EXIT, DAIF_A, DAIF_D, DAIF_F, DAIF_I, GUEST_EXCEPTION, R_SP } from "../cpu/state.ts";
import { ExitKind } from "@gunyah-ts/core/plugin";
import {
  EC_DABT_CUR,
  EC_DABT_LOWER,
  EC_IABT_CUR,
  EC_IABT_LOWER,
  EC_ILLEGAL_STATE,
  EC_PC_ALIGN,
  EC_SP_ALIGN,
  EC_UNKNOWN,
  esrFor,
  ISS_CM,
  ISS_WNR,
} from "./esr.ts";
import type { SystemCpu } from "./system_cpu.ts";
import { returnStepState } from "./debug.ts";

/** Vector offset: exception from the current EL while using SP_EL0. */
export const VECTOR_CURRENT_SP0 = 0x000;
/** Vector offset: exception from the current EL while using SP_ELx. */
export const VECTOR_CURRENT_SPX = 0x200;
/** Vector offset: exception from a lower EL that is using AArch64. */
export const VECTOR_LOWER_A64 = 0x400;
/** Offset within a vector group: synchronous exception. */
export const VECTOR_SYNC = 0x000;
/** Offset within a vector group: IRQ. */
export const VECTOR_IRQ = 0x080;
/** Offset within a vector group: FIQ. */
export const VECTOR_FIQ = 0x100;
/** Offset within a vector group: SError. */
export const VECTOR_SERROR = 0x180;

/** SPSR_ELx.M[3:0] for EL0 (EL0t). */
export const SPSR_M_EL0T = 0b0000;
/** SPSR_ELx.M[3:0] for EL1 using SP_EL0 (EL1t). */
export const SPSR_M_EL1T = 0b0100;
/** SPSR_ELx.M[3:0] for EL1 using SP_EL1 (EL1h). */
export const SPSR_M_EL1H = 0b0101;
/** SPSR_ELx.M[4]: the saved state was AArch32. */
export const SPSR_M_AARCH32 = 1 << 4;
/** SPSR_ELx.IL (bit 20). */
export const SPSR_IL = 1 << 20;
/** SPSR_ELx.SS (bit 21). */
export const SPSR_SS = 1 << 21;
/** SPSR_ELx.PAN (bit 22). */
export const SPSR_PAN = 1 << 22;
/** SPSR_ELx bits 31:28: N, Z, C, V. */
export const SPSR_NZCV = 0xf0000000;
/** SPSR_ELx bits 9:6: D, A, I, F. */
export const SPSR_DAIF = 0x3c0;

/**
 * Change PSTATE.EL and PSTATE.SP, keeping the live stack pointer in R_SP:
 * SP_EL1 is live at EL1 with SPSel = 1, SP_EL0 otherwise.
 */
export function setElAndSpsel(cpu: SystemCpu, el: number, spsel: number): void {
  const wasEl1Sp = cpu.el === 1 && cpu.spsel === 1;
  const isEl1Sp = el === 1 && spsel === 1;
  cpu.el = el;
  cpu.spsel = spsel;
  if (wasEl1Sp !== isEl1Sp) cpu.swapStackPointers();
}

/** The SPSR value that saves the current PSTATE (AArch64, EL0/EL1). */
export function pstateToSpsr(cpu: SystemCpu): number {
  const m = cpu.el === 0 ? SPSR_M_EL0T : (cpu.spsel === 1 ? SPSR_M_EL1H : SPSR_M_EL1T);
  return ((cpu.nzcv & SPSR_NZCV) | (cpu.pan ? SPSR_PAN : 0) | (cpu.ss ? SPSR_SS : 0) |
    (cpu.il ? SPSR_IL : 0) | (cpu.daif & SPSR_DAIF) | m) >>> 0;
}

/**
 * Take an exception to EL1: save state, switch mode, jump to the vector.
 * `offset` is one of VECTOR_SYNC/IRQ/FIQ/SERROR; the vector group is chosen
 * from the current EL and SP selection. `retLo/retHi` is the preferred
 * return address. Does not throw and does not touch ESR/FAR.
 */
export function enterException(cpu: SystemCpu, offset: number, retLo: number, retHi: number): void {
  const s = cpu.sys;
  const group = cpu.el === 0
    ? VECTOR_LOWER_A64
    : (cpu.spsel === 1 ? VECTOR_CURRENT_SPX : VECTOR_CURRENT_SP0);
  s.spsr = pstateToSpsr(cpu);
  s.elrLo = retLo >>> 0;
  s.elrHi = retHi >>> 0;
  setElAndSpsel(cpu, 1, 1);
  cpu.daif = DAIF_D | DAIF_A | DAIF_I | DAIF_F;
  cpu.ss = 0;
  cpu.il = 0;
  // PSTATE.PAN is only set on entry when FEAT_PAN is implemented; it is not advertised.
  cpu.changedEl();
  const target = ((s.vbarLo & ~0x7ff) >>> 0) + group + offset;
  cpu.pcLo = target >>> 0;
  cpu.pcHi = (s.vbarHi + (target > 0xffffffff ? 1 : 0)) >>> 0;
}

/**
 * Take a synchronous exception with syndrome `esr`, preferred return address
 * = the current instruction (cpu.pc). Sets ESR_EL1, leaves FAR_EL1 alone.
 */
export function takeSyncException(cpu: SystemCpu, esr: number): void {
  cpu.sys.esr = esr >>> 0;
  enterException(cpu, VECTOR_SYNC, cpu.pcLo, cpu.pcHi);
}

/** Take a synchronous exception (return address = this instruction) and throw GUEST_EXCEPTION. */
export function raiseSync(cpu: SystemCpu, ec: number, iss: number): never {
  takeSyncException(cpu, esrFor(ec, iss));
  throw GUEST_EXCEPTION;
}

/**
 * The current instruction is UNDEFINED: take the EC 0x00 exception
 * (ESR_EL1 = 0x02000000: EC 0, IL 1, ISS 0) and throw GUEST_EXCEPTION.
 */
export function undefinedInstruction(cpu: SystemCpu): never {
  return raiseSync(cpu, EC_UNKNOWN, 0);
}

/** Take an Illegal Execution state exception (EC 0x0E) for the instruction at cpu.pc; throws. */
export function illegalState(cpu: SystemCpu): never {
  return raiseSync(cpu, EC_ILLEGAL_STATE, 0);
}

/** PC alignment fault (EC 0x22) for a fetch at `pc`, FAR = that PC; throws. */
export function pcAlignmentFault(cpu: SystemCpu): never {
  cpu.sys.farLo = cpu.pcLo >>> 0;
  cpu.sys.farHi = cpu.pcHi >>> 0;
  return raiseSync(cpu, EC_PC_ALIGN, 0);
}

/** SP alignment fault (EC 0x26) for the current instruction; throws. */
export function spAlignmentFault(cpu: SystemCpu): never {
  return raiseSync(cpu, EC_SP_ALIGN, 0);
}

/** Whether SP-relative accesses must check SP alignment (SCTLR_EL1.SA at EL1, SA0 at EL0). */
export function spAlignmentChecked(cpu: SystemCpu): boolean {
  return (cpu.sys.sctlr & (cpu.el === 0 ? 0x10 : 0x08)) !== 0;
}

/** Check SP (R_SP) is 16-byte aligned when SCTLR_EL1.SA/SA0 require it; faults (throws) if not. */
export function checkSpAlignment(cpu: SystemCpu): void {
  if ((cpu.xlo[R_SP] & 0xf) !== 0 && spAlignmentChecked(cpu)) spAlignmentFault(cpu);
}

/**
 * Data Abort: set FAR_EL1 = VA, ESR with EC 0x24/0x25 and DFSC `fsc`
 * (WnR for writes, CM for cache maintenance), take the exception, throw.
 */
export function dataAbort(
  cpu: SystemCpu,
  fsc: number,
  vaLo: number,
  vaHi: number,
  write: boolean,
  cacheMaintenance: boolean,
): never {
  cpu.sys.farLo = vaLo >>> 0;
  cpu.sys.farHi = vaHi >>> 0;
  const iss = fsc | (write || cacheMaintenance ? ISS_WNR : 0) | (cacheMaintenance ? ISS_CM : 0);
  return raiseSync(cpu, cpu.el === 0 ? EC_DABT_LOWER : EC_DABT_CUR, iss);
}

/** Instruction Abort: FAR_EL1 = VA, ESR EC 0x20/0x21 with IFSC `fsc`; take it and throw. */
export function instructionAbort(cpu: SystemCpu, fsc: number, vaLo: number, vaHi: number): never {
  cpu.sys.farLo = vaLo >>> 0;
  cpu.sys.farHi = vaHi >>> 0;
  return raiseSync(cpu, cpu.el === 0 ? EC_IABT_LOWER : EC_IABT_CUR, fsc);
}

/**
 * Take an IRQ exception if PSTATE.I permits: ELR = cpu.pc (the next
 * instruction to execute). Returns whether it was taken. For the run loop,
 * between instructions; does not throw.
 */
export function takeIrq(cpu: SystemCpu): boolean {
  if ((cpu.daif & DAIF_I) !== 0) return false;
  enterException(cpu, VECTOR_IRQ, cpu.pcLo, cpu.pcHi);
  return true;
}

/** Take an FIQ exception if PSTATE.F permits (see {@link takeIrq}). */
export function takeFiq(cpu: SystemCpu): boolean {
  if ((cpu.daif & DAIF_F) !== 0) return false;
  enterException(cpu, VECTOR_FIQ, cpu.pcLo, cpu.pcHi);
  return true;
}

/**
 * ERET from EL1: restore PSTATE from SPSR_EL1 and branch to ELR_EL1.
 *
 * An illegal return (AArch32 target, a target EL above EL1 or above the
 * current EL, a reserved M[3:0] value) keeps EL and SP selection, restores
 * the other PSTATE fields, sets PSTATE.IL and branches to ELR_EL1. Since the
 * instruction then executed at that address would take an Illegal Execution
 * state exception, it is taken here directly (returning to the same
 * address), which is observably the same except that a pending IRQ is
 * ordered after it. Throws GUEST_EXCEPTION in that case; otherwise returns
 * after `cpu.branchTo(ELR)`.
 */
export function exceptionReturn(cpu: SystemCpu): void {
  const s = cpu.sys;
  const spsr = s.spsr;
  const m = spsr & 0x1f;
  const targetEl = (m >>> 2) & 3;
  const illegal = (m & SPSR_M_AARCH32) !== 0 || targetEl > cpu.el || (m & 0b10) !== 0 ||
    (targetEl === 0 && (m & 1) !== 0);
  // PSTATE.SS from SPSR.SS only when stepping is enabled at the target and not here (D2.12.5).
  const ss = returnStepState(
    cpu,
    illegal ? cpu.el : targetEl,
    (spsr & DAIF_D) !== 0,
    spsr & SPSR_SS,
  );
  cpu.nzcv = (spsr & SPSR_NZCV) >>> 0;
  cpu.daif = spsr & SPSR_DAIF;
  cpu.ss = ss;
  cpu.pan = 0; // FEAT_PAN not advertised: SPSR.PAN is RES0
  // An exception return clears the local exclusive monitor (DDI 0487 B2.9.5)
  // and is a WFE wake-up event, so it sets the Event Register (D1.16.1).
  cpu.clearExclusive();
  s.eventRegister = true;
  cpu.changedEl();
  if (!illegal) {
    setElAndSpsel(cpu, targetEl, m & 1);
    if ((spsr & SPSR_IL) === 0) {
      cpu.il = 0;
      cpu.branchTo(s.elrLo, s.elrHi);
      return;
    }
    // A legal return restores PSTATE.IL from SPSR; when set, the instruction
    // at ELR takes the Illegal Execution state exception.
  }
  cpu.il = 1;
  cpu.pcLo = s.elrLo;
  cpu.pcHi = s.elrHi;
  illegalState(cpu);
}

/**
 * Leave the vCPU with an exit of `kind` (HVC, SMC, WFI, WFE): fill the exit
 * record and throw CPU_EXIT. The PC must already hold the resume address.
 */
export function exitCpu(cpu: SystemCpu, kind: ExitKind, imm: number): never {
  const e = cpu.exit;
  e.kind = kind;
  e.imm = imm;
  throw CPU_EXIT;
}

/** Leave the vCPU with an MMIO exit (the instruction re-executes on resume); throws CPU_EXIT. */
export function exitMmio(
  cpu: SystemCpu,
  ipa: number,
  size: number,
  write: boolean,
  lo: number,
  hi: number,
): never {
  const e = cpu.exit;
  e.kind = ExitKind.Mmio;
  e.imm = 0;
  e.ipa = ipa;
  e.size = size;
  e.write = write;
  e.valueLo = write ? lo >>> 0 : 0;
  e.valueHi = write ? hi >>> 0 : 0;
  throw CPU_EXIT;
}
