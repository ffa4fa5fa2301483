/**
 * AdvSIMD shift by immediate (Arm ARM C4.1.96 "Advanced SIMD shift by
 * immediate" and "Advanced SIMD scalar shift by immediate"): SSHR, USHR,
 * SSRA, USRA, SRSHR, URSHR, SRSRA, URSRA, SRI, SHL, SLI (vector and D scalar),
 * SHRN, RSHRN, SQSHRN, UQSHRN, SQRSHRN, UQRSHRN, SQSHRUN, SQRSHRUN, SSHLL/USHLL
 * (SXTL/UXTL), and the "2" forms of the narrowing and widening ones.
 *
 * The element size is the position of the leading one of immh (bits 22:19):
 * right shifts are 2*esize - immh:immb, left shifts immh:immb - esize. An
 * immh of 0000 is the modified-immediate class, not this one.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry, Handler } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { add64, laneMask, R64, satS, satU, shl64, shr64, sx } from "./lanes.ts";
import { elem, setSElem, VScratch } from "./vreg.ts";

const S = new VScratch();

const enum Kind {
  Shr, // SSHR/USHR
  Sra, // SSRA/USRA
  Rshr, // SRSHR/URSHR
  Rsra, // SRSRA/URSRA
  Sri,
  Shl,
  Sli,
}

/** Right shift of a lane (<= 32 bits) by 1..esize, with optional rounding. */
function shiftRight(a: number, esize: number, sh: number, signed: boolean, round: boolean): number {
  // Exact in doubles: |a| < 2^32.
  const x = signed ? sx(a, esize) : a;
  const r = Math.floor((x + (round ? 2 ** (sh - 1) : 0)) / 2 ** sh);
  return r;
}

function elementShift(kind: Kind, esizeLog: number, scalar: boolean): Handler {
  const esize = 8 << esizeLog;
  return (cpu: Cpu, insn: number): void => {
    const q = scalar || (insn & (1 << 30)) !== 0;
    if ((esize === 64 && !q) || (scalar && esize !== 64)) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const u = (insn & (1 << 29)) !== 0;
    const immhb = (insn >>> 16) & 0x7f;
    const left = kind === Kind.Shl || kind === Kind.Sli;
    const sh = left ? immhb - esize : 2 * esize - immhb;
    const n = (insn >>> 5) & 31, d = insn & 31;
    const v = cpu.v;
    if (esize === 64) {
      const lanes = scalar ? 1 : 2;
      for (let i = 0; i < lanes; i++) {
        const lo = v[n * 4 + 2 * i], hi = v[n * 4 + 2 * i + 1];
        const dlo = v[d * 4 + 2 * i], dhi = v[d * 4 + 2 * i + 1];
        let rlo: number, rhi: number;
        if (left) {
          shl64(lo, hi, sh);
          rlo = R64[0];
          rhi = R64[1];
          if (kind === Kind.Sli) { // keep the low sh bits of Vd
            const mlo = sh >= 32 ? 0xffffffff : (1 << sh) - 1,
              mhi = sh > 32 ? (1 << (sh - 32)) - 1 : 0;
            rlo = (rlo | (dlo & mlo)) >>> 0;
            rhi = (rhi | (dhi & mhi)) >>> 0;
          }
        } else {
          const signed = !u && kind !== Kind.Sri;
          shr64(lo, hi, sh, signed);
          rlo = R64[0];
          rhi = R64[1];
          if (kind === Kind.Rshr || kind === Kind.Rsra) { // add the rounding bit (bit sh-1 of the source)
            const bit = sh - 1 < 32 ? (lo >>> (sh - 1)) & 1 : (hi >>> (sh - 33)) & 1;
            add64(rlo, rhi, bit, 0);
            rlo = R64[0];
            rhi = R64[1];
          }
          if (kind === Kind.Sra || kind === Kind.Rsra) {
            add64(dlo, dhi, rlo, rhi);
            rlo = R64[0];
            rhi = R64[1];
          } else if (kind === Kind.Sri) { // keep the top sh bits of Vd
            shr64(0xffffffff, 0xffffffff, sh, false);
            rlo = (rlo | (dlo & ~R64[0])) >>> 0;
            rhi = (rhi | (dhi & ~R64[1])) >>> 0;
          }
        }
        S.w[2 * i] = rlo;
        S.w[2 * i + 1] = rhi;
      }
      if (scalar) S.w[2] = S.w[3] = 0;
      S.commit(cpu, d, !scalar);
      return;
    }
    const lanes = (q ? 16 : 8) >>> esizeLog, mask = laneMask(esize);
    for (let i = 0; i < lanes; i++) {
      const a = elem(cpu, n, i, esize), old = elem(cpu, d, i, esize);
      let r: number;
      switch (kind) {
        case Kind.Shl:
          r = sh >= 32 ? 0 : a << sh;
          break;
        case Kind.Sli:
          r = (sh >= 32 ? 0 : a << sh) | (old & ((1 << sh) - 1));
          break;
        case Kind.Sri: {
          const keep = sh >= esize ? mask : ~(mask >>> sh) & mask;
          r = (sh >= 32 ? 0 : a >>> sh) | (old & keep);
          break;
        }
        case Kind.Rshr:
          r = shiftRight(a, esize, sh, !u, true);
          break;
        case Kind.Sra:
          r = old + shiftRight(a, esize, sh, !u, false);
          break;
        case Kind.Rsra:
          r = old + shiftRight(a, esize, sh, !u, true);
          break;
        default:
          r = shiftRight(a, esize, sh, !u, false);
      }
      setSElem(S, i, esize, r & mask);
    }
    S.commit(cpu, d, q);
  };
}

