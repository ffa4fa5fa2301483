/**
 * MSR (immediate): writes to PSTATE fields. Implemented: SPSel, DAIFSet,
 * DAIFClr. The fields of features this CPU does not advertise (PAN, UAO,
 * DIT, SSBS, TCO, flag manipulation) are UNDEFINED, as are unallocated
 * op1/op2 combinations.
 *
 * Source: DDI 0487, C6.2 "MSR (immediate)" and C5.2 (PSTATE fields).
 *
 * @module
 */
import { EC_SYSREG } from "../../sys/esr.ts";
import { raiseSync, setElAndSpsel, undefinedInstruction } from "../../sys/exception.ts";
import { SCTLR_UMA } from "../../sys/registers.ts";
import { sysregTrapIss } from "../../sys/sysreg_key.ts";
import type { SystemCpu } from "../../sys/system_cpu.ts";

/** op1:op2 of the PSTATE fields (DDI 0487 C6.2 MSR (immediate)). */
const FIELD_SPSEL = (0b000 << 3) | 0b101;
const FIELD_DAIFSET = (0b011 << 3) | 0b110;
const FIELD_DAIFCLR = (0b011 << 3) | 0b111;

/** MSR <pstatefield>, #imm (CRm holds the immediate). */
export function msrImmediate(cpu: SystemCpu, insn: number): void {
  const op1 = (insn >>> 16) & 7, op2 = (insn >>> 5) & 7, crm = (insn >>> 8) & 15;
  const field = (op1 << 3) | op2;
  switch (field) {
    case FIELD_SPSEL:
      if (cpu.el === 0) undefinedInstruction(cpu);
      setElAndSpsel(cpu, cpu.el, crm & 1);
      return;
    case FIELD_DAIFSET:
    case FIELD_DAIFCLR:
      if (cpu.el === 0 && (cpu.sys.sctlr & SCTLR_UMA) === 0) {
        // Trapped to EL1 with the syndrome of the MSR (immediate) encoding.
        raiseSync(cpu, EC_SYSREG, sysregTrapIss((insn >>> 5) & 0xffff, 31, false));
      }
      if (field === FIELD_DAIFSET) cpu.daif |= crm << 6;
      else cpu.daif &= ~(crm << 6);
      return;
    default:
      undefinedInstruction(cpu);
  }
}
