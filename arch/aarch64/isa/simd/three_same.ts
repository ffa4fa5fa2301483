/**
 * AdvSIMD three same, integer and logical (Arm ARM C4.1.96 "Advanced SIMD
 * three same"; opcode bits 15:11, U bit 29), vector and scalar (D) forms:
 * ADD, SUB, MUL, MLA, MLS, CMEQ, CMHI, CMHS, CMGT, CMGE, CMTST, UMAX/UMIN,
 * SMAX/SMIN, UABD/SABD, UQADD/UQSUB/SQADD/SQSUB, USHL/SSHL, ADDP, UMAXP/UMINP,
 * SMAXP/SMINP, SRSHL/URSHL, SQSHL/UQSHL, SQRSHL/UQRSHL, SQDMULH, SQRDMULH,
 * PMUL, SHADD/UHADD, SRHADD/URHADD, SHSUB/UHSUB, SABA/UABA, AND, BIC,
 * ORR, ORN, EOR, BSL, BIT, BIF.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry, Handler } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { FPSR_QC } from "../../softfloat/mod.ts";
import {
  add64,
  cmpS64,
  cmpU64,
  laneMask,
  mulS32,
  R64,
  satS,
  satU,
  shiftByReg,
  shiftByReg64,
  shl64,
  sub64,
  sx,
} from "./lanes.ts";
import { elem, setSElem, VScratch } from "./vreg.ts";

/** One lane of <= 32 bits: unsigned a (Vn), b (Vm), d (old Vd lane) -> result. */
type LaneFn = (cpu: Cpu, a: number, b: number, d: number, esize: number) => number;
/** One 64-bit lane (lo/hi halves): result to R64. */
type Lane64Fn = (cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number) => void;

const S = new VScratch();

const ones = (c: boolean) => (c ? 0xffffffff : 0);