/** SHRN/RSHRN (narrowing right shift): 2*esize lanes of Vn to esize lanes of Vd (upper half for Q = 1). */
/** Saturation of the narrowing shifts: none (SHRN), signed/unsigned source to the same signedness, signed to unsigned. */
const enum Sat {
  None,
  Signed, // SQSHRN, SQRSHRN
  Unsigned, // UQSHRN, UQRSHRN
  SignedToUnsigned, // SQSHRUN, SQRSHRUN
}

/**
 * SHRN/RSHRN and the saturating SQ/UQ/SQ..UN (R)SHRN: 2*esize lanes of Vn,
 * shifted right (rounding when `round`), to esize lanes of Vd (its upper half
 * for Q = 1), saturating per `sat` (setting FPSR.QC).
 */
function shiftNarrow(esizeLog: number, round: boolean, sat: Sat = Sat.None): Handler {
  const esize = 8 << esizeLog; // destination element size (8, 16, 32)
  const signedSource = sat === Sat.Signed || sat === Sat.SignedToUnsigned;
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0;
    const sh = 2 * esize - ((insn >>> 16) & 0x7f);
    const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v;
    S.w[0] = v[d * 4];
    S.w[1] = v[d * 4 + 1];
    const lanes = 8 >>> esizeLog, base = q ? lanes : 0, mask = laneMask(esize);
    for (let i = 0; i < lanes; i++) {
      let r: number;
      if (esize === 32) {
        const lo = v[n * 4 + 2 * i], hi = v[n * 4 + 2 * i + 1];
        // (x + 2^(sh-1)) >> sh = (x >> sh) + bit sh-1 of x (no overflow).
        const bit = round ? (sh - 1 < 32 ? (lo >>> (sh - 1)) & 1 : (hi >>> (sh - 33)) & 1) : 0;
        shr64(lo, hi, sh, signedSource);
        add64(R64[0], R64[1], bit, 0);
        r = sat === Sat.None ? R64[0] : saturate64(cpu, sat);
      } else {
        const x = shiftRight(elem(cpu, n, i, esize * 2), esize * 2, sh, signedSource, round);
        r = sat === Sat.None ? x : sat === Sat.Signed ? satS(cpu, x, esize) : satU(cpu, x, esize);
      }
      setSElem(S, base + i, esize, r & mask);
    }
    if (!q) S.w[2] = S.w[3] = 0;
    S.commit(cpu, d, true);
  };
}

/** Saturate the 64-bit value in R64 (signed unless `Sat.Unsigned`) to 32 bits, setting FPSR.QC. */
function saturate64(cpu: Cpu, sat: Sat): number {
  const lo = R64[0], hi = R64[1];
  if (sat === Sat.Unsigned) return hi !== 0 ? satU(cpu, 2 ** 33, 32) : lo;
  const neg = (hi | 0) < 0;
  if (sat === Sat.SignedToUnsigned) {
    if (neg) return satU(cpu, -1, 32);
    return hi !== 0 ? satU(cpu, 2 ** 33, 32) : lo;
  }
  if ((hi | 0) === ((lo | 0) >> 31)) return lo;
  return satS(cpu, neg ? -(2 ** 40) : 2 ** 40, 32);
}

