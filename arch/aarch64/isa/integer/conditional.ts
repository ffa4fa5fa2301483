/**
 * Conditional compare and conditional select: CCMN, CCMP (immediate and
 * register), CSEL, CSINC, CSINV, CSNEG (and the aliases CSET, CSETM, CINC,
 * CINV, CNEG). Arm ARM C4.1.95 "Conditional compare (immediate)",
 * "Conditional compare (register)", "Conditional select".
 *
 * @module
 */
import { conditionHolds } from "../../cpu/condition.ts";
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { rdZr, rmZr, rnZr } from "../../decode/fields.ts";
import { R_DISCARD } from "../../cpu/state.ts";
import { addWithCarry32, addWithCarry64 } from "./add_with_carry.ts";

/** CCMP/CCMN: if cond, NZCV = flags of Rn +/- operand, else NZCV = #nzcv. */
function conditionalCompare(cpu: Cpu, insn: number, blo: number, bhi: number): void {
  if (!conditionHolds((insn >>> 12) & 15, cpu.nzcv)) {
    cpu.nzcv = ((insn & 15) << 28) >>> 0;
    return;
  }
  const sub = (insn & (1 << 30)) !== 0; // CCMP
  const n = rnZr(insn);
  if ((insn >>> 31) !== 0) {
    if (sub) {
      addWithCarry64(cpu, R_DISCARD, cpu.xlo[n], cpu.xhi[n], ~blo >>> 0, ~bhi >>> 0, 1, true);
    } else addWithCarry64(cpu, R_DISCARD, cpu.xlo[n], cpu.xhi[n], blo, bhi, 0, true);
  } else if (sub) addWithCarry32(cpu, R_DISCARD, cpu.xlo[n], ~blo >>> 0, 1, true);
  else addWithCarry32(cpu, R_DISCARD, cpu.xlo[n], blo, 0, true);
}

function ccmpImmediate(cpu: Cpu, insn: number): void {
  conditionalCompare(cpu, insn, (insn >>> 16) & 31, 0);
}

function ccmpRegister(cpu: Cpu, insn: number): void {
  const m = rmZr(insn);
  conditionalCompare(cpu, insn, cpu.xlo[m], cpu.xhi[m]);
}

function conditionalSelect(cpu: Cpu, insn: number): void {
  const d = rdZr(insn);
  const sf = (insn >>> 31) !== 0;
  if (conditionHolds((insn >>> 12) & 15, cpu.nzcv)) {
    const n = rnZr(insn);
    cpu.xlo[d] = cpu.xlo[n];
    cpu.xhi[d] = sf ? cpu.xhi[n] : 0;
    return;
  }
  const m = rmZr(insn);
  let lo = cpu.xlo[m], hi = sf ? cpu.xhi[m] : 0;
  const invert = (insn & (1 << 30)) !== 0; // CSINV, CSNEG
  const increment = (insn & (1 << 10)) !== 0; // CSINC, CSNEG
  if (invert) {
    lo = ~lo >>> 0;
    hi = sf ? ~hi >>> 0 : 0;
  }
  if (increment) {
    const s = lo + 1;
    lo = s >>> 0;
    hi = sf ? (hi + (s > 0xffffffff ? 1 : 0)) >>> 0 : 0;
  }
  cpu.xlo[d] = lo;
  cpu.xhi[d] = hi;
}

/** Encoding table of the conditional classes. */
export const entries: EncodingEntry[] = [
  //          sf op S           imm5  cond    o2 Rn    o3 nzcv
  {
    pattern: "x  x  1 11010010 xxxxx xxxx 1 0  xxxxx 0  xxxx",
    name: "CCMN/CCMP (immediate)",
    exec: ccmpImmediate,
  },
  //          sf op S           Rm    cond    o2 Rn    o3 nzcv
  {
    pattern: "x  x  1 11010010 xxxxx xxxx 0 0  xxxxx 0  xxxx",
    name: "CCMN/CCMP (register)",
    exec: ccmpRegister,
  },
  //          sf op S           Rm    cond op2 Rn    Rd
  {
    pattern: "x  x  0 11010100 xxxxx xxxx 0x  xxxxx xxxxx",
    name: "CSEL/CSINC/CSINV/CSNEG",
    exec: conditionalSelect,
  },
];
