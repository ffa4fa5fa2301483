/**
 * PC-relative addressing: ADR and ADRP. Arm ARM C4.1.92 "PC-rel. addressing".
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { rdZr } from "../../decode/fields.ts";

/** imm = SignExtend(immhi:immlo), 21 bits. */
function immHiLo(insn: number): number {
  const v = (((insn >>> 5) & 0x7ffff) << 2) | ((insn >>> 29) & 3);
  return (v << 11) >> 11;
}

function adr(cpu: Cpu, insn: number): void {
  const s = cpu.pcLo + immHiLo(insn);
  const d = rdZr(insn);
  cpu.xlo[d] = s >>> 0;
  cpu.xhi[d] = (cpu.pcHi + Math.floor(s / 0x100000000)) >>> 0;
}

function adrp(cpu: Cpu, insn: number): void {
  // (PC with bits 11:0 cleared) + imm * 4096; |imm * 4096| < 2^32, so the sum is exact.
  const s = ((cpu.pcLo & 0xfffff000) >>> 0) + immHiLo(insn) * 4096;
  const d = rdZr(insn);
  cpu.xlo[d] = s >>> 0;
  cpu.xhi[d] = (cpu.pcHi + Math.floor(s / 0x100000000)) >>> 0;
}

/** Encoding table of the PC-relative class. */
export const entries: EncodingEntry[] = [
  //          op immlo      immhi               Rd
  { pattern: "0  xx    10000 xxxxxxxxxxxxxxxxxxx xxxxx", name: "ADR", exec: adr },
  { pattern: "1  xx    10000 xxxxxxxxxxxxxxxxxxx xxxxx", name: "ADRP", exec: adrp },
];
