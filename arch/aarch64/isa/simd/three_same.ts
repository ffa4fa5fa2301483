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

/** One 64-bit lane (lo/hi halves): result to R64. */
type Lane64Fn = (cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number) => void;

const S = new VScratch();

/**
 * Lane operations on lanes of <= 32 bits. They are evaluated by a switch
 * inside the lane loop (not through per-operation closures), so a lane costs
 * no call and no boxed number.
 */
const enum L {
  Add,
  Sub,
  Mul,
  Mla,
  Mls,
  CmEq,
  CmHi,
  CmHs,
  CmGt,
  CmGe,
  CmTst,
  UMax,
  UMin,
  SMax,
  SMin,
  UAbd,
  SAbd,
  UAba,
  SAba,
  UHAdd,
  SHAdd,
  URHAdd,
  SRHAdd,
  UHSub,
  SHSub,
  UQAdd,
  UQSub,
  SQAdd,
  SQSub,
  UShl,
  SShl,
  URShl,
  SRShl,
  UQShl,
  SQShl,
  UQRShl,
  SQRShl,
  SQDMulH,
  SQRDMulH,
  PMul,
}

/**
 * Byte lanes of the operations string and memory routines use most, on the
 * byte views directly. Returns false for other operations.
 */
function bytesFast(cpu: Cpu, op: L, n: number, m: number, lanes: number): boolean {
  const vb = cpu.vb, out = S.b, nb = n << 4, mb = m << 4;
  switch (op) {
    case L.CmEq:
      for (let i = 0; i < lanes; i++) out[i] = vb[nb + i] === vb[mb + i] ? 0xff : 0;
      return true;
    case L.CmHi:
      for (let i = 0; i < lanes; i++) out[i] = vb[nb + i] > vb[mb + i] ? 0xff : 0;
      return true;
    case L.CmHs:
      for (let i = 0; i < lanes; i++) out[i] = vb[nb + i] >= vb[mb + i] ? 0xff : 0;
      return true;
    case L.CmTst:
      for (let i = 0; i < lanes; i++) out[i] = (vb[nb + i] & vb[mb + i]) !== 0 ? 0xff : 0;
      return true;
    case L.Add:
      for (let i = 0; i < lanes; i++) out[i] = vb[nb + i] + vb[mb + i];
      return true;
    case L.Sub:
      for (let i = 0; i < lanes; i++) out[i] = vb[nb + i] - vb[mb + i];
      return true;
    case L.UMax:
      for (let i = 0; i < lanes; i++) {
        const a = vb[nb + i], b = vb[mb + i];
        out[i] = a > b ? a : b;
      }
      return true;
    case L.UMin:
      for (let i = 0; i < lanes; i++) {
        const a = vb[nb + i], b = vb[mb + i];
        out[i] = a < b ? a : b;
      }
      return true;
    default:
      return false;
  }
}

/**
 * Apply `op` to every lane: `lanes` lanes of `e` (8, 16, 32) bits of Vn and
 * Vm (and the old Vd lane, for accumulating forms) into the scratch vector.
 * One tight loop per operation: no call and no boxed number per lane.
 */
