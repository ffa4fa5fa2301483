/**
 * Add/subtract: immediate, shifted register, extended register, and with
 * carry (ADD, ADDS, SUB, SUBS, ADC, ADCS, SBC, SBCS and their aliases CMP,
 * CMN, NEG, NEGS, NGC, MOV to/from SP). Arm ARM C4.1.92 "Add/subtract
 * (immediate)", C4.1.95 "Add/subtract (shifted register)", "Add/subtract
 * (extended register)", "Add/subtract (with carry)".
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import { FLAG_C } from "../../cpu/state.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { rdSp, rdZr, rmZr, rnSp, rnZr } from "../../decode/fields.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { addWithCarry32, addWithCarry64 } from "./add_with_carry.ts";
import { extendReg64, out, shiftReg32, shiftReg64 } from "./operands.ts";

/** Bit 30 (`op`): 1 = subtract. */
const OP_SUB = 1 << 30;
/** Bit 29 (`S`): set flags. */
const SET_FLAGS = 1 << 29;

/** ADD/SUB(S) (immediate), 64-bit (sf = 1); split by width like {@link addSubShifted64}. */
function addSubImmediate64(cpu: Cpu, insn: number): void {
  const setFlags = (insn & SET_FLAGS) !== 0;
  const d = setFlags ? rdZr(insn) : rdSp(insn);
  const n = rnSp(insn);
  let imm = (insn >>> 10) & 0xfff;
  if ((insn & (1 << 22)) !== 0) imm *= 4096; // sh: LSL #12
  // Subtraction is x + NOT(y) + 1.
  const sub = (insn & OP_SUB) !== 0;
  const blo = sub ? ~imm >>> 0 : imm, bhi = sub ? 0xffffffff : 0;
  addWithCarry64(cpu, d, cpu.xlo[n], cpu.xhi[n], blo, bhi, sub ? 1 : 0, setFlags);
}

/** ADD/SUB(S) (immediate), 32-bit (sf = 0). */
function addSubImmediate32(cpu: Cpu, insn: number): void {
  const setFlags = (insn & SET_FLAGS) !== 0;
  const d = setFlags ? rdZr(insn) : rdSp(insn);
  const n = rnSp(insn);
  let imm = (insn >>> 10) & 0xfff;
  if ((insn & (1 << 22)) !== 0) imm *= 4096; // sh: LSL #12
  const sub = (insn & OP_SUB) !== 0;
  addWithCarry32(cpu, d, cpu.xlo[n], sub ? ~imm >>> 0 : imm, sub ? 1 : 0, setFlags);
}

/**
 * ADD/SUB(S) (shifted register), 64-bit (sf = 1). The two widths are
 * separate handlers chosen at decode time: V8 inlines helpers into a
 * handler only within a fixed bytecode budget, and one handler for both
 * widths exceeded it in the Linux boot's instruction mix (AddWithCarry stayed
 * a call; measured with --trace-turbo-inlining and --cpu-prof). For the same
 * reason each helper has a single call site (the operand is negated first).
 */
function addSubShifted64(cpu: Cpu, insn: number): void {
  const type = (insn >>> 22) & 3;
  if (type === 3) unallocatedEncoding(cpu, insn);
  const amount = (insn >>> 10) & 63;
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn);
  const sub = (insn & OP_SUB) !== 0;
  let blo = cpu.xlo[m], bhi = cpu.xhi[m];
  if (amount !== 0) {
    shiftReg64(cpu, m, type, amount);
    blo = out[0];
    bhi = out[1];
  }
  if (sub) {
    blo = ~blo >>> 0;
    bhi = ~bhi >>> 0;
  }
  addWithCarry64(cpu, d, cpu.xlo[n], cpu.xhi[n], blo, bhi, sub ? 1 : 0, (insn & SET_FLAGS) !== 0);
}

/** ADD/SUB(S) (shifted register), 32-bit (sf = 0); see {@link addSubShifted64}. */
function addSubShifted32(cpu: Cpu, insn: number): void {
  const type = (insn >>> 22) & 3;
  const amount = (insn >>> 10) & 63;
  if (type === 3 || amount >= 32) unallocatedEncoding(cpu, insn);
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn);
  const sub = (insn & OP_SUB) !== 0;
  const b = shiftReg32(cpu.xlo[m], type, amount);
  addWithCarry32(cpu, d, cpu.xlo[n], sub ? ~b >>> 0 : b, sub ? 1 : 0, (insn & SET_FLAGS) !== 0);
}

function addSubExtended(cpu: Cpu, insn: number): void {
  const shift = (insn >>> 10) & 7;
  if (shift > 4) unallocatedEncoding(cpu, insn);
  const setFlags = (insn & SET_FLAGS) !== 0;
  const d = setFlags ? rdZr(insn) : rdSp(insn);
  const n = rnSp(insn), m = rmZr(insn);
  extendReg64(cpu, m, (insn >>> 13) & 7, shift);
  const sub = (insn & OP_SUB) !== 0, carry = sub ? 1 : 0;
  const blo = sub ? ~out[0] >>> 0 : out[0];
  if ((insn >>> 31) !== 0) {
    const bhi = sub ? ~out[1] >>> 0 : out[1];
    addWithCarry64(cpu, d, cpu.xlo[n], cpu.xhi[n], blo, bhi, carry, setFlags);
  } else addWithCarry32(cpu, d, cpu.xlo[n], blo, carry, setFlags);
}

function addSubCarry(cpu: Cpu, insn: number): void {
  const setFlags = (insn & SET_FLAGS) !== 0;
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn);
  const c = (cpu.nzcv & FLAG_C) !== 0 ? 1 : 0;
  const sub = (insn & OP_SUB) !== 0;
  if ((insn >>> 31) !== 0) {
    const blo = sub ? ~cpu.xlo[m] >>> 0 : cpu.xlo[m];
    const bhi = sub ? ~cpu.xhi[m] >>> 0 : cpu.xhi[m];
    addWithCarry64(cpu, d, cpu.xlo[n], cpu.xhi[n], blo, bhi, c, setFlags);
  } else {
    const b = sub ? ~cpu.xlo[m] >>> 0 : cpu.xlo[m];
    addWithCarry32(cpu, d, cpu.xlo[n], b, c, setFlags);
  }
}

/** Encoding table of the add/subtract classes. */
export const entries: EncodingEntry[] = [
  //          sf op S        sh imm12        Rn    Rd
  {
    pattern: "1  x  x 100010 x  xxxxxxxxxxxx xxxxx xxxxx",
    name: "ADD/SUB (immediate), 64-bit",
    exec: addSubImmediate64,
  },
  {
    pattern: "0  x  x 100010 x  xxxxxxxxxxxx xxxxx xxxxx",
    name: "ADD/SUB (immediate), 32-bit",
    exec: addSubImmediate32,
  },
  //          sf op S       shift   Rm    imm6   Rn    Rd
  {
    pattern: "1  x  x 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx",
    name: "ADD/SUB (shifted register), 64-bit",
    exec: addSubShifted64,
  },
  {
    pattern: "0  x  x 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx",
    name: "ADD/SUB (shifted register), 32-bit",
    exec: addSubShifted32,
  },
  //          sf op S       opt   Rm    option imm3 Rn    Rd
  {
    pattern: "x  x  x 01011 00 1 xxxxx xxx    xxx  xxxxx xxxxx",
    name: "ADD/SUB (extended register)",
    exec: addSubExtended,
  },
  //          sf op S             Rm           Rn    Rd
  { pattern: "x  x  x 11010000 xxxxx 000000 xxxxx xxxxx", name: "ADC/SBC", exec: addSubCarry },
];
