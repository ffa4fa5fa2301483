/**
 * AdvSIMD saturating shift-left by immediate and saturating doubling long
 * multiplies (Arm ARM C4.1.96): SQSHL, UQSHL, SQSHLU (immediate; vector and
 * scalar), SQDMULL, SQDMLAL, SQDMLSL (three different and by element, with
 * their "2" forms). Saturation sets FPSR.QC.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry, Handler } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { FPSR_QC } from "../../softfloat/mod.ts";
import { laneMask, mulS32, R64, satS, satU, shl64, shr64, sx } from "./lanes.ts";
import { sq64 } from "./three_same.ts";
import { elem, setSElem, VScratch } from "./vreg.ts";

const S = new VScratch();

const enum QShl {
  Signed, // SQSHL: signed in, signed out
  Unsigned, // UQSHL
  SignedToUnsigned, // SQSHLU
}

/** Saturating left shift of a 64-bit lane by 0..63 into R64. */
function qshl64(cpu: Cpu, lo: number, hi: number, sh: number, kind: QShl): void {
  const neg = (hi | 0) < 0;
  if (kind === QShl.SignedToUnsigned && neg) {
    R64[0] = R64[1] = 0;
    cpu.fpsr |= FPSR_QC;
    return;
  }
  shl64(lo, hi, sh);
  const rlo = R64[0], rhi = R64[1];
  // Shifting back must restore the operand, else bits (or the sign) were lost.
  shr64(rlo, rhi, sh, kind === QShl.Signed);
  const lost = R64[0] !== lo >>> 0 || R64[1] !== hi >>> 0 ||
    (kind === QShl.Signed && (rhi >>> 31) !== (hi >>> 31));
  if (lost) {
    cpu.fpsr |= FPSR_QC;
    if (kind === QShl.Signed) {
      R64[0] = neg ? 0 : 0xffffffff;
      R64[1] = neg ? 0x80000000 : 0x7fffffff;
    } else R64[0] = R64[1] = 0xffffffff;
    return;
  }
  R64[0] = rlo;
  R64[1] = rhi;
}

function shiftLeftSaturating(kind: QShl, esizeLog: number, scalar: boolean): Handler {
  const esize = 8 << esizeLog;
  return (cpu: Cpu, insn: number): void => {
    const q = (insn & (1 << 30)) !== 0;
    if (!scalar && esize === 64 && !q) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const sh = ((insn >>> 16) & 0x7f) - esize;
    const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v, w = S.w;
    w[0] =
      w[1] =
      w[2] =
      w[3] =
        0;
    if (esize === 64) {
      const lanes = scalar ? 1 : 2;
      for (let i = 0; i < lanes; i++) {
        qshl64(cpu, v[n * 4 + 2 * i], v[n * 4 + 2 * i + 1], sh, kind);
        w[2 * i] = R64[0];
        w[2 * i + 1] = R64[1];
      }
    } else {
      const lanes = scalar ? 1 : (q ? 16 : 8) >>> esizeLog, mask = laneMask(esize);
      for (let i = 0; i < lanes; i++) {
        const a = elem(cpu, n, i, esize);
        const x = kind === QShl.Unsigned ? a : sx(a, esize);
        const r = x * 2 ** sh; // exact
        setSElem(
          S,
          i,
          esize,
          (kind === QShl.Signed ? satS(cpu, r, esize) : satU(cpu, r, esize)) & mask,
        );
      }
    }
    S.commit(cpu, d, q && !scalar);
  };
}

const enum DMul {
  Mull,
  Mlal,
  Mlsl,
}

/**
 * SQDMULL/SQDMLAL/SQDMLSL: 2 * a * b widened (saturated: only MIN * MIN
 * overflows), optionally added to / subtracted from Vd with saturation.
 * `byElement`: the second operand is one element (index decoded as for MUL
 * by element).
 */