function applyLanes(
  cpu: Cpu,
  op: L,
  n: number,
  m: number,
  dd: number,
  e: number,
  lanes: number,
): void {
  const mask = laneMask(e);
  switch (op) {
    case L.Add:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (a + b) & mask);
      }
      return;
    case L.Sub:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (a - b) & mask);
      }
      return;
    case L.Mul:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (Math.imul(a, b)) & mask);
      }
      return;
    case L.Mla:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e), d = elem(cpu, dd, i, e);
        setSElem(S, i, e, (d + Math.imul(a, b)) & mask);
      }
      return;
    case L.Mls:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e), d = elem(cpu, dd, i, e);
        setSElem(S, i, e, (d - Math.imul(a, b)) & mask);
      }
      return;
    case L.CmEq:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (a === b ? 0xffffffff : 0) & mask);
      }
      return;
    case L.CmHi:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (a > b ? 0xffffffff : 0) & mask);
      }
      return;
    case L.CmHs:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (a >= b ? 0xffffffff : 0) & mask);
      }
      return;
    case L.CmGt:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (sx(a, e) > sx(b, e) ? 0xffffffff : 0) & mask);
      }
      return;
    case L.CmGe:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (sx(a, e) >= sx(b, e) ? 0xffffffff : 0) & mask);
      }
      return;
    case L.CmTst:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, ((a & b) !== 0 ? 0xffffffff : 0) & mask);
      }
      return;
    case L.UMax:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (a > b ? a : b) & mask);
      }
      return;
    case L.UMin:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (a < b ? a : b) & mask);
      }
      return;
    case L.SMax:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (sx(a, e) > sx(b, e) ? a : b) & mask);
      }
      return;
    case L.SMin:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (sx(a, e) < sx(b, e) ? a : b) & mask);
      }
      return;
    case L.UAbd:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (a > b ? a - b : b - a) & mask);
      }
      return;
    case L.SAbd:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (Math.abs(sx(a, e) - sx(b, e))) & mask);
      }
      return;
    case L.UAba:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e), d = elem(cpu, dd, i, e);
        setSElem(S, i, e, (d + (a > b ? a - b : b - a)) & mask);
      }
      return;
    case L.SAba:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e), d = elem(cpu, dd, i, e);
        setSElem(S, i, e, (d + Math.abs(sx(a, e) - sx(b, e))) & mask);
      }
      return;
    case L.UHAdd:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (Math.floor((a + b) / 2)) & mask);
      }
      return;
    case L.SHAdd:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (Math.floor((sx(a, e) + sx(b, e)) / 2)) & mask);
      }
      return;
    case L.URHAdd:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (Math.floor((a + b + 1) / 2)) & mask);
      }
      return;
    case L.SRHAdd:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (Math.floor((sx(a, e) + sx(b, e) + 1) / 2)) & mask);
      }
      return;
    case L.UHSub:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (Math.floor((a - b) / 2)) & mask);
      }
      return;
    case L.SHSub:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (Math.floor((sx(a, e) - sx(b, e)) / 2)) & mask);
      }
      return;
    case L.UQAdd:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (satU(cpu, a + b, e)) & mask);
      }
      return;
    case L.UQSub:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (satU(cpu, a - b, e)) & mask);
      }
      return;
    case L.SQAdd:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (satS(cpu, sx(a, e) + sx(b, e), e)) & mask);
      }
      return;
    case L.SQSub:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (satS(cpu, sx(a, e) - sx(b, e), e)) & mask);
      }
      return;
    case L.UShl:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (shiftByReg(a, b, e, false)) & mask);
      }
      return;
    case L.SShl:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (shiftByReg(a, b, e, true)) & mask);
      }
      return;
    case L.URShl:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (roundingShift(a, b, e)) & mask);
      }
      return;
    case L.SRShl:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (roundingShift(sx(a, e), b, e)) & mask);
      }
      return;
    case L.UQShl:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (satU(cpu, saturatingShift(a, b, false), e)) & mask);
      }
      return;
    case L.SQShl:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (satS(cpu, saturatingShift(sx(a, e), b, false), e)) & mask);
      }
      return;
    case L.UQRShl:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (satU(cpu, saturatingShift(a, b, true), e)) & mask);
      }
      return;
    case L.SQRShl:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (satS(cpu, saturatingShift(sx(a, e), b, true), e)) & mask);
      }
      return;
    case L.SQDMulH:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (doublingMulHigh(cpu, a, b, e, false)) & mask);
      }
      return;
    case L.SQRDMulH:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (doublingMulHigh(cpu, a, b, e, true)) & mask);
      }
      return;
    default:
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, e), b = elem(cpu, m, i, e);
        setSElem(S, i, e, (polyMul8(a, b)) & mask);
      }
      return;
  }
}

