/**
 * AdvSIMD floating-point vector operations on 2S, 4S and 2D (Arm ARM C4.1.96
 * "Advanced SIMD three same" and "two-register miscellaneous", FP forms):
 * FADD, FSUB, FMUL, FMULX, FDIV, FMLA, FMLS (fused), FMAX, FMIN, FMAXNM, FMINNM,
 * FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP (vector and scalar), FMAXV, FMINV,
 * FMAXNMV, FMINNMV, FABD, FCMEQ, FCMGE, FCMGT, FACGE, FACGT, FABS, FNEG, FSQRT,
 * FCMEQ/FCMGE/FCMGT/FCMLE/FCMLT (zero), SCVTF, UCVTF, FCVTNS/NU, FCVTMS/MU,
 * FCVTPS/PU, FCVTZS/ZU, FCVTAS/AU, FRINTN/M/P/Z/A/X/I, FCVTL/FCVTN (and "2"
 * forms); compares, FABD and conversions also in their AdvSIMD scalar forms. Lanes are processed
 * with the scalar softfloat, so FPCR and FPSR behave exactly as for scalars.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry, Handler } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import {
  fixedToFp,
  FMT_D,
  FMT_H,
  FMT_S,
  FP_RESULT,
  fpAdd,
  fpCompare,
  fpConvert,
  fpcrRounding,
  fpDiv,
  fpMaxMin,
  fpMaxMinNum,
  fpMul,
  fpMulAdd,
  fpMulX,
  fpRoundInt,
  fpSqrt,
  fpToFixed,
  NZCV_EQUAL,
  NZCV_GREATER,
  NZCV_LESS,
  RA,
  RM,
  RN,
  RP,
  RZ,
} from "../../softfloat/mod.ts";
import { VScratch } from "./vreg.ts";

const S = new VScratch();

/** Binary operations (three same). */
const enum Bin {
  Add,
  Sub,
  Mul,
  MulX,
  Div,
  Mla,
  Mls,
  Max,
  Min,
  MaxNm,
  MinNm,
  AddP,
  MaxP,
  MinP,
  MaxNmP,
  MinNmP,
  Abd,
  CmEq,
  CmGe,
  CmGt,
  AcGe,
  AcGt,
}

/** Compute one lane of a binary op into FP_RESULT (compares produce all-ones/zero). */
function binLane(
  cpu: Cpu,
  op: Bin,
  fmt: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  dLo: number,
  dHi: number,
): void {
  const sm = fmt === FMT_D ? 0 : 0x80000000, smh = fmt === FMT_D ? 0x80000000 : 0;
  switch (op) {
    case Bin.Add:
    case Bin.AddP:
      return fpAdd(fmt, aLo, aHi, bLo, bHi, false, cpu);
    case Bin.Sub:
      return fpAdd(fmt, aLo, aHi, bLo, bHi, true, cpu);
    case Bin.Abd:
      fpAdd(fmt, aLo, aHi, bLo, bHi, true, cpu);
      FP_RESULT[0] = (FP_RESULT[0] & ~sm) >>> 0;
      FP_RESULT[1] = (FP_RESULT[1] & ~smh) >>> 0;
      return;
    case Bin.Mul:
      return fpMul(fmt, aLo, aHi, bLo, bHi, cpu);
    case Bin.MulX:
      return fpMulX(fmt, aLo, aHi, bLo, bHi, cpu);
    case Bin.Div:
      return fpDiv(fmt, aLo, aHi, bLo, bHi, cpu);
    case Bin.Mla:
      return fpMulAdd(fmt, dLo, dHi, aLo, aHi, bLo, bHi, cpu);
    case Bin.Mls:
      return fpMulAdd(fmt, dLo, dHi, (aLo ^ sm) >>> 0, (aHi ^ smh) >>> 0, bLo, bHi, cpu);
    case Bin.Max:
    case Bin.Min:
    case Bin.MaxP:
    case Bin.MinP:
      return fpMaxMin(fmt, aLo, aHi, bLo, bHi, op === Bin.Max || op === Bin.MaxP, cpu);
    case Bin.MaxNm:
    case Bin.MinNm:
    case Bin.MaxNmP:
    case Bin.MinNmP:
      return fpMaxMinNum(fmt, aLo, aHi, bLo, bHi, op === Bin.MaxNm || op === Bin.MaxNmP, cpu);
    default: {
      let r: number;
      if (op === Bin.AcGe || op === Bin.AcGt) { // compare absolute values
        aLo = (aLo & ~sm) >>> 0;
        aHi = (aHi & ~smh) >>> 0;
        bLo = (bLo & ~sm) >>> 0;
        bHi = (bHi & ~smh) >>> 0;
      }
      if (op === Bin.CmEq) r = fpCompare(fmt, aLo, aHi, bLo, bHi, false, cpu);
      else r = fpCompare(fmt, aLo, aHi, bLo, bHi, true, cpu);
      const t = op === Bin.CmEq
        ? r === NZCV_EQUAL
        : op === Bin.CmGt || op === Bin.AcGt
        ? r === NZCV_GREATER
        : r === NZCV_EQUAL || r === NZCV_GREATER;
      FP_RESULT[0] = FP_RESULT[1] = t ? 0xffffffff : 0;
    }
  }
}

