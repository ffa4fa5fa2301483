/**
 * Logical (immediate) and logical (shifted register): AND, ORR, EOR, ANDS,
 * BIC, ORN, EON, BICS and the aliases MOV (bitmask immediate / register),
 * MVN, TST. Arm ARM C4.1.92 "Logical (immediate)", C4.1.95 "Logical
 * (shifted register)".
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { rdSp, rdZr, rmZr, rnZr } from "../../decode/fields.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { logicalFlags32, logicalFlags64 } from "./add_with_carry.ts";
import {
  BITMASK_HI,
  BITMASK_LO,
  BITMASK_VALID,
  BITMASK_VALID32,
  BITMASK_VALID64,
} from "./bitmask_immediate.ts";
import { out, shiftReg32, shiftReg64 } from "./operands.ts";

/** `opc` (bits 30:29) values. */
const OPC_AND = 0, OPC_ORR = 1, OPC_ANDS = 3;

function logicalImmediate(cpu: Cpu, insn: number): void {
  const index = (insn >>> 10) & 0x1fff;
  const sf = (insn >>> 31) !== 0;
  if ((BITMASK_VALID[index] & (sf ? BITMASK_VALID64 : BITMASK_VALID32)) === 0) {
    unallocatedEncoding(cpu, insn);
  }
  const opc = (insn >>> 29) & 3;
  const d = opc === OPC_ANDS ? rdZr(insn) : rdSp(insn);
  const n = rnZr(insn);
  let lo = cpu.xlo[n], hi = sf ? cpu.xhi[n] : 0;
  const ilo = BITMASK_LO[index], ihi = sf ? BITMASK_HI[index] : 0;
  switch (opc) {
    case OPC_AND:
    case OPC_ANDS:
      lo &= ilo;
      hi &= ihi;
      break;
    case OPC_ORR:
      lo |= ilo;
      hi |= ihi;
      break;
    default:
      lo ^= ilo;
      hi ^= ihi;
  }
  lo >>>= 0;
  hi >>>= 0;
  if (opc === OPC_ANDS) {
    if (sf) logicalFlags64(cpu, lo, hi);
    else logicalFlags32(cpu, lo);
  }
  cpu.xlo[d] = lo;
  cpu.xhi[d] = hi;
}

function logicalShifted(cpu: Cpu, insn: number): void {
  const sf = (insn >>> 31) !== 0;
  const amount = (insn >>> 10) & 63;
  if (!sf && amount >= 32) unallocatedEncoding(cpu, insn);
  const type = (insn >>> 22) & 3;
  const invert = (insn & (1 << 21)) !== 0;
  const opc = (insn >>> 29) & 3;
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn);
  let blo: number, bhi: number;
  if (sf) {
    shiftReg64(cpu, m, type, amount);
    blo = out[0];
    bhi = out[1];
  } else {
    blo = shiftReg32(cpu.xlo[m], type, amount);
    bhi = 0;
  }
  if (invert) {
    blo = ~blo;
    bhi = sf ? ~bhi : 0;
  }
  let lo = cpu.xlo[n], hi = sf ? cpu.xhi[n] : 0;
  switch (opc) {
    case OPC_AND:
    case OPC_ANDS:
      lo &= blo;
      hi &= bhi;
      break;
    case OPC_ORR:
      lo |= blo;
      hi |= bhi;
      break;
    default:
      lo ^= blo;
      hi ^= bhi;
  }
  lo >>>= 0;
  hi >>>= 0;
  if (opc === OPC_ANDS) {
    if (sf) logicalFlags64(cpu, lo, hi);
    else logicalFlags32(cpu, lo);
  }
  cpu.xlo[d] = lo;
  cpu.xhi[d] = hi;
}

/** Encoding table of the logical classes. */
export const entries: EncodingEntry[] = [
  //          sf opc        N immr   imms   Rn    Rd
  {
    pattern: "x  xx  100100 x xxxxxx xxxxxx xxxxx xxxxx",
    name: "AND/ORR/EOR/ANDS (immediate)",
    exec: logicalImmediate,
  },
  //          sf opc       shift N Rm    imm6   Rn    Rd
  {
    pattern: "x  xx  01010 xx    x xxxxx xxxxxx xxxxx xxxxx",
    name: "AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register)",
    exec: logicalShifted,
  },
];