/** Lane operations by name. */
const OPS: Record<string, [LaneFn, Lane64Fn | null]> = {
  ADD: [(_c, a, b) => a + b, (_c, al, ah, bl, bh) => add64(al, ah, bl, bh)],
  SUB: [(_c, a, b) => a - b, (_c, al, ah, bl, bh) => sub64(al, ah, bl, bh)],
  MUL: [(_c, a, b) => Math.imul(a, b), null],
  MLA: [(_c, a, b, d) => d + Math.imul(a, b), null],
  MLS: [(_c, a, b, d) => d - Math.imul(a, b), null],
  CMEQ: [(_c, a, b) => ones(a === b), (_c, al, ah, bl, bh) => set64(cmpU64(al, ah, bl, bh) === 0)],
  CMHI: [(_c, a, b) => ones(a > b), (_c, al, ah, bl, bh) => set64(cmpU64(al, ah, bl, bh) > 0)],
  CMHS: [(_c, a, b) => ones(a >= b), (_c, al, ah, bl, bh) => set64(cmpU64(al, ah, bl, bh) >= 0)],
  CMGT: [
    (_c, a, b, _d, e) => ones(sx(a, e) > sx(b, e)),
    (_c, al, ah, bl, bh) => set64(cmpS64(al, ah, bl, bh) > 0),
  ],
  CMGE: [
    (_c, a, b, _d, e) => ones(sx(a, e) >= sx(b, e)),
    (_c, al, ah, bl, bh) => set64(cmpS64(al, ah, bl, bh) >= 0),
  ],
  CMTST: [
    (_c, a, b) => ones((a & b) !== 0),
    (_c, al, ah, bl, bh) => set64(((al & bl) | (ah & bh)) !== 0),
  ],
  UMAX: [(_c, a, b) => (a > b ? a : b), null],
  UMIN: [(_c, a, b) => (a < b ? a : b), null],
  SMAX: [(_c, a, b, _d, e) => (sx(a, e) > sx(b, e) ? a : b), null],
  SMIN: [(_c, a, b, _d, e) => (sx(a, e) < sx(b, e) ? a : b), null],
  UABD: [(_c, a, b) => (a > b ? a - b : b - a), null],
  UABA: [(_c, a, b, d) => d + (a > b ? a - b : b - a), null],
  SABA: [(_c, a, b, d, e) => d + Math.abs(sx(a, e) - sx(b, e)), null],
  UHADD: [(_c, a, b) => Math.floor((a + b) / 2), null],
  SHADD: [(_c, a, b, _d, e) => Math.floor((sx(a, e) + sx(b, e)) / 2), null],
  URHADD: [(_c, a, b) => Math.floor((a + b + 1) / 2), null],
  SRHADD: [(_c, a, b, _d, e) => Math.floor((sx(a, e) + sx(b, e) + 1) / 2), null],
  UHSUB: [(_c, a, b) => Math.floor((a - b) / 2), null],
  SHSUB: [(_c, a, b, _d, e) => Math.floor((sx(a, e) - sx(b, e)) / 2), null],
  SABD: [(_c, a, b, _d, e) => Math.abs(sx(a, e) - sx(b, e)), null],
  UQADD: [(c, a, b, _d, e) => satU(c, a + b, e), uqadd64],
  UQSUB: [(c, a, b, _d, e) => satU(c, a - b, e), uqsub64],
  SQADD: [
    (c, a, b, _d, e) => satS(c, sx(a, e) + sx(b, e), e),
    (c, al, ah, bl, bh) => sq64(c, al, ah, bl, bh, false),
  ],
  SQSUB: [
    (c, a, b, _d, e) => satS(c, sx(a, e) - sx(b, e), e),
    (c, al, ah, bl, bh) => sq64(c, al, ah, bl, bh, true),
  ],
  URSHL: [
    (_c, a, b, _d, e) => roundingShift(a, b, e, false),
    (_c, al, ah, bl) => roundingShift64(al, ah, bl, false),
  ],
  SRSHL: [
    (_c, a, b, _d, e) => roundingShift(sx(a, e), b, e, true),
    (_c, al, ah, bl) => roundingShift64(al, ah, bl, true),
  ],
  UQSHL: [(c, a, b, _d, e) => satU(c, saturatingShift(a, b, false), e), null],
  SQSHL: [(c, a, b, _d, e) => satS(c, saturatingShift(sx(a, e), b, false), e), null],
  UQRSHL: [(c, a, b, _d, e) => satU(c, saturatingShift(a, b, true), e), null],
  SQRSHL: [(c, a, b, _d, e) => satS(c, saturatingShift(sx(a, e), b, true), e), null],
  SQDMULH: [(c, a, b, _d, e) => doublingMulHigh(c, a, b, e, false), null],
  SQRDMULH: [(c, a, b, _d, e) => doublingMulHigh(c, a, b, e, true), null],
  PMUL: [(_c, a, b) => polyMul8(a, b), null],
  USHL: [
    (_c, a, b, _d, e) => shiftByReg(a, b, e, false),
    (_c, al, ah, bl) => shiftByReg64(al, ah, bl, false),
  ],
  SSHL: [
    (_c, a, b, _d, e) => shiftByReg(a, b, e, true),
    (_c, al, ah, bl) => shiftByReg64(al, ah, bl, true),
  ],
};

/** UQADD on a 64-bit lane: saturates to all ones on carry out. */
function uqadd64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): void {
  add64(aLo, aHi, bLo, bHi);
  if (cmpU64(R64[0], R64[1], aLo, aHi) < 0) {
    R64[0] = R64[1] = 0xffffffff;
    cpu.fpsr |= FPSR_QC;
  }
}

/** UQSUB on a 64-bit lane: saturates to zero on borrow. */
function uqsub64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): void {
  if (cmpU64(aLo, aHi, bLo, bHi) < 0) {
    R64[0] = R64[1] = 0;
    cpu.fpsr |= FPSR_QC;
  } else sub64(aLo, aHi, bLo, bHi);
}

