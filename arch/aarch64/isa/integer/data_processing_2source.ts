/**
 * Data-processing (2 source): UDIV, SDIV, LSLV, LSRV, ASRV, RORV (aliases
 * LSL/LSR/ASR/ROR (register)) and CRC32{B,H,W,X}, CRC32C{B,H,W,X}. Arm ARM
 * C4.1.95 "Data-processing (2 source)". Division by zero gives 0 and the
 * signed INT_MIN / -1 gives INT_MIN, without any exception.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { rdZr, rmZr, rnZr } from "../../decode/fields.ts";
import { crc32Update } from "./crc32.ts";
import { shiftReg32, shiftReg64 } from "./operands.ts";
import { out, sdiv64, udiv64 } from "./u64.ts";

function divide(cpu: Cpu, insn: number): void {
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn);
  const signed = (insn & (1 << 10)) !== 0;
  if ((insn >>> 31) !== 0) {
    if (signed) sdiv64(cpu.xlo[n], cpu.xhi[n], cpu.xlo[m], cpu.xhi[m]);
    else udiv64(cpu.xlo[n], cpu.xhi[n], cpu.xlo[m], cpu.xhi[m]);
    cpu.xlo[d] = out[0];
    cpu.xhi[d] = out[1];
    return;
  }
  let q: number;
  if (signed) {
    const a = cpu.xlo[n] | 0, b = cpu.xlo[m] | 0;
    // Truncating division; INT32_MIN / -1 = 2^31, which wraps to INT32_MIN.
    q = b === 0 ? 0 : Math.trunc(a / b) >>> 0;
  } else {
    const b = cpu.xlo[m];
    q = b === 0 ? 0 : Math.floor(cpu.xlo[n] / b) >>> 0;
  }
  cpu.xlo[d] = q;
  cpu.xhi[d] = 0;
}

function variableShift(cpu: Cpu, insn: number): void {
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn);
  const type = (insn >>> 10) & 3;
  if ((insn >>> 31) !== 0) {
    shiftReg64(cpu, n, type, cpu.xlo[m] & 63);
    cpu.xlo[d] = out[0];
    cpu.xhi[d] = out[1];
  } else {
    cpu.xlo[d] = shiftReg32(cpu.xlo[n], type, cpu.xlo[m] & 31);
    cpu.xhi[d] = 0;
  }
}

function crc32(cpu: Cpu, insn: number): void {
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn);
  const size = (insn >>> 10) & 3; // 0 B, 1 H, 2 W, 3 X
  const castagnoli = (insn & (1 << 12)) !== 0;
  let acc = cpu.xlo[n];
  if (size === 3) {
    acc = crc32Update(acc, cpu.xlo[m], 4, castagnoli);
    acc = crc32Update(acc, cpu.xhi[m], 4, castagnoli);
  } else acc = crc32Update(acc, cpu.xlo[m], 1 << size, castagnoli);
  cpu.xlo[d] = acc;
  cpu.xhi[d] = 0;
}

/** Encoding table of the 2-source class. */
export const entries: EncodingEntry[] = [
  //          sf   S          Rm    opcode Rn    Rd
  { pattern: "x 0 0 11010110 xxxxx 00001x xxxxx xxxxx", name: "UDIV/SDIV", exec: divide },
  {
    pattern: "x 0 0 11010110 xxxxx 0010xx xxxxx xxxxx",
    name: "LSLV/LSRV/ASRV/RORV",
    exec: variableShift,
  },
  { pattern: "0 0 0 11010110 xxxxx 010x0x xxxxx xxxxx", name: "CRC32(C)B/H", exec: crc32 },
  { pattern: "0 0 0 11010110 xxxxx 010x10 xxxxx xxxxx", name: "CRC32(C)W", exec: crc32 },
  { pattern: "1 0 0 11010110 xxxxx 010x11 xxxxx xxxxx", name: "CRC32(C)X", exec: crc32 },
];
