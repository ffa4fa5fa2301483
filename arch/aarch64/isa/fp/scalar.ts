/**
 * Scalar floating-point data processing (Arm ARM C4.1.96, "Floating-point
 * data-processing (1 source)", "(2 source)", "(3 source)", "Floating-point
 * compare", "conditional compare", "conditional select", "immediate"), for
 * single and double precision (ftype 00 / 01), plus FCVT to and from half
 * precision (ftype 11 sources). Half-precision arithmetic (FEAT_FP16) is not
 * implemented: those encodings stay unallocated.
 *
 * Every handler checks the CPACR_EL1.FPEN trap first.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import { conditionHolds } from "../../cpu/condition.ts";
import type { EncodingEntry, Handler } from "../../decode/entry.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import {
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
  fpRoundInt,
  fpSqrt,
  RA,
  RM,
  RN,
  RP,
  RZ,
} from "../../softfloat/mod.ts";
import { fpHi, fpLo, writeFp } from "../simd/vreg.ts";
import { expandedHi, expandImmD, expandImmS } from "./expand_imm.ts";

/** The ftype bits of a pattern for a format. */
function ftypeBits(fmt: number): string {
  return fmt === FMT_S ? "00" : fmt === FMT_D ? "01" : "11";
}

/** Sign bit mask of the high word (double) or the word (single). */
function signMask(fmt: number): number {
  return fmt === FMT_H ? 0x8000 : 0x80000000;
}

// --- 2 source ------------------------------------------------------------------

/** Operation codes of "Floating-point data-processing (2 source)" (bits 15:12). */
const OP2 = ["FMUL", "FDIV", "FADD", "FSUB", "FMAX", "FMIN", "FMAXNM", "FMINNM", "FNMUL"];

function twoSource(fmt: number, opcode: number): Handler {
  return (cpu: Cpu, insn: number): void => {
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31;
    const aLo = fpLo(cpu, fmt, n), aHi = fpHi(cpu, fmt, n);
    const bLo = fpLo(cpu, fmt, m), bHi = fpHi(cpu, fmt, m);
    switch (opcode) {
      case 0:
      case 8:
        fpMul(fmt, aLo, aHi, bLo, bHi, cpu);
        break;
      case 1:
        fpDiv(fmt, aLo, aHi, bLo, bHi, cpu);
        break;
      case 2:
        fpAdd(fmt, aLo, aHi, bLo, bHi, false, cpu);
        break;
      case 3:
        fpAdd(fmt, aLo, aHi, bLo, bHi, true, cpu);
        break;
      case 4:
      case 5:
        fpMaxMin(fmt, aLo, aHi, bLo, bHi, opcode === 4, cpu);
        break;
      default:
        fpMaxMinNum(fmt, aLo, aHi, bLo, bHi, opcode === 6, cpu);
    }
    let lo = FP_RESULT[0], hi = FP_RESULT[1];
    if (opcode === 8) { // FNMUL: FPNeg of the product (NaNs included)
      if (fmt === FMT_D) hi = (hi ^ 0x80000000) >>> 0;
      else lo = (lo ^ 0x80000000) >>> 0;
    }
    writeFp(cpu, fmt, insn & 31, lo, hi);
  };
}

// --- 3 source ------------------------------------------------------------------

/** FMADD (o1:o0 = 00), FMSUB (01), FNMADD (10), FNMSUB (11): Ra + (±Rn) * Rm, Ra negated for FN*. */
function threeSource(fmt: number, o1: number, o0: number): Handler {
  const sm = signMask(fmt);
  return (cpu: Cpu, insn: number): void => {
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31, a = (insn >>> 10) & 31;
    let aLo = fpLo(cpu, fmt, a), aHi = fpHi(cpu, fmt, a);
    let nLo = fpLo(cpu, fmt, n), nHi = fpHi(cpu, fmt, n);
    if (o1) { // operanda = FPNeg(operanda)
      if (fmt === FMT_D) aHi = (aHi ^ sm) >>> 0;
      else aLo = (aLo ^ sm) >>> 0;
    }
    if (o1 !== o0) { // operand1 = FPNeg(operand1) for FMSUB and FNMADD
      if (fmt === FMT_D) nHi = (nHi ^ sm) >>> 0;
      else nLo = (nLo ^ sm) >>> 0;
    }
    fpMulAdd(fmt, aLo, aHi, nLo, nHi, fpLo(cpu, fmt, m), fpHi(cpu, fmt, m), cpu);
    writeFp(cpu, fmt, insn & 31, FP_RESULT[0], FP_RESULT[1]);
  };
}