function binary(op: Bin, scalar: boolean): Handler {
  return (cpu: Cpu, insn: number): void => {
    const q = !scalar && (insn & (1 << 30)) !== 0, dbl = (insn & (1 << 22)) !== 0;
    if (dbl && !q && !scalar) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31, d = insn & 31, v = cpu.v, w = S.w;
    const fmt = dbl ? FMT_D : FMT_S;
    const lanes = scalar ? 1 : dbl ? 2 : q ? 4 : 2;
    const step = dbl ? 2 : 1;
    for (let i = 0; i < lanes; i++) {
      let a: number, b: number; // word offsets of the operands
      if (op >= Bin.AddP && op <= Bin.MinNmP) { // pairs of Vn:Vm
        const src = i < lanes / 2 ? n : m, j = (i < lanes / 2 ? i : i - lanes / 2) * 2;
        a = src * 4 + j * step;
        b = a + step;
      } else {
        a = n * 4 + i * step;
        b = m * 4 + i * step;
      }
      const dw = d * 4 + i * step;
      binLane(
        cpu,
        op,
        fmt,
        v[a],
        dbl ? v[a + 1] : 0,
        v[b],
        dbl ? v[b + 1] : 0,
        v[dw],
        dbl ? v[dw + 1] : 0,
      );
      w[i * step] = FP_RESULT[0];
      if (dbl) w[i * step + 1] = FP_RESULT[1];
    }
    if (scalar) {
      if (!dbl) w[1] = 0;
      w[2] = w[3] = 0;
    }
    S.commit(cpu, d, q);
  };
}

/** Unary operations (two-register misc). */
const enum Un {
  Abs,
  Neg,
  Sqrt,
  SCvtF,
  UCvtF,
  CvtS, // FCVT*S with a fixed rounding mode
  CvtU,
  Rint, // FRINT* with a fixed mode (or FPCR's, rmode -1)
  RintX,
  CmGt0,
  CmGe0,
  CmEq0,
  CmLe0,
  CmLt0,
}

