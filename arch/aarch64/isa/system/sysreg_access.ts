/**
 * MRS and MSR (register): system-register reads and writes through the
 * table in sys/sysregs.ts, with the EL0 access rules (UNDEFINED, or trapped
 * to EL1 with EC 0x18 where an EL1 control such as SCTLR_EL1.UCT or
 * CNTKCTL_EL1 governs the access), the CPACR_EL1 FP trap for FPCR/FPSR,
 * delegation of ICC_* registers to the GIC CPU interface, and the
 * read-as-zero reserved ID register space.
 *
 * Source: DDI 0487, C6.2 "MRS", "MSR (register)"; D17.
 *
 * @module
 */
import { R_DISCARD } from "../../cpu/state.ts";
import { EC_SYSREG } from "../../sys/esr.ts";
import { raiseSync, undefinedInstruction } from "../../sys/exception.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { keyName, sysregTrapIss } from "../../sys/sysreg_key.ts";
import {
  EL0_OK,
  EL0_TRAP,
  isGicKey,
  isReservedIdKey,
  SP_EL0_KEY,
  spEl0Accessible,
  SYSREG_TABLE,
} from "../../sys/sysregs.ts";
import type { SystemCpu } from "../../sys/system_cpu.ts";

/** Keys already reported as unimplemented (each is logged once per process). */
const reported = new Set<number>();

/** An access to a register this CPU does not implement: log it once, then UNDEFINED. */
function unimplemented(cpu: SystemCpu, key: number, write: boolean): never {
  if (!reported.has(key)) {
    reported.add(key);
    cpu.sys.log(
      `vcpu ${cpu.sys.index}: ${write ? "MSR" : "MRS"} of unimplemented system register ` +
        `${keyName(key)} at pc 0x${cpu.getPc().toString(16)} (UNDEFINED)`,
    );
  }
  return undefinedInstruction(cpu);
}

/** Check EL0 access to `key` per the register's rule; UNDEFINED or trap if refused. */
function checkEl0(cpu: SystemCpu, key: number, rt: number, write: boolean): void {
  const d = SYSREG_TABLE[key];
  const r = d === null || d.el0 === null ? -1 : d.el0(cpu, write);
  if (r === EL0_OK) return;
  if (r === EL0_TRAP) raiseSync(cpu, EC_SYSREG, sysregTrapIss(key, rt, !write));
  undefinedInstruction(cpu);
}

/** MRS Xt, <sysreg>. */
export function mrs(cpu: SystemCpu, insn: number): void {
  const key = (insn >>> 5) & 0xffff;
  const rt = insn & 31;
  const dst = rt === 31 ? R_DISCARD : rt;
  const d = SYSREG_TABLE[key];
  if (d === null) {
    if (cpu.el !== 0) {
      if (isGicKey(key)) {
        const gic = cpu.gic;
        if (gic !== null && gic.readSysreg(key)) {
          cpu.xlo[dst] = gic.dataLo >>> 0;
          cpu.xhi[dst] = gic.dataHi >>> 0;
          return;
        }
      } else if (isReservedIdKey(key)) {
        cpu.xlo[dst] = 0;
        cpu.xhi[dst] = 0;
        return;
      }
    }
    unimplemented(cpu, key, false);
  }
  if (cpu.el === 0) checkEl0(cpu, key, rt, false);
  if (d.read === null) undefinedInstruction(cpu);
  if (key === SP_EL0_KEY && !spEl0Accessible(cpu)) undefinedInstruction(cpu);
  if (d.fp) checkFpAccess(cpu);
  const lo = d.read(cpu);
  cpu.xlo[dst] = lo >>> 0;
  cpu.xhi[dst] = cpu.sys.readHi >>> 0;
}

/** MSR <sysreg>, Xt. */
export function msrRegister(cpu: SystemCpu, insn: number): void {
  const key = (insn >>> 5) & 0xffff;
  const rt = insn & 31;
  const lo = cpu.xlo[rt], hi = cpu.xhi[rt]; // slot 31 reads as zero (XZR)
  const d = SYSREG_TABLE[key];
  if (d === null) {
    if (cpu.el !== 0 && isGicKey(key)) {
      const gic = cpu.gic;
      if (gic !== null && gic.writeSysreg(key, lo, hi)) return;
    }
    unimplemented(cpu, key, true);
  }
  if (cpu.el === 0) checkEl0(cpu, key, rt, true);
  if (d.write === null) undefinedInstruction(cpu);
  if (key === SP_EL0_KEY && !spEl0Accessible(cpu)) undefinedInstruction(cpu);
  if (d.fp) checkFpAccess(cpu);
  d.write(cpu, lo, hi);
}