// --- 1 source ------------------------------------------------------------------

function fmovReg(fmt: number): Handler {
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31;
    writeFp(cpu, fmt, insn & 31, fpLo(cpu, fmt, n), fpHi(cpu, fmt, n));
  };
}

/** FABS (`neg` false) clears, FNEG flips the sign bit; no FP exceptions. */
function signOp(fmt: number, neg: boolean): Handler {
  const sm = signMask(fmt);
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31;
    let lo = fpLo(cpu, fmt, n), hi = fpHi(cpu, fmt, n);
    if (fmt === FMT_D) hi = (neg ? hi ^ sm : hi & ~sm) >>> 0;
    else lo = (neg ? lo ^ sm : lo & ~sm) >>> 0;
    writeFp(cpu, fmt, insn & 31, lo, hi);
  };
}

function fsqrt(fmt: number): Handler {
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31;
    fpSqrt(fmt, fpLo(cpu, fmt, n), fpHi(cpu, fmt, n), cpu);
    writeFp(cpu, fmt, insn & 31, FP_RESULT[0], FP_RESULT[1]);
  };
}

function fcvt(from: number, to: number): Handler {
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31;
    fpConvert(from, to, fpLo(cpu, from, n), fpHi(cpu, from, n), cpu);
    writeFp(cpu, to, insn & 31, FP_RESULT[0], FP_RESULT[1]);
  };
}

/** FRINT<N,P,M,Z,A,X,I>: `rmode` -1 means FPCR's mode. */
function frint(fmt: number, rmode: number, exact: boolean): Handler {
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31;
    const r = rmode < 0 ? fpcrRounding(cpu.fpcr) : rmode;
    fpRoundInt(fmt, fpLo(cpu, fmt, n), fpHi(cpu, fmt, n), r, exact, cpu);
    writeFp(cpu, fmt, insn & 31, FP_RESULT[0], FP_RESULT[1]);
  };
}

// --- compare, conditional compare, conditional select ----------------------------

function fcmp(fmt: number, withZero: boolean, signal: boolean): Handler {
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31;
    const bLo = withZero ? 0 : fpLo(cpu, fmt, m), bHi = withZero ? 0 : fpHi(cpu, fmt, m);
    cpu.nzcv = fpCompare(fmt, fpLo(cpu, fmt, n), fpHi(cpu, fmt, n), bLo, bHi, signal, cpu) >>> 0;
  };
}

function fccmp(fmt: number, signal: boolean): Handler {
  return (cpu, insn) => {
    checkFpAccess(cpu);
    if (conditionHolds((insn >>> 12) & 15, cpu.nzcv)) {
      const n = (insn >>> 5) & 31, m = (insn >>> 16) & 31;
      cpu.nzcv = fpCompare(
        fmt,
        fpLo(cpu, fmt, n),
        fpHi(cpu, fmt, n),
        fpLo(cpu, fmt, m),
        fpHi(cpu, fmt, m),
        signal,
        cpu,
      ) >>> 0;
    } else cpu.nzcv = ((insn & 15) << 28) >>> 0;
  };
}

function fcsel(fmt: number): Handler {
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const s = conditionHolds((insn >>> 12) & 15, cpu.nzcv) ? (insn >>> 5) & 31 : (insn >>> 16) & 31;
    writeFp(cpu, fmt, insn & 31, fpLo(cpu, fmt, s), fpHi(cpu, fmt, s));
  };
}

function fmovImm(fmt: number): Handler {
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const imm8 = (insn >>> 13) & 0xff;
    if (fmt === FMT_D) writeFp(cpu, fmt, insn & 31, expandImmD(imm8), expandedHi());
    else writeFp(cpu, fmt, insn & 31, expandImmS(imm8), 0);
  };
}

