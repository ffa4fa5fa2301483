/**
 * Branches: B, BL, B.cond, CBZ, CBNZ, TBZ, TBNZ, BR, BLR, RET. Arm ARM
 * C4.1.93 "Branches, Exception Generating and System instructions"
 * (unconditional branch (immediate), conditional branch (immediate),
 * compare and branch, test and branch, unconditional branch (register)).
 * The pointer-authentication forms (BRAA, RETAA, ...) are not advertised
 * (ID_AA64ISAR1_EL1.APA/API = 0) and stay unallocated.
 *
 * A taken branch calls `cpu.branchTo`; a misaligned target takes the PC
 * alignment fault on the next fetch (the run loop checks). Register targets
 * go through AArch64.BranchAddr (top-byte-ignore per TCR_EL1.TBI0/TBI1).
 *
 * @module
 */
import { conditionHolds } from "../../cpu/condition.ts";
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { rnZr } from "../../decode/fields.ts";

/** Link register X30. */
const LR = 30;
/** 2^32. */
const TWO32 = 0x100000000;

/** Branch to PC + `offset` (a signed byte offset, |offset| < 2^31). */
function branchRelative(cpu: Cpu, offset: number): void {
  const s = cpu.pcLo + offset;
  cpu.branchTo(s >>> 0, cpu.pcHi + Math.floor(s / TWO32));
}

/** X30 = PC + 4. */
function link(cpu: Cpu): void {
  const s = cpu.pcLo + 4;
  cpu.xlo[LR] = s >>> 0;
  cpu.xhi[LR] = (cpu.pcHi + (s > 0xffffffff ? 1 : 0)) >>> 0;
}

function branchImmediate(cpu: Cpu, insn: number): void {
  if (insn >>> 31 !== 0) link(cpu); // BL
  branchRelative(cpu, ((insn << 6) >> 6) * 4);
}

function branchConditional(cpu: Cpu, insn: number): void {
  if (conditionHolds(insn & 15, cpu.nzcv)) branchRelative(cpu, ((insn << 8) >> 13) * 4);
}

function compareAndBranch(cpu: Cpu, insn: number): void {
  const t = insn & 31; // 31 reads XZR
  const zero = (insn >>> 31) !== 0 ? (cpu.xlo[t] | cpu.xhi[t]) === 0 : cpu.xlo[t] === 0;
  const nonZeroForm = (insn & (1 << 24)) !== 0; // CBNZ
  if (zero !== nonZeroForm) branchRelative(cpu, ((insn << 8) >> 13) * 4);
}

function testAndBranch(cpu: Cpu, insn: number): void {
  const t = insn & 31;
  const bit = ((insn >>> 31) << 5) | ((insn >>> 19) & 31);
  const v = bit >= 32 ? (cpu.xhi[t] >>> (bit - 32)) & 1 : (cpu.xlo[t] >>> bit) & 1;
  const nonZeroForm = (insn & (1 << 24)) !== 0; // TBNZ
  if ((v !== 0) === nonZeroForm) branchRelative(cpu, ((insn << 13) >> 18) * 4);
}

/** TCR_EL1.TBI0 (bit 37) and TBI1 (bit 38), as bits of the register's high word. */
const TCR_HI_TBI0 = 1 << 5, TCR_HI_TBI1 = 1 << 6;

/**
 * AArch64.BranchAddr() for EL0/EL1: when top-byte-ignore is enabled for the
 * target's half of the address space (TCR_EL1.TBI0/TBI1, chosen by bit 55),
 * bits 63:56 become copies of bit 55. Returns the high word.
 */
function branchAddrHi(cpu: Cpu, hi: number): number {
  const upper = (hi & 0x00800000) !== 0;
  if ((cpu.sys.tcrHi & (upper ? TCR_HI_TBI1 : TCR_HI_TBI0)) === 0) return hi;
  return upper ? (hi | 0xff000000) >>> 0 : hi & 0x00ffffff;
}

function branchRegister(cpu: Cpu, insn: number): void {
  const n = rnZr(insn);
  const lo = cpu.xlo[n], hi = cpu.xhi[n]; // read before BLR writes X30
  if (((insn >>> 21) & 3) === 1) link(cpu); // BLR
  cpu.branchTo(lo, branchAddrHi(cpu, hi));
}

/** Encoding table of the branch classes. */
export const entries: EncodingEntry[] = [
  //          op        imm26
  { pattern: "x 00101 xxxxxxxxxxxxxxxxxxxxxxxxxx", name: "B/BL", exec: branchImmediate },
  //                   imm19               o0 cond
  { pattern: "0101010 0 xxxxxxxxxxxxxxxxxxx 0  xxxx", name: "B.cond", exec: branchConditional },
  //          sf        op imm19               Rt
  { pattern: "x  011010 x  xxxxxxxxxxxxxxxxxxx xxxxx", name: "CBZ/CBNZ", exec: compareAndBranch },
  //          b5        op b40   imm14          Rt
  { pattern: "x  011011 x  xxxxx xxxxxxxxxxxxxx xxxxx", name: "TBZ/TBNZ", exec: testAndBranch },
  //                  opc  op2   op3    Rn    op4
  { pattern: "1101011 0000 11111 000000 xxxxx 00000", name: "BR", exec: branchRegister },
  { pattern: "1101011 0001 11111 000000 xxxxx 00000", name: "BLR", exec: branchRegister },
  { pattern: "1101011 0010 11111 000000 xxxxx 00000", name: "RET", exec: branchRegister },
];
