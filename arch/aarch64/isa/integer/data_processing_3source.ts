/**
 * Data-processing (3 source): MADD, MSUB (aliases MUL, MNEG), SMADDL,
 * SMSUBL, UMADDL, UMSUBL (aliases SMULL, SMNEGL, UMULL, UMNEGL), SMULH,
 * UMULH. Arm ARM C4.1.95 "Data-processing (3 source)".
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { raZr, rdZr, rmZr, rnZr } from "../../decode/fields.ts";
import { mul32x32, mul64, out, smulh64, umulh64 } from "./u64.ts";

/** d = a +/- product (64-bit, product in out). */
function accumulate64(cpu: Cpu, d: number, a: number, sub: boolean): void {
  const plo = out[0], phi = out[1];
  const alo = cpu.xlo[a], ahi = cpu.xhi[a];
  if (sub) {
    const s = alo - plo;
    cpu.xlo[d] = s >>> 0;
    cpu.xhi[d] = (ahi - phi - (s < 0 ? 1 : 0)) >>> 0;
  } else {
    const s = alo + plo;
    cpu.xlo[d] = s >>> 0;
    cpu.xhi[d] = (ahi + phi + (s > 0xffffffff ? 1 : 0)) >>> 0;
  }
}

function multiplyAdd(cpu: Cpu, insn: number): void {
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn), a = raZr(insn);
  const sub = (insn & (1 << 15)) !== 0;
  if ((insn >>> 31) !== 0) {
    mul64(cpu.xlo[n], cpu.xhi[n], cpu.xlo[m], cpu.xhi[m]);
    accumulate64(cpu, d, a, sub);
  } else {
    const p = Math.imul(cpu.xlo[n], cpu.xlo[m]);
    cpu.xlo[d] = (sub ? cpu.xlo[a] - p : cpu.xlo[a] + p) >>> 0;
    cpu.xhi[d] = 0;
  }
}

function multiplyAddLong(cpu: Cpu, insn: number): void {
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn), a = raZr(insn);
  const sub = (insn & (1 << 15)) !== 0;
  const unsigned = (insn & (1 << 23)) !== 0;
  const x = cpu.xlo[n], y = cpu.xlo[m];
  if (unsigned) mul32x32(x, y);
  else {
    // Signed 32x32 -> 64: |x|*|y| then negate when the signs differ.
    const xs = x | 0, ys = y | 0;
    mul32x32(Math.abs(xs) >>> 0, Math.abs(ys) >>> 0);
    if ((xs < 0) !== (ys < 0) && xs !== 0 && ys !== 0) {
      const lo = out[0], hi = out[1];
      out[0] = (-lo) >>> 0;
      out[1] = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    }
  }
  accumulate64(cpu, d, a, sub);
}

function multiplyHigh(cpu: Cpu, insn: number): void {
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn);
  if ((insn & (1 << 23)) !== 0) umulh64(cpu.xlo[n], cpu.xhi[n], cpu.xlo[m], cpu.xhi[m]);
  else smulh64(cpu.xlo[n], cpu.xhi[n], cpu.xlo[m], cpu.xhi[m]);
  cpu.xlo[d] = out[0];
  cpu.xhi[d] = out[1];
}

/** Encoding table of the 3-source class. */
export const entries: EncodingEntry[] = [
  //          sf op54      op31 Rm    o0 Ra    Rn    Rd
  { pattern: "x  00   11011 000 xxxxx x  xxxxx xxxxx xxxxx", name: "MADD/MSUB", exec: multiplyAdd },
  {
    pattern: "1  00   11011 x01 xxxxx x  xxxxx xxxxx xxxxx",
    name: "SMADDL/SMSUBL/UMADDL/UMSUBL",
    exec: multiplyAddLong,
  },
  {
    pattern: "1  00   11011 x10 xxxxx 0  xxxxx xxxxx xxxxx",
    name: "SMULH/UMULH",
    exec: multiplyHigh,
  },
];