/** SQADD/SQSUB on a 64-bit lane: signed overflow saturates towards the operands' sign. */
export function sq64(
  cpu: Cpu,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  sub: boolean,
): void {
  if (sub) sub64(aLo, aHi, bLo, bHi);
  else add64(aLo, aHi, bLo, bHi);
  const sa = aHi >>> 31, sb = (bHi >>> 31) ^ (sub ? 1 : 0), sr = R64[1] >>> 31;
  if (sa === sb && sr !== sa) {
    R64[0] = sa ? 0 : 0xffffffff;
    R64[1] = sa ? 0x80000000 : 0x7fffffff;
    cpu.fpsr |= FPSR_QC;
  }
}

/**
 * SRSHL/URSHL on a lane of <= 32 bits (`x` already sign-extended when
 * signed): shift by the signed low byte of `b`, rounding right shifts.
 * Exact in doubles.
 */
function roundingShift(x: number, b: number, esize: number, _signed: boolean): number {
  const sh = (b << 24) >> 24;
  if (sh >= 0) return sh >= esize ? 0 : x * 2 ** sh;
  return Math.floor((x + 2 ** (-sh - 1)) / 2 ** -sh);
}

/** SRSHL/URSHL on a 64-bit lane into R64: (x + 2^(k-1)) >> k = (x >> k) + bit k-1 of x. */
function roundingShift64(lo: number, hi: number, b: number, signed: boolean): void {
  const sh = (b << 24) >> 24;
  if (sh >= 0) return shiftByReg64(lo, hi, b, signed);
  const k = -sh;
  if (k > 64) {
    R64[0] = R64[1] = 0;
    return;
  }
  const bit = k - 1 < 32 ? (lo >>> (k - 1)) & 1 : (hi >>> (k - 33)) & 1;
  shiftByReg64(lo, hi, b, signed);
  add64(R64[0], R64[1], bit, 0);
}

/**
 * The unsaturated value of SQSHL/UQSHL/SQRSHL/UQRSHL (register) for a lane
 * of <= 32 bits (`x` sign-extended when signed): x * 2^shift, right shifts
 * rounding down (or to nearest, ties up, when `round`). Exact in doubles.
 */
function saturatingShift(x: number, b: number, round: boolean): number {
  const sh = (b << 24) >> 24;
  if (sh >= 0) return x * 2 ** sh;
  return Math.floor((x + (round ? 2 ** (-sh - 1) : 0)) / 2 ** -sh);
}

/**
 * SQDMULH/SQRDMULH for 16- or 32-bit lanes: the high half of 2 * a * b
 * (plus 2^(esize-1) when rounding), saturated (only MIN * MIN overflows).
 */
export function doublingMulHigh(
  cpu: Cpu,
  a: number,
  b: number,
  esize: number,
  round: boolean,
): number {
  const x = sx(a, esize), y = sx(b, esize);
  if (esize === 16) {
    return satS(cpu, Math.floor((2 * x * y + (round ? 0x8000 : 0)) / 65536), 16);
  }
  if (x === -2147483648 && y === -2147483648) return satS(cpu, 2147483648, 32);
  mulS32(x >>> 0, y >>> 0); // the product as a 64-bit two's complement value
  // 2 * p + round, then the high 32 bits: (p << 1 | carry-in) computed on halves.
  shl64(R64[0], R64[1], 1);
  if (round) add64(R64[0], R64[1], 0x80000000, 0);
  return R64[1];
}

/** PMUL on bytes: the low 8 bits of the carry-less product. */
function polyMul8(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) if ((b >>> i) & 1) r ^= a << i;
  return r & 0xff;
}

/** Element sizes (bit n = size n) of operations that do not have all of 8, 16 and 32 bits. */
const SIZES: Record<string, number> = { PMUL: 0b0001, SQDMULH: 0b0110, SQRDMULH: 0b0110 };

