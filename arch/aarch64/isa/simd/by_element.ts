/**
 * AdvSIMD vector x indexed element (Arm ARM C4.1.96 "Advanced SIMD vector x
 * indexed element"): MUL, MLA, MLS, SMULL/UMULL, SMLAL/UMLAL, SMLSL/UMLSL
 * (H and S elements), SQDMULH/SQRDMULH (H and S elements), and FMUL, FMLA,
 * FMLS, FMULX (S and D elements; vector and scalar).
 *
 * Element index: H elements H:L:M with Rm in bits 19:16; S elements H:L with
 * Rm = M:Rm; D elements H (L must be 0).
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry, Handler } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { FMT_D, FMT_S, FP_RESULT, fpMul, fpMulAdd, fpMulX } from "../../softfloat/mod.ts";
import { doublingMulHigh } from "./three_same.ts";
import { add64, laneMask, mulS32, mulU32, R64, sub64, sx } from "./lanes.ts";
import { elem, setSElem, VScratch } from "./vreg.ts";

const S = new VScratch();

const enum Op {
  Mul,
  Mla,
  Mls,
  MulL,
  MlaL,
  MlsL,
}

/** Decoded element index and Rm of the last {@link decodeIndex}. */
let index = 0, rm = 0;

/** Decode index/Rm for an integer element size (16 or 32); false if reserved. */
function decodeIndex(insn: number, size: number): boolean {
  const h = (insn >>> 11) & 1, l = (insn >>> 21) & 1, m = (insn >>> 20) & 1;
  if (size === 1) {
    index = (h << 2) | (l << 1) | m;
    rm = (insn >>> 16) & 15;
    return true;
  }
  if (size === 2) {
    index = (h << 1) | l;
    rm = (insn >>> 16) & 31;
    return true;
  }
  return false;
}

function integer(op: Op): Handler {
  return (cpu: Cpu, insn: number): void => {
    const size = (insn >>> 22) & 3;
    if (!decodeIndex(insn, size)) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0, unsigned = (insn & (1 << 29)) !== 0;
    const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v;
    const esize = 8 << size, b = elem(cpu, rm, index, esize);
    if (op === Op.Mul || op === Op.Mla || op === Op.Mls) {
      const lanes = (q ? 16 : 8) >>> size, mask = laneMask(esize);
      for (let i = 0; i < lanes; i++) {
        const p = Math.imul(elem(cpu, n, i, esize), b), old = elem(cpu, d, i, esize);
        setSElem(S, i, esize, (op === Op.Mul ? p : op === Op.Mla ? old + p : old - p) & mask);
      }
      S.commit(cpu, d, q);
      return;
    }
    // Long forms: the low (Q = 0) or high (Q = 1) half of Vn, widened.
    const lanes = 8 >>> size, base = q ? lanes : 0, wide = esize * 2;
    for (let i = 0; i < lanes; i++) {
      const a = elem(cpu, n, base + i, esize);
      if (wide === 64) {
        if (unsigned) mulU32(a, b);
        else mulS32(a, b);
        const dlo = v[d * 4 + 2 * i], dhi = v[d * 4 + 2 * i + 1];
        if (op === Op.MlaL) add64(dlo, dhi, R64[0], R64[1]);
        else if (op === Op.MlsL) sub64(dlo, dhi, R64[0], R64[1]);
        S.w[2 * i] = R64[0];
        S.w[2 * i + 1] = R64[1];
      } else {
        const p = unsigned ? a * b : sx(a, esize) * sx(b, esize), old = elem(cpu, d, i, wide);
        setSElem(
          S,
          i,
          wide,
          (op === Op.MulL ? p : op === Op.MlaL ? old + p : old - p) & laneMask(wide),
        );
      }
    }
    S.commit(cpu, d, true);
  };
}

const enum FOp {
  Mul,
  Mla,
  Mls,
  MulX,
}

