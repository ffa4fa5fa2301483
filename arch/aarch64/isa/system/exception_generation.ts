/**
 * Exception-generating instructions and exception return: SVC, HVC, SMC,
 * BRK, HLT, ERET.
 *
 * Source: DDI 0487, C6.2 (SVC, HVC, SMC, BRK, HLT, ERET) and D1.10.
 * HVC and SMC are taken to EL2/EL3, which is the hypervisor here: they leave
 * the vCPU with an exit (PC already at the next instruction), and are
 * UNDEFINED at EL0.
 *
 * @module
 */
import { ExitKind } from "@gunyah-ts/core/plugin";
import { GUEST_EXCEPTION } from "../../cpu/state.ts";
import { EC_BRK64, EC_SVC64, esrFor } from "../../sys/esr.ts";
import { advanceStepForExceptionInstruction } from "../../sys/debug.ts";
import {
  enterException,
  exceptionReturn,
  exitCpu,
  undefinedInstruction,
  VECTOR_SYNC,
} from "../../sys/exception.ts";
import type { SystemCpu } from "../../sys/system_cpu.ts";

/** imm16 field (bits 20:5). */
function imm16(insn: number): number {
  return (insn >>> 5) & 0xffff;
}

/** Move PC to the next instruction (used before exits and SVC entry). */
function advancePc(cpu: SystemCpu): void {
  const next = cpu.pcLo + 4;
  cpu.pcLo = next >>> 0;
  if (next > 0xffffffff) cpu.pcHi = (cpu.pcHi + 1) >>> 0;
}

/** SVC #imm16: Supervisor Call, EC 0x15, preferred return = the next instruction. */
export function svc(cpu: SystemCpu, insn: number): void {
  advanceStepForExceptionInstruction(cpu);
  cpu.sys.esr = esrFor(EC_SVC64, imm16(insn));
  const next = cpu.pcLo + 4;
  enterException(
    cpu,
    VECTOR_SYNC,
    next >>> 0,
    next > 0xffffffff ? (cpu.pcHi + 1) >>> 0 : cpu.pcHi,
  );
  throw GUEST_EXCEPTION;
}

/** HVC #imm16: leaves the vCPU with an Hvc exit at EL1; UNDEFINED at EL0. */
export function hvc(cpu: SystemCpu, insn: number): void {
  if (cpu.el === 0) undefinedInstruction(cpu);
  advanceStepForExceptionInstruction(cpu);
  advancePc(cpu);
  exitCpu(cpu, ExitKind.Hvc, imm16(insn));
}

/** SMC #imm16: leaves the vCPU with an Smc exit at EL1; UNDEFINED at EL0. */
export function smc(cpu: SystemCpu, insn: number): void {
  if (cpu.el === 0) undefinedInstruction(cpu);
  advanceStepForExceptionInstruction(cpu);
  advancePc(cpu);
  exitCpu(cpu, ExitKind.Smc, imm16(insn));
}

/** BRK #imm16: Breakpoint Instruction exception, EC 0x3C, returns to the BRK itself. */
export function brk(cpu: SystemCpu, insn: number): void {
  cpu.sys.esr = esrFor(EC_BRK64, imm16(insn));
  enterException(cpu, VECTOR_SYNC, cpu.pcLo, cpu.pcHi);
  throw GUEST_EXCEPTION;
}

/** HLT #imm16: halting debug is not enabled, so the instruction is UNDEFINED. */
export function hlt(cpu: SystemCpu, _insn: number): void {
  undefinedInstruction(cpu);
}

/** ERET: exception return from EL1; UNDEFINED at EL0. */
export function eret(cpu: SystemCpu, _insn: number): void {
  if (cpu.el === 0) undefinedInstruction(cpu);
  exceptionReturn(cpu);
}
