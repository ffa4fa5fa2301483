/**
 * SYS and SYSL: the system instructions of the EL1&0 regime — TLBI, DC, IC
 * and AT — selected by op1/CRn/CRm/op2, with their EL0 rules (IC IVAU and
 * DC CVAC/CVAU/CVAP/CIVAC trap to EL1 unless SCTLR_EL1.UCI; DC ZVA traps
 * unless SCTLR_EL1.DZE; everything else is UNDEFINED at EL0). Encodings not
 * listed (including SYSL, which has no Armv8.0 operation) are UNDEFINED.
 *
 * Source: DDI 0487, C5.3-C5.5 (encodings of DC, IC, AT, TLBI), C6.2 SYS.
 *
 * @module
 */
import { EC_SYSREG } from "../../sys/esr.ts";
import { raiseSync, undefinedInstruction } from "../../sys/exception.ts";
import { SCTLR_DZE, SCTLR_UCI } from "../../sys/registers.ts";
import { sysregKey, sysregTrapIss } from "../../sys/sysreg_key.ts";
import type { SystemCpu } from "../../sys/system_cpu.ts";
import { addressTranslate } from "./address_translation.ts";
import { dcZva, icIallu, icIvau, maintenanceByVa } from "./cache_maintenance.ts";
import { isTlbiOp, tlbi } from "./tlbi.ts";

/** SYS keys (op0 = 1) of the operations below. */
const IC_IALLUIS = sysregKey(1, 0, 7, 1, 0);
const IC_IALLU = sysregKey(1, 0, 7, 5, 0);
const IC_IVAU = sysregKey(1, 3, 7, 5, 1);
const DC_IVAC = sysregKey(1, 0, 7, 6, 1);
const DC_ISW = sysregKey(1, 0, 7, 6, 2);
const DC_CSW = sysregKey(1, 0, 7, 10, 2);
const DC_CISW = sysregKey(1, 0, 7, 14, 2);
const DC_ZVA = sysregKey(1, 3, 7, 4, 1);
const DC_CVAC = sysregKey(1, 3, 7, 10, 1);
const DC_CVAU = sysregKey(1, 3, 7, 11, 1);
const DC_CVAP = sysregKey(1, 3, 7, 12, 1);
const DC_CIVAC = sysregKey(1, 3, 7, 14, 1);
const AT_S1E1R = sysregKey(1, 0, 7, 8, 0);
const AT_S1E1W = sysregKey(1, 0, 7, 8, 1);
const AT_S1E0R = sysregKey(1, 0, 7, 8, 2);
const AT_S1E0W = sysregKey(1, 0, 7, 8, 3);
/** TLBI: op1 = 0, CRn = 8, CRm = 3 (Inner Shareable) or 7 (local). */
const TLBI_IS_BASE = sysregKey(1, 0, 8, 3, 0);
const TLBI_BASE = sysregKey(1, 0, 8, 7, 0);

/** EL0 with the SCTLR_EL1 control bit `bit` clear: trap to EL1 with EC 0x18. */
function el0Gate(cpu: SystemCpu, key: number, rt: number, bit: number): void {
  if (cpu.el !== 0) return;
  if ((cpu.sys.sctlr & bit) === 0) raiseSync(cpu, EC_SYSREG, sysregTrapIss(key, rt, false));
}

/** SYS #op1, Cn, Cm, #op2{, Xt}. */
export function sys(cpu: SystemCpu, insn: number): void {
  const key = (insn >>> 5) & 0xffff;
  const rt = insn & 31;
  const lo = cpu.xlo[rt], hi = cpu.xhi[rt];
  const base = key & ~7;
  if (base === TLBI_BASE || base === TLBI_IS_BASE) {
    const op2 = key & 7;
    if (cpu.el === 0 || !isTlbiOp(op2)) undefinedInstruction(cpu);
    tlbi(cpu, op2, base === TLBI_IS_BASE, lo, hi);
    return;
  }
  switch (key) {
    case DC_ZVA:
      el0Gate(cpu, key, rt, SCTLR_DZE);
      dcZva(cpu, lo, hi);
      return;
    case DC_CVAC:
    case DC_CVAU:
    case DC_CVAP:
    case DC_CIVAC:
      el0Gate(cpu, key, rt, SCTLR_UCI);
      maintenanceByVa(cpu, lo, hi, false);
      return;
    case IC_IVAU:
      el0Gate(cpu, key, rt, SCTLR_UCI);
      icIvau(cpu, lo, hi);
      return;
  }
  if (cpu.el === 0) undefinedInstruction(cpu);
  switch (key) {
    case DC_IVAC:
      maintenanceByVa(cpu, lo, hi, true);
      return;
    case DC_ISW:
    case DC_CSW:
    case DC_CISW:
      return; // set/way operations: no caches
    case IC_IALLU:
    case IC_IALLUIS:
      icIallu(cpu);
      return;
    case AT_S1E1R:
      return addressTranslate(cpu, lo, hi, 1, false);
    case AT_S1E1W:
      return addressTranslate(cpu, lo, hi, 1, true);
    case AT_S1E0R:
      return addressTranslate(cpu, lo, hi, 0, false);
    case AT_S1E0W:
      return addressTranslate(cpu, lo, hi, 0, true);
  }
  undefinedInstruction(cpu);
}

/** SYSL: no operation exists in this architecture version: UNDEFINED. */
export function sysl(cpu: SystemCpu, _insn: number): void {
  undefinedInstruction(cpu);
}