/** FMUL/FMLA/FMLS/FMULX by element; `scalar`: the S/D scalar form (one lane, rest zeroed). */
function float(op: FOp, scalar: boolean): Handler {
  return (cpu: Cpu, insn: number): void => {
    const q = !scalar && (insn & (1 << 30)) !== 0, dbl = (insn & (1 << 22)) !== 0;
    const l = (insn >>> 21) & 1;
    if (dbl && (l !== 0 || (!q && !scalar))) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const h = (insn >>> 11) & 1;
    const idx = dbl ? h : (h << 1) | l;
    const m = (insn >>> 16) & 31, n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v, w = S.w;
    const fmt = dbl ? FMT_D : FMT_S, step = dbl ? 2 : 1;
    const lanes = scalar ? 1 : dbl ? 2 : q ? 4 : 2;
    w[0] =
      w[1] =
      w[2] =
      w[3] =
        0;
    const bLo = v[m * 4 + idx * step], bHi = dbl ? v[m * 4 + idx * step + 1] : 0;
    for (let i = 0; i < lanes; i++) {
      let aLo = v[n * 4 + i * step], aHi = dbl ? v[n * 4 + i * step + 1] : 0;
      if (op === FOp.Mul) fpMul(fmt, aLo, aHi, bLo, bHi, cpu);
      else if (op === FOp.MulX) fpMulX(fmt, aLo, aHi, bLo, bHi, cpu);
      else {
        if (op === FOp.Mls) {
          if (dbl) aHi = (aHi ^ 0x80000000) >>> 0;
          else aLo = (aLo ^ 0x80000000) >>> 0;
        }
        const dw = d * 4 + i * step;
        fpMulAdd(fmt, v[dw], dbl ? v[dw + 1] : 0, aLo, aHi, bLo, bHi, cpu);
      }
      w[i * step] = FP_RESULT[0];
      if (dbl) w[i * step + 1] = FP_RESULT[1];
    }
    S.commit(cpu, d, q);
  };
}

/** Scalar by-element pattern (single/double: size 1x). */
const spat = (u: string, opcode: string) => `01 ${u} 11111 1x x x xxxx ${opcode} x 0 xxxxx xxxxx`;

/** SQDMULH/SQRDMULH (by element), H and S lanes. */
function doublingHigh(round: boolean): Handler {
  return (cpu: Cpu, insn: number): void => {
    const size = (insn >>> 22) & 3;
    if (!decodeIndex(insn, size)) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0;
    const n = (insn >>> 5) & 31, d = insn & 31;
    const esize = 8 << size, b = elem(cpu, rm, index, esize);
    const lanes = (q ? 16 : 8) >>> size, mask = laneMask(esize);
    for (let i = 0; i < lanes; i++) {
      setSElem(S, i, esize, doublingMulHigh(cpu, elem(cpu, n, i, esize), b, esize, round) & mask);
    }
    S.commit(cpu, d, q);
  };
}

const pat = (u: string, size: string, opcode: string) =>
  `0x ${u} 01111 ${size} x x xxxx ${opcode} x 0 xxxxx xxxxx`;

/** AdvSIMD by-element encodings. */
export const entries: EncodingEntry[] = [
  { pattern: pat("0", "xx", "1000"), name: "MUL (by element)", exec: integer(Op.Mul) },
  { pattern: pat("1", "xx", "0000"), name: "MLA (by element)", exec: integer(Op.Mla) },
  { pattern: pat("1", "xx", "0100"), name: "MLS (by element)", exec: integer(Op.Mls) },
  { pattern: pat("x", "xx", "1010"), name: "SMULL/UMULL (by element)", exec: integer(Op.MulL) },
  { pattern: pat("x", "xx", "0010"), name: "SMLAL/UMLAL (by element)", exec: integer(Op.MlaL) },
  { pattern: pat("x", "xx", "0110"), name: "SMLSL/UMLSL (by element)", exec: integer(Op.MlsL) },
  { pattern: pat("0", "1x", "1001"), name: "FMUL (by element)", exec: float(FOp.Mul, false) },
  { pattern: pat("1", "1x", "1001"), name: "FMULX (by element)", exec: float(FOp.MulX, false) },
  { pattern: spat("0", "1001"), name: "FMUL (by element, scalar)", exec: float(FOp.Mul, true) },
  { pattern: spat("1", "1001"), name: "FMULX (by element, scalar)", exec: float(FOp.MulX, true) },
  { pattern: spat("0", "0001"), name: "FMLA (by element, scalar)", exec: float(FOp.Mla, true) },
  { pattern: spat("0", "0101"), name: "FMLS (by element, scalar)", exec: float(FOp.Mls, true) },
  { pattern: pat("0", "xx", "1100"), name: "SQDMULH (by element)", exec: doublingHigh(false) },
  { pattern: pat("0", "xx", "1101"), name: "SQRDMULH (by element)", exec: doublingHigh(true) },
  { pattern: pat("0", "1x", "0001"), name: "FMLA (by element)", exec: float(FOp.Mla, false) },
  { pattern: pat("0", "1x", "0101"), name: "FMLS (by element)", exec: float(FOp.Mls, false) },
];
