/**
 * AdvSIMD three different (Arm ARM C4.1.96 "Advanced SIMD three different"):
 * the widening and narrowing forms SADDL/UADDL, SADDW/UADDW, SSUBL/USUBL,
 * SSUBW/USUBW, ADDHN/SUBHN/RADDHN/RSUBHN, SABDL/UABDL, SABAL/UABAL, SMLAL/UMLAL,
 * SMLSL/UMLSL, SMULL/UMULL, and their "2" forms (Q = 1: upper halves).
 * Source element sizes 8, 16, 32 (size 11 is reserved).
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry, Handler } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { add64, laneMask, mulS32, mulU32, R64, sub64, sx } from "./lanes.ts";
import { elem, setSElem, VScratch } from "./vreg.ts";

const S = new VScratch();

const enum Op {
  AddL,
  AddW,
  SubL,
  SubW,
  AbdL,
  AbaL,
  MlaL,
  MlsL,
  MulL,
}

/** A lane of `esize` (8, 16, 32) bits as a signed or unsigned JS number. */
function ext(a: number, esize: number, signed: boolean): number {
  return signed ? sx(a, esize) : a;
}

/** Write the signed/unsigned 64-bit value `x` (|x| < 2^53) as lane i of S (64-bit lanes). */
function set64(i: number, x: number): void {
  const neg = x < 0, m = neg ? -x : x;
  const hi = Math.floor(m / 4294967296), lo = m - hi * 4294967296;
  if (neg) sub64(0, 0, lo, hi);
  else {
    R64[0] = lo >>> 0;
    R64[1] = hi >>> 0;
  }
  S.w[2 * i] = R64[0];
  S.w[2 * i + 1] = R64[1];
}

function long(op: Op): Handler {
  return (cpu: Cpu, insn: number): void => {
    const size = (insn >>> 22) & 3;
    if (size === 3) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0, signed = (insn & (1 << 29)) === 0;
    const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31, d = insn & 31;
    const esize = 8 << size, wide = esize * 2, lanes = 8 >>> size, base = q ? lanes : 0;
    const v = cpu.v;
    const wideN = op === Op.AddW || op === Op.SubW;
    for (let i = 0; i < lanes; i++) {
      const b = ext(elem(cpu, m, base + i, esize), esize, signed);
      if (wide === 64) {
        const dlo = v[d * 4 + 2 * i], dhi = v[d * 4 + 2 * i + 1];
        if (op === Op.MulL || op === Op.MlaL || op === Op.MlsL) {
          const a = elem(cpu, n, base + i, esize);
          if (signed) mulS32(a, elem(cpu, m, base + i, esize));
          else mulU32(a, elem(cpu, m, base + i, esize));
          if (op === Op.MlaL) add64(dlo, dhi, R64[0], R64[1]);
          else if (op === Op.MlsL) sub64(dlo, dhi, R64[0], R64[1]);
          S.w[2 * i] = R64[0];
          S.w[2 * i + 1] = R64[1];
          continue;
        }
        if (wideN) {
          const nlo = v[n * 4 + 2 * i], nhi = v[n * 4 + 2 * i + 1];
          const blo = b >>> 0, bhi = b < 0 ? 0xffffffff : 0;
          if (op === Op.AddW) add64(nlo, nhi, blo, bhi);
          else sub64(nlo, nhi, blo, bhi);
          S.w[2 * i] = R64[0];
          S.w[2 * i + 1] = R64[1];
          continue;
        }
        const a = ext(elem(cpu, n, base + i, esize), esize, signed);
        if (op === Op.AbaL) {
          add64(dlo, dhi, Math.abs(a - b), 0);
          S.w[2 * i] = R64[0];
          S.w[2 * i + 1] = R64[1];
          continue;
        }
        set64(i, op === Op.AddL ? a + b : op === Op.SubL ? a - b : Math.abs(a - b));
        continue;
      }
      const a = wideN ? elem(cpu, n, i, wide) : ext(elem(cpu, n, base + i, esize), esize, signed);
      const old = elem(cpu, d, i, wide);
      let r: number;
      switch (op) {
        case Op.AddL:
        case Op.AddW:
          r = a + b;
          break;
        case Op.SubL:
        case Op.SubW:
          r = a - b;
          break;
        case Op.AbdL:
          r = Math.abs(a - b);
          break;
        case Op.AbaL:
          r = old + Math.abs(a - b);
          break;
        case Op.MulL:
          r = a * b;
          break;
        case Op.MlaL:
          r = old + a * b;
          break;
        default:
          r = old - a * b;
      }
      setSElem(S, i, wide, r & laneMask(wide));
    }
    S.commit(cpu, d, true);
  };
}

/** ADDHN/SUBHN (and rounding RADDHN/RSUBHN, U = 1): high halves of wide sums into narrow lanes. */
function highNarrow(sub: boolean): Handler {
  return (cpu, insn) => {
    const size = (insn >>> 22) & 3;
    if (size === 3) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0, round = (insn & (1 << 29)) !== 0;
    const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31, d = insn & 31, v = cpu.v;
    const esize = 8 << size, wide = esize * 2, lanes = 8 >>> size, base = q ? lanes : 0;
    S.w[0] = v[d * 4];
    S.w[1] = v[d * 4 + 1];
    for (let i = 0; i < lanes; i++) {
      let r: number;
      if (wide === 64) {
        const alo = v[n * 4 + 2 * i], ahi = v[n * 4 + 2 * i + 1];
        const blo = v[m * 4 + 2 * i], bhi = v[m * 4 + 2 * i + 1];
        if (sub) sub64(alo, ahi, blo, bhi);
        else add64(alo, ahi, blo, bhi);
        if (round) add64(R64[0], R64[1], 0x80000000, 0);
        r = R64[1];
      } else {
        const a = elem(cpu, n, i, wide), b = elem(cpu, m, i, wide);
        const s = ((sub ? a - b : a + b) + (round ? 2 ** (esize - 1) : 0)) & laneMask(wide);
        r = (s >>> esize) & laneMask(esize);
      }
      setSElem(S, base + i, esize, r);
    }
    if (!q) S.w[2] = S.w[3] = 0;
    S.commit(cpu, d, true);
  };
}

const pat = (u: string, opcode: string) => `0x ${u} 01110 xx 1 xxxxx ${opcode} 00 xxxxx xxxxx`;

/** AdvSIMD three-different encodings. */
export const entries: EncodingEntry[] = [
  { pattern: pat("x", "0000"), name: "SADDL/UADDL", exec: long(Op.AddL) },
  { pattern: pat("x", "0001"), name: "SADDW/UADDW", exec: long(Op.AddW) },
  { pattern: pat("x", "0010"), name: "SSUBL/USUBL", exec: long(Op.SubL) },
  { pattern: pat("x", "0011"), name: "SSUBW/USUBW", exec: long(Op.SubW) },
  { pattern: pat("x", "0100"), name: "ADDHN/RADDHN", exec: highNarrow(false) },
  { pattern: pat("x", "0110"), name: "SUBHN/RSUBHN", exec: highNarrow(true) },
  { pattern: pat("x", "0111"), name: "SABDL/UABDL", exec: long(Op.AbdL) },
  { pattern: pat("x", "0101"), name: "SABAL/UABAL", exec: long(Op.AbaL) },
  { pattern: pat("x", "1000"), name: "SMLAL/UMLAL", exec: long(Op.MlaL) },
  { pattern: pat("x", "1010"), name: "SMLSL/UMLSL", exec: long(Op.MlsL) },
  { pattern: pat("x", "1100"), name: "SMULL/UMULL", exec: long(Op.MulL) },
];