function unary(op: Un, rmode: number, scalar: boolean): Handler {
  return (cpu: Cpu, insn: number): void => {
    const q = !scalar && (insn & (1 << 30)) !== 0, dbl = (insn & (1 << 22)) !== 0;
    if (dbl && !q && !scalar) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v, w = S.w;
    const fmt = dbl ? FMT_D : FMT_S;
    const sm = dbl ? 0 : 0x80000000, smh = dbl ? 0x80000000 : 0;
    const lanes = scalar ? 1 : dbl ? 2 : q ? 4 : 2, step = dbl ? 2 : 1;
    const r = rmode < 0 ? fpcrRounding(cpu.fpcr) : rmode;
    for (let i = 0; i < lanes; i++) {
      const lo = v[n * 4 + i * step], hi = dbl ? v[n * 4 + i * step + 1] : 0;
      switch (op) {
        case Un.Abs:
          FP_RESULT[0] = (lo & ~sm) >>> 0;
          FP_RESULT[1] = (hi & ~smh) >>> 0;
          break;
        case Un.Neg:
          FP_RESULT[0] = (lo ^ sm) >>> 0;
          FP_RESULT[1] = (hi ^ smh) >>> 0;
          break;
        case Un.Sqrt:
          fpSqrt(fmt, lo, hi, cpu);
          break;
        case Un.SCvtF:
        case Un.UCvtF:
          fixedToFp(fmt, lo, hi, dbl, op === Un.UCvtF, 0, fpcrRounding(cpu.fpcr), cpu);
          break;
        case Un.CvtS:
        case Un.CvtU:
          fpToFixed(fmt, lo, hi, 0, op === Un.CvtU, dbl, r, cpu);
          break;
        case Un.Rint:
        case Un.RintX:
          fpRoundInt(fmt, lo, hi, r, op === Un.RintX, cpu);
          break;
        default: {
          const c = fpCompare(fmt, lo, hi, 0, 0, op !== Un.CmEq0, cpu);
          const t = op === Un.CmEq0
            ? c === NZCV_EQUAL
            : op === Un.CmGt0
            ? c === NZCV_GREATER
            : op === Un.CmGe0
            ? c === NZCV_GREATER || c === NZCV_EQUAL
            : op === Un.CmLe0
            ? c === NZCV_LESS || c === NZCV_EQUAL
            : c === NZCV_LESS;
          FP_RESULT[0] = FP_RESULT[1] = t ? 0xffffffff : 0;
        }
      }
      w[i * step] = FP_RESULT[0];
      if (dbl) w[i * step + 1] = FP_RESULT[1];
    }
    if (scalar) {
      if (!dbl) w[1] = 0;
      w[2] = w[3] = 0;
    }
    S.commit(cpu, d, q);
  };
}

/** Binary operations that also have an AdvSIMD scalar form (compares and FABD). */
const SCALAR_BIN = new Set([Bin.MulX, Bin.CmEq, Bin.CmGe, Bin.CmGt, Bin.AcGe, Bin.AcGt, Bin.Abd]);
/** Unary operations that also have an AdvSIMD scalar form (conversions and compares with zero). */
const SCALAR_UN = new Set([
  Un.SCvtF,
  Un.UCvtF,
  Un.CvtS,
  Un.CvtU,
  Un.CmGt0,
  Un.CmGe0,
  Un.CmEq0,
  Un.CmLe0,
  Un.CmLt0,
]);

/**
 * FCVTL/FCVTL2 (`lengthen`): the low (Q = 0) or high (Q = 1) half of Vn's
 * narrow lanes to wide lanes; FCVTN/FCVTN2: wide lanes to the low half of
 * Vd (upper zeroed) or its high half (low kept). sz = 0: half <-> single,
 * sz = 1: single <-> double.
 */
function convertLength(lengthen: boolean): Handler {
  return (cpu: Cpu, insn: number): void => {
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0, dbl = (insn & (1 << 22)) !== 0;
    const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v, w = S.w;
    const narrow = dbl ? FMT_S : FMT_H, wide = dbl ? FMT_D : FMT_S;
    const lanes = dbl ? 2 : 4;
    if (lengthen) {
      for (let i = 0; i < lanes; i++) {
        const j = (q ? lanes : 0) + i;
        const lo = dbl ? v[n * 4 + j] : cpu.vh[n * 8 + j];
        fpConvert(narrow, wide, lo, 0, cpu);
        if (dbl) {
          w[2 * i] = FP_RESULT[0];
          w[2 * i + 1] = FP_RESULT[1];
        } else w[i] = FP_RESULT[0];
      }
      S.commit(cpu, d, true);
      return;
    }
    w[0] = v[d * 4];
    w[1] = v[d * 4 + 1];
    for (let i = 0; i < lanes; i++) {
      const lo = dbl ? v[n * 4 + 2 * i] : v[n * 4 + i], hi = dbl ? v[n * 4 + 2 * i + 1] : 0;
      fpConvert(wide, narrow, lo, hi, cpu);
      const j = (q ? lanes : 0) + i;
      if (dbl) w[j] = FP_RESULT[0];
      else S.h[j] = FP_RESULT[0];
    }
    if (!q) w[2] = w[3] = 0;
    S.commit(cpu, d, true);
  };
}

/**
 * FADDP/FMAXP/FMINP/FMAXNMP/FMINNMP (scalar): combine the two lanes of the
 * low 64 bits (sz = 0, two singles) or of the 128 bits (sz = 1, two doubles).
 */