function doublingLong(op: DMul, byElement: boolean): Handler {
  return (cpu: Cpu, insn: number): void => {
    const size = (insn >>> 22) & 3;
    if (size !== 1 && size !== 2) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0;
    const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v, w = S.w;
    const esize = 8 << size, lanes = 8 >>> size, base = q ? lanes : 0;
    let m: number, index = -1;
    if (byElement) {
      const h = (insn >>> 11) & 1, l = (insn >>> 21) & 1, mm = (insn >>> 20) & 1;
      index = size === 1 ? (h << 2) | (l << 1) | mm : (h << 1) | l;
      m = size === 1 ? (insn >>> 16) & 15 : (insn >>> 16) & 31;
    } else m = (insn >>> 16) & 31;
    for (let i = 0; i < lanes; i++) {
      const a = sx(elem(cpu, n, base + i, esize), esize);
      const b = sx(elem(cpu, m, index >= 0 ? index : base + i, esize), esize);
      if (esize === 16) {
        let p = satS(cpu, 2 * a * b, 32);
        if (op === DMul.Mlal) p = satS(cpu, (v[d * 4 + i] | 0) + p, 32);
        else if (op === DMul.Mlsl) p = satS(cpu, (v[d * 4 + i] | 0) - p, 32);
        w[i] = p >>> 0;
        continue;
      }
      let plo: number, phi: number;
      if (a === -2147483648 && b === -2147483648) {
        plo = 0xffffffff;
        phi = 0x7fffffff;
        cpu.fpsr |= FPSR_QC;
      } else {
        mulS32(a >>> 0, b >>> 0);
        shl64(R64[0], R64[1], 1);
        plo = R64[0];
        phi = R64[1];
      }
      if (op !== DMul.Mull) {
        sq64(cpu, v[d * 4 + 2 * i], v[d * 4 + 2 * i + 1], plo, phi, op === DMul.Mlsl);
        plo = R64[0];
        phi = R64[1];
      }
      w[2 * i] = plo;
      w[2 * i + 1] = phi;
    }
    S.commit(cpu, d, true);
  };
}

function build(): EncodingEntry[] {
  const out: EncodingEntry[] = [];
  const immh = ["0001 xxx", "001x xxx", "01xx xxx", "1xxx xxx"];
  const kinds: [string, string, QShl, string][] = [
    ["0", "01110", QShl.Signed, "SQSHL (immediate)"],
    ["1", "01110", QShl.Unsigned, "UQSHL (immediate)"],
    ["1", "01100", QShl.SignedToUnsigned, "SQSHLU"],
  ];
  for (let s = 0; s < 4; s++) {
    for (const [u, opcode, kind, name] of kinds) {
      out.push({
        pattern: `0x ${u} 011110 ${immh[s]} ${opcode} 1 xxxxx xxxxx`,
        name: name + " (vector)",
        exec: shiftLeftSaturating(kind, s, false),
      });
      out.push({
        pattern: `01 ${u} 111110 ${immh[s]} ${opcode} 1 xxxxx xxxxx`,
        name: name + " (scalar)",
        exec: shiftLeftSaturating(kind, s, true),
      });
    }
  }
  const diff = (opcode: string) => `0x 0 01110 xx 1 xxxxx ${opcode} 00 xxxxx xxxxx`;
  const elem = (opcode: string) => `0x 0 01111 xx x x xxxx ${opcode} x 0 xxxxx xxxxx`;
  out.push({ pattern: diff("1101"), name: "SQDMULL", exec: doublingLong(DMul.Mull, false) });
  out.push({ pattern: diff("1001"), name: "SQDMLAL", exec: doublingLong(DMul.Mlal, false) });
  out.push({ pattern: diff("1011"), name: "SQDMLSL", exec: doublingLong(DMul.Mlsl, false) });
  out.push({
    pattern: elem("1011"),
    name: "SQDMULL (by element)",
    exec: doublingLong(DMul.Mull, true),
  });
  out.push({
    pattern: elem("0011"),
    name: "SQDMLAL (by element)",
    exec: doublingLong(DMul.Mlal, true),
  });
  out.push({
    pattern: elem("0111"),
    name: "SQDMLSL (by element)",
    exec: doublingLong(DMul.Mlsl, true),
  });
  return out;
}

/** Saturating shift-left immediate and saturating doubling long multiply encodings. */
export const entries: EncodingEntry[] = build();
