/**
 * Load register (literal): LDR (literal) W/X, LDRSW (literal), PRFM
 * (literal). Arm ARM C4.1.94 "Load register (literal)". The SIMD&FP forms
 * (V = 1) belong to isa/simd.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { address, loadRegister, LoadStoreOpc } from "./transfer.ts";

function loadLiteral(cpu: Cpu, insn: number): void {
  const opc = insn >>> 30;
  if (opc === 3) return; // PRFM (literal): a hint
  const s = cpu.pcLo + ((insn << 8) >> 13) * 4;
  address[0] = s >>> 0;
  address[1] = (cpu.pcHi + Math.floor(s / 0x100000000)) >>> 0;
  if (opc === 2) loadRegister(cpu, insn & 31, 2, LoadStoreOpc.LoadSigned64, 0); // LDRSW
  else loadRegister(cpu, insn & 31, opc === 1 ? 3 : 2, LoadStoreOpc.Load, 0);
}

/** Encoding table of the literal-load class (V = 0). */
export const entries: EncodingEntry[] = [
  //          opc     V    imm19               Rt
  {
    pattern: "xx  011 0 00 xxxxxxxxxxxxxxxxxxx xxxxx",
    name: "LDR/LDRSW/PRFM (literal)",
    exec: loadLiteral,
  },
];