function set64(c: boolean): void {
  R64[0] = R64[1] = c ? 0xffffffff : 0;
}

/** Elementwise operation over Vn, Vm into Vd. `scalar`: the D-register form (size must be 11). */
function elementwise(fn: LaneFn, fn64: Lane64Fn | null, scalar: boolean, sizes = 0b0111): Handler {
  return (cpu, insn) => {
    const size = (insn >>> 22) & 3;
    const q = scalar || (insn & (1 << 30)) !== 0;
    if (size === 3 ? (fn64 === null || !q) : scalar || (sizes & (1 << size)) === 0) {
      return unallocatedEncoding(cpu, insn);
    }
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31, d = insn & 31;
    if (size === 3) {
      const v = cpu.v, w = S.w;
      const lanes = scalar ? 1 : 2;
      for (let i = 0; i < lanes; i++) {
        fn64!(cpu, v[n * 4 + 2 * i], v[n * 4 + 2 * i + 1], v[m * 4 + 2 * i], v[m * 4 + 2 * i + 1]);
        w[2 * i] = R64[0];
        w[2 * i + 1] = R64[1];
      }
      if (scalar) w[2] = w[3] = 0;
      S.commit(cpu, d, !scalar);
      return;
    }
    const esize = 8 << size, lanes = (q ? 16 : 8) >>> size, mask = laneMask(esize);
    for (let i = 0; i < lanes; i++) {
      setSElem(
        S,
        i,
        esize,
        fn(cpu, elem(cpu, n, i, esize), elem(cpu, m, i, esize), elem(cpu, d, i, esize), esize) &
          mask,
      );
    }
    S.commit(cpu, d, q);
  };
}

/** Pairwise operation: lanes of Vn:Vm concatenated, adjacent pairs combined. */
function pairwise(fn: LaneFn, fn64: Lane64Fn | null): Handler {
  return (cpu, insn) => {
    const size = (insn >>> 22) & 3;
    const q = (insn & (1 << 30)) !== 0;
    if (size === 3 && (fn64 === null || !q)) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31, d = insn & 31;
    if (size === 3) {
      const v = cpu.v, w = S.w;
      fn64!(cpu, v[n * 4], v[n * 4 + 1], v[n * 4 + 2], v[n * 4 + 3]);
      w[0] = R64[0];
      w[1] = R64[1];
      fn64!(cpu, v[m * 4], v[m * 4 + 1], v[m * 4 + 2], v[m * 4 + 3]);
      w[2] = R64[0];
      w[3] = R64[1];
      S.commit(cpu, d, true);
      return;
    }
    const esize = 8 << size,
      lanes = (q ? 16 : 8) >>> size,
      half = lanes >>> 1,
      mask = laneMask(esize);
    for (let i = 0; i < lanes; i++) {
      const src = i < half ? n : m, j = (i < half ? i : i - half) * 2;
      setSElem(
        S,
        i,
        esize,
        fn(cpu, elem(cpu, src, j, esize), elem(cpu, src, j + 1, esize), 0, esize) & mask,
      );
    }
    S.commit(cpu, d, q);
  };
}

/** AND/BIC/ORR/ORN (U = 0) and EOR/BSL/BIT/BIF (U = 1), selected by size (bits 23:22). */
function logical(cpu: Cpu, insn: number): void {
  checkFpAccess(cpu);
  const q = (insn & (1 << 30)) !== 0;
  const op = ((insn >>> 27) & 4) | ((insn >>> 22) & 3); // U:size
  const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31, d = insn & 31;
  const v = cpu.v, w = S.w;
  for (let i = 0; i < 4; i++) {
    const a = v[n * 4 + i], b = v[m * 4 + i], c = v[d * 4 + i];
    let r: number;
    switch (op) {
      case 0:
        r = a & b;
        break; // AND
      case 1:
        r = a & ~b;
        break; // BIC
      case 2:
        r = a | b;
        break; // ORR (MOV when n == m)
      case 3:
        r = a | ~b;
        break; // ORN
      case 4:
        r = a ^ b;
        break; // EOR
      case 5:
        r = (c & a) | (~c & b);
        break; // BSL: Vd selects Vn (1) / Vm (0)
      case 6:
        r = (b & a) | (~b & c);
        break; // BIT: insert Vn where Vm is 1
      default:
        r = (~b & a) | (b & c); // BIF: insert Vn where Vm is 0
    }
    w[i] = r >>> 0;
  }
  S.commit(cpu, d, q);
}

