/**
 * Move wide (immediate): MOVN, MOVZ, MOVK and the MOV (wide immediate /
 * inverted wide immediate) aliases. Arm ARM C4.1.92 "Move wide (immediate)".
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { rdZr } from "../../decode/fields.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";

function moveWide(cpu: Cpu, insn: number): void {
  const sf = (insn >>> 31) !== 0;
  const hw = (insn >>> 21) & 3;
  if (!sf && hw >= 2) unallocatedEncoding(cpu, insn);
  const opc = (insn >>> 29) & 3; // 0 MOVN, 2 MOVZ, 3 MOVK (1 is unallocated by pattern)
  const imm = (insn >>> 5) & 0xffff;
  const d = rdZr(insn);
  const pos = (hw & 1) * 16;
  let lo: number, hi: number;
  if (opc === 3) {
    lo = cpu.xlo[d];
    hi = cpu.xhi[d];
    if (hw < 2) lo = (lo & ~(0xffff << pos)) | (imm << pos);
    else hi = (hi & ~(0xffff << pos)) | (imm << pos);
  } else {
    lo = hw < 2 ? imm << pos : 0;
    hi = hw < 2 ? 0 : imm << pos;
    if (opc === 0) {
      lo = ~lo;
      hi = ~hi;
    }
  }
  cpu.xlo[d] = lo;
  cpu.xhi[d] = sf ? hi : 0;
}

/** Encoding table of the move-wide class. */
export const entries: EncodingEntry[] = [
  //          sf opc        hw imm16            Rd
  { pattern: "x  00  100101 xx xxxxxxxxxxxxxxxx xxxxx", name: "MOVN", exec: moveWide },
  { pattern: "x  1x  100101 xx xxxxxxxxxxxxxxxx xxxxx", name: "MOVZ/MOVK", exec: moveWide },
];