/** SSHLL/USHLL (SXTL/UXTL): widen the low (Q = 0) or high (Q = 1) half of Vn, shifted left. */
function shiftLong(esizeLog: number): Handler {
  const esize = 8 << esizeLog; // source element size (8, 16, 32)
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0, u = (insn & (1 << 29)) !== 0;
    const sh = ((insn >>> 16) & 0x7f) - esize;
    const n = (insn >>> 5) & 31, d = insn & 31;
    const lanes = 8 >>> esizeLog, base = q ? lanes : 0;
    for (let i = 0; i < lanes; i++) {
      const a = elem(cpu, n, base + i, esize);
      if (esize === 32) {
        const lo = a, hi = u ? 0 : (a | 0) >> 31;
        shl64(lo, hi, sh);
        S.w[2 * i] = R64[0];
        S.w[2 * i + 1] = R64[1];
      } else {
        const x = u ? a : sx(a, esize);
        setSElem(S, i, esize * 2, (x << sh) & laneMask(esize * 2));
      }
    }
    S.commit(cpu, d, true);
  };
}

function build(): EncodingEntry[] {
  const out: EncodingEntry[] = [];
  // immh prefixes selecting esize 8, 16, 32, 64 (and the immh:immb bits left free).
  const immh = ["0001 xxx", "001x xxx", "01xx xxx", "1xxx xxx"];
  const el: [string, string, Kind, string][] = [
    ["x", "00000", Kind.Shr, "SSHR/USHR"],
    ["x", "00010", Kind.Sra, "SSRA/USRA"],
    ["x", "00100", Kind.Rshr, "SRSHR/URSHR"],
    ["x", "00110", Kind.Rsra, "SRSRA/URSRA"],
    ["1", "01000", Kind.Sri, "SRI"],
    ["0", "01010", Kind.Shl, "SHL"],
    ["1", "01010", Kind.Sli, "SLI"],
  ];
  for (let s = 0; s < 4; s++) {
    for (const [u, opcode, kind, name] of el) {
      out.push({
        pattern: `0x ${u} 011110 ${immh[s]} ${opcode} 1 xxxxx xxxxx`,
        name: name + " (vector)",
        exec: elementShift(kind, s, false),
      });
      if (s === 3) {
        out.push({
          pattern: `01 ${u} 111110 ${immh[s]} ${opcode} 1 xxxxx xxxxx`,
          name: name + " (scalar)",
          exec: elementShift(kind, s, true),
        });
      }
    }
    if (s < 3) {
      out.push({
        pattern: `0x 0 011110 ${immh[s]} 10000 1 xxxxx xxxxx`,
        name: "SHRN",
        exec: shiftNarrow(s, false),
      });
      out.push({
        pattern: `0x 0 011110 ${immh[s]} 10001 1 xxxxx xxxxx`,
        name: "RSHRN",
        exec: shiftNarrow(s, true),
      });
      const sat: [string, string, boolean, Sat, string][] = [
        ["0", "10010", false, Sat.Signed, "SQSHRN"],
        ["0", "10011", true, Sat.Signed, "SQRSHRN"],
        ["1", "10010", false, Sat.Unsigned, "UQSHRN"],
        ["1", "10011", true, Sat.Unsigned, "UQRSHRN"],
        ["1", "10000", false, Sat.SignedToUnsigned, "SQSHRUN"],
        ["1", "10001", true, Sat.SignedToUnsigned, "SQRSHRUN"],
      ];
      for (const [u, opcode, round, kind, name] of sat) {
        out.push({
          pattern: `0x ${u} 011110 ${immh[s]} ${opcode} 1 xxxxx xxxxx`,
          name,
          exec: shiftNarrow(s, round, kind),
        });
      }
      out.push({
        pattern: `0x x 011110 ${immh[s]} 10100 1 xxxxx xxxxx`,
        name: "SSHLL/USHLL",
        exec: shiftLong(s),
      });
    }
  }
  return out;
}

/** AdvSIMD shift-by-immediate encodings. */
export const entries: EncodingEntry[] = build();