function build(): EncodingEntry[] {
  const out: EncodingEntry[] = [];
  const add = (u: number, opcode: number, name: string, exec: Handler, scalar = false) =>
    out.push({
      pattern: `${scalar ? "01" : "0x"} ${u} ${scalar ? "11110" : "01110"} xx 1 xxxxx ${
        opcode.toString(2).padStart(5, "0")
      } 1 xxxxx xxxxx`,
      name: name + (scalar ? " (scalar)" : " (vector)"),
      exec,
    });
  const vec: [number, number, string][] = [
    [0, 0b00000, "SHADD"],
    [1, 0b00000, "UHADD"],
    [0, 0b00010, "SRHADD"],
    [1, 0b00010, "URHADD"],
    [0, 0b00100, "SHSUB"],
    [1, 0b00100, "UHSUB"],
    [0, 0b01111, "SABA"],
    [1, 0b01111, "UABA"],
    [0, 0b00001, "SQADD"],
    [1, 0b00001, "UQADD"],
    [0, 0b00101, "SQSUB"],
    [1, 0b00101, "UQSUB"],
    [0, 0b00110, "CMGT"],
    [1, 0b00110, "CMHI"],
    [0, 0b00111, "CMGE"],
    [1, 0b00111, "CMHS"],
    [0, 0b01000, "SSHL"],
    [1, 0b01000, "USHL"],
    [0, 0b01100, "SMAX"],
    [1, 0b01100, "UMAX"],
    [0, 0b01101, "SMIN"],
    [1, 0b01101, "UMIN"],
    [0, 0b01110, "SABD"],
    [1, 0b01110, "UABD"],
    [0, 0b10000, "ADD"],
    [1, 0b10000, "SUB"],
    [0, 0b10001, "CMTST"],
    [1, 0b10001, "CMEQ"],
    [0, 0b10010, "MLA"],
    [1, 0b10010, "MLS"],
    [0, 0b10011, "MUL"],
    [1, 0b10011, "PMUL"],
    [0, 0b01010, "SRSHL"],
    [1, 0b01010, "URSHL"],
    [0, 0b01001, "SQSHL"],
    [1, 0b01001, "UQSHL"],
    [0, 0b01011, "SQRSHL"],
    [1, 0b01011, "UQRSHL"],
    [0, 0b10110, "SQDMULH"],
    [1, 0b10110, "SQRDMULH"],
  ];
  for (const [u, opcode, name] of vec) {
    const [fn, fn64] = OPS[name];
    add(u, opcode, name, elementwise(fn, fn64, false, SIZES[name]));
    if (fn64 !== null) add(u, opcode, name, elementwise(fn, fn64, true), true);
  }
  add(0, 0b10111, "ADDP", pairwise(OPS.ADD[0], OPS.ADD[1]));
  add(0, 0b10100, "SMAXP", pairwise(OPS.SMAX[0], null));
  add(1, 0b10100, "UMAXP", pairwise(OPS.UMAX[0], null));
  add(0, 0b10101, "SMINP", pairwise(OPS.SMIN[0], null));
  add(1, 0b10101, "UMINP", pairwise(OPS.UMIN[0], null));
  add(0, 0b00011, "AND/BIC/ORR/ORN", logical);
  add(1, 0b00011, "EOR/BSL/BIT/BIF", logical);
  return out;
}

/** AdvSIMD three-same integer and logical encodings. */
export const entries: EncodingEntry[] = build();
