/**
 * AdvSIMD permute, extract and table lookup (Arm ARM C4.1.96 "Advanced SIMD
 * permute", "extract", "table lookup"): UZP1/UZP2, TRN1/TRN2, ZIP1/ZIP2, EXT,
 * TBL and TBX with 1-4 table registers (wrapping modulo 32).
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry, Handler } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { elem, setSElem, VScratch } from "./vreg.ts";

const S = new VScratch();

const enum Perm {
  Uzp,
  Trn,
  Zip,
}

function permute(kind: Perm): Handler {
  return (cpu: Cpu, insn: number): void => {
    const size = (insn >>> 22) & 3;
    const q = (insn & (1 << 30)) !== 0;
    if (size === 3 && !q) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const part = (insn >>> 14) & 1; // 0: "1" forms, 1: "2" forms
    const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31, d = insn & 31;
    const esize = 8 << size, lanes = (q ? 16 : 8) >>> size, half = lanes >>> 1;
    // 64-bit lanes are handled as pairs of 32-bit elements.
    const es = size === 3 ? 32 : esize, k = size === 3 ? 2 : 1;
    for (let i = 0; i < lanes; i++) {
      let src: number, j: number;
      if (kind === Perm.Uzp) { // even (part 0) or odd (part 1) elements of Vn:Vm
        const x = 2 * i + part;
        src = x < lanes ? n : m;
        j = x < lanes ? x : x - lanes;
      } else if (kind === Perm.Trn) {
        src = (i & 1) === 0 ? n : m;
        j = (i & ~1) + part;
      } else { // ZIP: interleave the low (part 0) or high halves
        src = (i & 1) === 0 ? n : m;
        j = (i >>> 1) + part * half;
      }
      for (let t = 0; t < k; t++) setSElem(S, i * k + t, es, elem(cpu, src, j * k + t, es));
    }
    S.commit(cpu, d, q);
  };
}

/** EXT: bytes imm4.. of Vn:Vm (Vn lowest). */
function ext(cpu: Cpu, insn: number): void {
  const q = (insn & (1 << 30)) !== 0;
  const pos = (insn >>> 11) & 15;
  if (!q && pos >= 8) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31, d = insn & 31;
  const bytes = q ? 16 : 8;
  for (let i = 0; i < bytes; i++) {
    const x = pos + i;
    S.b[i] = x < bytes ? cpu.vb[n * 16 + x] : cpu.vb[m * 16 + x - bytes];
  }
  S.commit(cpu, d, q);
}

/** TBL (op 0: out-of-range index gives 0) and TBX (op 1: keeps the Vd byte). */
function table(cpu: Cpu, insn: number): void {
  checkFpAccess(cpu);
  const q = (insn & (1 << 30)) !== 0;
  const regs = ((insn >>> 13) & 3) + 1, tbx = (insn & (1 << 12)) !== 0;
  const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31, d = insn & 31;
  const bytes = q ? 16 : 8, limit = regs * 16;
  for (let i = 0; i < bytes; i++) {
    const idx = cpu.vb[m * 16 + i];
    if (idx < limit) S.b[i] = cpu.vb[((n + (idx >>> 4)) & 31) * 16 + (idx & 15)];
    else S.b[i] = tbx ? cpu.vb[d * 16 + i] : 0;
  }
  S.commit(cpu, d, q);
}

const perm = (op: string) => `0x 0 01110 xx 0 xxxxx 0 ${op} 10 xxxxx xxxxx`;

/** AdvSIMD permute / EXT / TBL / TBX encodings. */
export const entries: EncodingEntry[] = [
  { pattern: perm("x01"), name: "UZP1/UZP2", exec: permute(Perm.Uzp) },
  { pattern: perm("x10"), name: "TRN1/TRN2", exec: permute(Perm.Trn) },
  { pattern: perm("x11"), name: "ZIP1/ZIP2", exec: permute(Perm.Zip) },
  { pattern: "0x 10 1110 00 0 xxxxx 0 xxxx 0 xxxxx xxxxx", name: "EXT", exec: ext },
  { pattern: "0x 00 1110 00 0 xxxxx 0 xx x 00 xxxxx xxxxx", name: "TBL/TBX", exec: table },
];