// --- the table ------------------------------------------------------------------

function build(): EncodingEntry[] {
  const out: EncodingEntry[] = [];
  const bin = (v: number, w: number) => v.toString(2).padStart(w, "0");
  for (const fmt of [FMT_S, FMT_D]) {
    const t = ftypeBits(fmt);
    const sfx = fmt === FMT_S ? " (single)" : " (double)";
    for (let op = 0; op < OP2.length; op++) {
      out.push({
        pattern: `000 11110 ${t} 1 xxxxx ${bin(op, 4)} 10 xxxxx xxxxx`,
        name: OP2[op] + " (scalar)" + sfx,
        exec: twoSource(fmt, op),
      });
    }
    const names3 = ["FMADD", "FMSUB", "FNMADD", "FNMSUB"];
    for (let k = 0; k < 4; k++) {
      out.push({
        pattern: `000 11111 ${t} ${k >> 1} xxxxx ${k & 1} xxxxx xxxxx xxxxx`,
        name: names3[k] + sfx,
        exec: threeSource(fmt, k >> 1, k & 1),
      });
    }
    const one = (opcode: number, name: string, exec: Handler) =>
      out.push({
        pattern: `000 11110 ${t} 1 ${bin(opcode, 6)} 10000 xxxxx xxxxx`,
        name: name + sfx,
        exec,
      });
    one(0b000000, "FMOV (register)", fmovReg(fmt));
    one(0b000001, "FABS (scalar)", signOp(fmt, false));
    one(0b000010, "FNEG (scalar)", signOp(fmt, true));
    one(0b000011, "FSQRT (scalar)", fsqrt(fmt));
    one(fmt === FMT_S ? 0b000101 : 0b000100, "FCVT", fcvt(fmt, fmt === FMT_S ? FMT_D : FMT_S));
    one(0b000111, "FCVT (to half)", fcvt(fmt, FMT_H));
    one(0b001000, "FRINTN", frint(fmt, RN, false));
    one(0b001001, "FRINTP", frint(fmt, RP, false));
    one(0b001010, "FRINTM", frint(fmt, RM, false));
    one(0b001011, "FRINTZ", frint(fmt, RZ, false));
    one(0b001100, "FRINTA", frint(fmt, RA, false));
    one(0b001110, "FRINTX", frint(fmt, -1, true));
    one(0b001111, "FRINTI", frint(fmt, -1, false));
    for (let e = 0; e < 2; e++) {
      for (let z = 0; z < 2; z++) {
        out.push({
          pattern: `000 11110 ${t} 1 xxxxx 00 1000 xxxxx ${e}${z}000`,
          name: (e ? "FCMPE" : "FCMP") + sfx,
          exec: fcmp(fmt, z === 1, e === 1),
        });
      }
      out.push({
        pattern: `000 11110 ${t} 1 xxxxx xxxx 01 xxxxx ${e} xxxx`,
        name: (e ? "FCCMPE" : "FCCMP") + sfx,
        exec: fccmp(fmt, e === 1),
      });
    }
    out.push({
      pattern: `000 11110 ${t} 1 xxxxx xxxx 11 xxxxx xxxxx`,
      name: "FCSEL" + sfx,
      exec: fcsel(fmt),
    });
    out.push({
      pattern: `000 11110 ${t} 1 xxxxxxxx 100 00000 xxxxx`,
      name: "FMOV (scalar, immediate)" + sfx,
      exec: fmovImm(fmt),
    });
  }
  // FCVT from half precision (ftype 11): to single (opc 00) and to double (01).
  out.push({
    pattern: "000 11110 11 1 000100 10000 xxxxx xxxxx",
    name: "FCVT (half to single)",
    exec: fcvt(FMT_H, FMT_S),
  });
  out.push({
    pattern: "000 11110 11 1 000101 10000 xxxxx xxxxx",
    name: "FCVT (half to double)",
    exec: fcvt(FMT_H, FMT_D),
  });
  return out;
}

/** Scalar FP data-processing encodings. */
export const entries: EncodingEntry[] = build();