/** Operations by name: the lane operation and the 64-bit lane form (null: no D lanes). */
const OPS: Record<string, [L, Lane64Fn | null]> = {
  ADD: [L.Add, (_c, al, ah, bl, bh) => add64(al, ah, bl, bh)],
  SUB: [L.Sub, (_c, al, ah, bl, bh) => sub64(al, ah, bl, bh)],
  MUL: [L.Mul, null],
  MLA: [L.Mla, null],
  MLS: [L.Mls, null],
  CMEQ: [L.CmEq, (_c, al, ah, bl, bh) => set64(cmpU64(al, ah, bl, bh) === 0)],
  CMHI: [L.CmHi, (_c, al, ah, bl, bh) => set64(cmpU64(al, ah, bl, bh) > 0)],
  CMHS: [L.CmHs, (_c, al, ah, bl, bh) => set64(cmpU64(al, ah, bl, bh) >= 0)],
  CMGT: [L.CmGt, (_c, al, ah, bl, bh) => set64(cmpS64(al, ah, bl, bh) > 0)],
  CMGE: [L.CmGe, (_c, al, ah, bl, bh) => set64(cmpS64(al, ah, bl, bh) >= 0)],
  CMTST: [L.CmTst, (_c, al, ah, bl, bh) => set64(((al & bl) | (ah & bh)) !== 0)],
  UMAX: [L.UMax, null],
  UMIN: [L.UMin, null],
  SMAX: [L.SMax, null],
  SMIN: [L.SMin, null],
  UABD: [L.UAbd, null],
  SABD: [L.SAbd, null],
  UABA: [L.UAba, null],
  SABA: [L.SAba, null],
  UHADD: [L.UHAdd, null],
  SHADD: [L.SHAdd, null],
  URHADD: [L.URHAdd, null],
  SRHADD: [L.SRHAdd, null],
  UHSUB: [L.UHSub, null],
  SHSUB: [L.SHSub, null],
  UQADD: [L.UQAdd, uqadd64],
  UQSUB: [L.UQSub, uqsub64],
  SQADD: [L.SQAdd, (c, al, ah, bl, bh) => sq64(c, al, ah, bl, bh, false)],
  SQSUB: [L.SQSub, (c, al, ah, bl, bh) => sq64(c, al, ah, bl, bh, true)],
  USHL: [L.UShl, (_c, al, ah, bl) => shiftByReg64(al, ah, bl, false)],
  SSHL: [L.SShl, (_c, al, ah, bl) => shiftByReg64(al, ah, bl, true)],
  URSHL: [L.URShl, (_c, al, ah, bl) => roundingShift64(al, ah, bl, false)],
  SRSHL: [L.SRShl, (_c, al, ah, bl) => roundingShift64(al, ah, bl, true)],
  UQSHL: [L.UQShl, null],
  SQSHL: [L.SQShl, null],
  UQRSHL: [L.UQRShl, null],
  SQRSHL: [L.SQRShl, null],
  SQDMULH: [L.SQDMulH, null],
  SQRDMULH: [L.SQRDMulH, null],
  PMUL: [L.PMul, null],
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
function roundingShift(x: number, b: number, esize: number): number {
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
function elementwise(op: L, fn64: Lane64Fn | null, scalar: boolean, sizes = 0b0111): Handler {
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
    const lanes = (q ? 16 : 8) >>> size;
    if (size !== 0 || !bytesFast(cpu, op, n, m, lanes)) {
      applyLanes(cpu, op, n, m, d, 8 << size, lanes);
    }
    S.commit(cpu, d, q);
  };
}

/** Combine adjacent lane pairs of V[src] into `count` scratch lanes from `at` (ADDP, [SU]MAXP, [SU]MINP). */
function pairLanes(cpu: Cpu, op: L, src: number, at: number, e: number, count: number): void {
  if (e === 8 && (op === L.UMax || op === L.UMin || op === L.Add)) {
    const vb = cpu.vb, out = S.b, sb = src << 4;
    for (let i = 0; i < count; i++) {
      const a = vb[sb + 2 * i], b = vb[sb + 2 * i + 1];
      out[at + i] = op === L.Add ? a + b : op === L.UMax ? (a > b ? a : b) : (a < b ? a : b);
    }
    return;
  }
  const mask = laneMask(e);
  for (let i = 0; i < count; i++) {
    const a = elem(cpu, src, 2 * i, e), b = elem(cpu, src, 2 * i + 1, e);
    let r: number;
    if (op === L.Add) r = a + b;
    else if (op === L.UMax) r = a > b ? a : b;
    else if (op === L.UMin) r = a < b ? a : b;
    else if (op === L.SMax) r = sx(a, e) > sx(b, e) ? a : b;
    else r = sx(a, e) < sx(b, e) ? a : b;
    setSElem(S, at + i, e, r & mask);
  }
}

/** Pairwise operation: lanes of Vn:Vm concatenated, adjacent pairs combined. */
function pairwise(op: L, fn64: Lane64Fn | null): Handler {
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
    const esize = 8 << size, lanes = (q ? 16 : 8) >>> size, half = lanes >>> 1;
    // Pairs of Vn fill the low half of the result, pairs of Vm the high half.
    pairLanes(cpu, op, n, 0, esize, half);
    pairLanes(cpu, op, m, half, esize, half);
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