function pairScalar(op: Bin): Handler {
  return (cpu: Cpu, insn: number): void => {
    checkFpAccess(cpu);
    const dbl = (insn & (1 << 22)) !== 0;
    const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v, w = S.w;
    if (dbl) binLane(cpu, op, FMT_D, v[n * 4], v[n * 4 + 1], v[n * 4 + 2], v[n * 4 + 3], 0, 0);
    else binLane(cpu, op, FMT_S, v[n * 4], 0, v[n * 4 + 1], 0, 0, 0);
    w[0] = FP_RESULT[0];
    w[1] = dbl ? FP_RESULT[1] : 0;
    w[2] = w[3] = 0;
    S.commit(cpu, d, false);
  };
}

/**
 * FMAXV/FMINV/FMAXNMV/FMINNMV (4S only): the Arm ARM's Reduce(), which
 * combines halves recursively: op(op(e0, e1), op(e2, e3)).
 */
function acrossFp(op: Bin): Handler {
  return (cpu: Cpu, insn: number): void => {
    const q = (insn & (1 << 30)) !== 0, dbl = (insn & (1 << 22)) !== 0;
    if (!q || dbl) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v, w = S.w;
    binLane(cpu, op, FMT_S, v[n * 4], 0, v[n * 4 + 1], 0, 0, 0);
    const lo = FP_RESULT[0];
    binLane(cpu, op, FMT_S, v[n * 4 + 2], 0, v[n * 4 + 3], 0, 0, 0);
    binLane(cpu, op, FMT_S, lo, 0, FP_RESULT[0], 0, 0, 0);
    w[0] = FP_RESULT[0];
    w[1] = w[2] = w[3] = 0;
    S.commit(cpu, d, false);
  };
}

function build(): EncodingEntry[] {
  const out: EncodingEntry[] = [];
  const three: [number, number, string, Bin, string][] = [
    [0, 0, "11010", Bin.Add, "FADD"],
    [0, 1, "11010", Bin.Sub, "FSUB"],
    [1, 0, "11011", Bin.Mul, "FMUL"],
    [0, 0, "11011", Bin.MulX, "FMULX"],
    [1, 0, "11111", Bin.Div, "FDIV"],
    [0, 0, "11001", Bin.Mla, "FMLA"],
    [0, 1, "11001", Bin.Mls, "FMLS"],
    [0, 0, "11110", Bin.Max, "FMAX"],
    [0, 1, "11110", Bin.Min, "FMIN"],
    [0, 0, "11000", Bin.MaxNm, "FMAXNM"],
    [0, 1, "11000", Bin.MinNm, "FMINNM"],
    [1, 0, "11010", Bin.AddP, "FADDP"],
    [1, 0, "11110", Bin.MaxP, "FMAXP"],
    [1, 1, "11110", Bin.MinP, "FMINP"],
    [1, 0, "11000", Bin.MaxNmP, "FMAXNMP"],
    [1, 1, "11000", Bin.MinNmP, "FMINNMP"],
    [1, 1, "11010", Bin.Abd, "FABD"],
    [0, 0, "11100", Bin.CmEq, "FCMEQ"],
    [1, 0, "11100", Bin.CmGe, "FCMGE"],
    [1, 1, "11100", Bin.CmGt, "FCMGT"],
    [1, 0, "11101", Bin.AcGe, "FACGE"],
    [1, 1, "11101", Bin.AcGt, "FACGT"],
  ];
  for (const [u, a, opcode, op, name] of three) {
    out.push({
      pattern: `0x ${u} 01110 ${a}x 1 xxxxx ${opcode} 1 xxxxx xxxxx`,
      name: name + " (vector)",
      exec: binary(op, false),
    });
    if (SCALAR_BIN.has(op)) {
      out.push({
        pattern: `01 ${u} 11110 ${a}x 1 xxxxx ${opcode} 1 xxxxx xxxxx`,
        name: name + " (scalar)",
        exec: binary(op, true),
      });
    }
  }
  const two: [number, number, string, Un, number, string][] = [
    [0, 1, "01111", Un.Abs, 0, "FABS"],
    [1, 1, "01111", Un.Neg, 0, "FNEG"],
    [1, 1, "11111", Un.Sqrt, 0, "FSQRT"],
    [0, 0, "11101", Un.SCvtF, 0, "SCVTF"],
    [1, 0, "11101", Un.UCvtF, 0, "UCVTF"],
    [0, 0, "11010", Un.CvtS, RN, "FCVTNS"],
    [1, 0, "11010", Un.CvtU, RN, "FCVTNU"],
    [0, 0, "11011", Un.CvtS, RM, "FCVTMS"],
    [1, 0, "11011", Un.CvtU, RM, "FCVTMU"],
    [0, 1, "11010", Un.CvtS, RP, "FCVTPS"],
    [1, 1, "11010", Un.CvtU, RP, "FCVTPU"],
    [0, 1, "11011", Un.CvtS, RZ, "FCVTZS"],
    [1, 1, "11011", Un.CvtU, RZ, "FCVTZU"],
    [0, 0, "11100", Un.CvtS, RA, "FCVTAS"],
    [1, 0, "11100", Un.CvtU, RA, "FCVTAU"],
    [0, 0, "11000", Un.Rint, RN, "FRINTN"],
    [0, 0, "11001", Un.Rint, RM, "FRINTM"],
    [0, 1, "11000", Un.Rint, RP, "FRINTP"],
    [0, 1, "11001", Un.Rint, RZ, "FRINTZ"],
    [1, 0, "11000", Un.Rint, RA, "FRINTA"],
    [1, 0, "11001", Un.RintX, -1, "FRINTX"],
    [1, 1, "11001", Un.Rint, -1, "FRINTI"],
    [0, 1, "01100", Un.CmGt0, 0, "FCMGT (zero)"],
    [1, 1, "01100", Un.CmGe0, 0, "FCMGE (zero)"],
    [0, 1, "01101", Un.CmEq0, 0, "FCMEQ (zero)"],
    [1, 1, "01101", Un.CmLe0, 0, "FCMLE (zero)"],
    [0, 1, "01110", Un.CmLt0, 0, "FCMLT (zero)"],
  ];
  for (const [u, a, opcode, op, rmode, name] of two) {
    out.push({
      pattern: `0x ${u} 01110 ${a}x 10000 ${opcode} 10 xxxxx xxxxx`,
      name: name + " (vector)",
      exec: unary(op, rmode, false),
    });
    if (SCALAR_UN.has(op)) {
      out.push({
        pattern: `01 ${u} 11110 ${a}x 10000 ${opcode} 10 xxxxx xxxxx`,
        name: name + " (scalar)",
        exec: unary(op, rmode, true),
      });
    }
  }
  const pairs: [number, string, Bin, string][] = [
    [0, "01101", Bin.AddP, "FADDP"],
    [0, "01111", Bin.MaxP, "FMAXP"],
    [1, "01111", Bin.MinP, "FMINP"],
    [0, "01100", Bin.MaxNmP, "FMAXNMP"],
    [1, "01100", Bin.MinNmP, "FMINNMP"],
  ];
  for (const [a, opcode, op, name] of pairs) {
    out.push({
      pattern: `01 1 11110 ${a}x 11000 ${opcode} 10 xxxxx xxxxx`,
      name: name + " (scalar)",
      exec: pairScalar(op),
    });
  }
  const across: [number, string, Bin, string][] = [
    [0, "01111", Bin.Max, "FMAXV"],
    [1, "01111", Bin.Min, "FMINV"],
    [0, "01100", Bin.MaxNm, "FMAXNMV"],
    [1, "01100", Bin.MinNm, "FMINNMV"],
  ];
  for (const [a, opcode, op, name] of across) {
    out.push({
      pattern: `0x 1 01110 ${a}x 11000 ${opcode} 10 xxxxx xxxxx`,
      name,
      exec: acrossFp(op),
    });
  }
  out.push({
    pattern: "0x 0 01110 0x 10000 10111 10 xxxxx xxxxx",
    name: "FCVTL/FCVTL2",
    exec: convertLength(true),
  });
  out.push({
    pattern: "0x 0 01110 0x 10000 10110 10 xxxxx xxxxx",
    name: "FCVTN/FCVTN2",
    exec: convertLength(false),
  });
  return out;
}

/** AdvSIMD floating-point vector encodings. */
export const entries: EncodingEntry[] = build();
