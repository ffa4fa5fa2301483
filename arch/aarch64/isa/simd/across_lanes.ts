/**
 * AdvSIMD across lanes (Arm ARM C4.1.96 "Advanced SIMD across lanes"): ADDV,
 * SADDLV, UADDLV, SMAXV, SMINV, UMAXV, UMINV (integer; 4S needs Q = 1, D
 * lanes are reserved), and ADDP (scalar), the pairwise add of a 2D vector.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry, Handler } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { add64, laneMask, R64, sx } from "./lanes.ts";
import { elem } from "./vreg.ts";

const enum Across {
  AddV,
  SAddLV,
  UAddLV,
  SMaxV,
  SMinV,
  UMaxV,
  UMinV,
}

function across(kind: Across): Handler {
  return (cpu: Cpu, insn: number): void => {
    const size = (insn >>> 22) & 3;
    const q = (insn & (1 << 30)) !== 0;
    if (size === 3 || (size === 2 && !q)) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, d = insn & 31;
    const esize = 8 << size, lanes = (q ? 16 : 8) >>> size;
    const signed = kind === Across.SAddLV || kind === Across.SMaxV || kind === Across.SMinV;
    let acc = signed ? sx(elem(cpu, n, 0, esize), esize) : elem(cpu, n, 0, esize);
    for (let i = 1; i < lanes; i++) {
      const x = signed ? sx(elem(cpu, n, i, esize), esize) : elem(cpu, n, i, esize);
      switch (kind) {
        case Across.AddV:
        case Across.SAddLV:
        case Across.UAddLV:
          acc += x;
          break;
        case Across.SMaxV:
        case Across.UMaxV:
          if (x > acc) acc = x;
          break;
        default:
          if (x < acc) acc = x;
      }
    }
    const v = cpu.v, w = d << 2;
    v[w + 1] = v[w + 2] = v[w + 3] = 0;
    if (kind === Across.SAddLV || kind === Across.UAddLV) {
      // Result is 2*esize bits wide (acc is exact: at most 16 x 2^32 in magnitude).
      if (esize === 32) {
        const neg = acc < 0;
        const mag = neg ? -acc : acc;
        const hi = Math.floor(mag / 4294967296), lo = mag - hi * 4294967296;
        if (neg) {
          v[w] = (-lo) >>> 0;
          v[w + 1] = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
        } else {
          v[w] = lo >>> 0;
          v[w + 1] = hi >>> 0;
        }
      } else v[w] = (acc & laneMask(esize * 2)) >>> 0;
    } else v[w] = (acc & laneMask(esize)) >>> 0;
  };
}

/** ADDP (scalar): D[d] = Vn.D[0] + Vn.D[1]. */
function addpScalar(cpu: Cpu, insn: number): void {
  checkFpAccess(cpu);
  const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v;
  add64(v[n * 4], v[n * 4 + 1], v[n * 4 + 2], v[n * 4 + 3]);
  v[d * 4] = R64[0];
  v[d * 4 + 1] = R64[1];
  v[d * 4 + 2] = v[d * 4 + 3] = 0;
}

const acrossPattern = (u: number, opcode: string) =>
  `0x ${u} 01110 xx 11000 ${opcode} 10 xxxxx xxxxx`;

/** AdvSIMD across-lanes and ADDP (scalar) encodings. */
export const entries: EncodingEntry[] = [
  { pattern: acrossPattern(0, "11011"), name: "ADDV", exec: across(Across.AddV) },
  { pattern: acrossPattern(0, "00011"), name: "SADDLV", exec: across(Across.SAddLV) },
  { pattern: acrossPattern(1, "00011"), name: "UADDLV", exec: across(Across.UAddLV) },
  { pattern: acrossPattern(0, "01010"), name: "SMAXV", exec: across(Across.SMaxV) },
  { pattern: acrossPattern(0, "11010"), name: "SMINV", exec: across(Across.SMinV) },
  { pattern: acrossPattern(1, "01010"), name: "UMAXV", exec: across(Across.UMaxV) },
  { pattern: acrossPattern(1, "11010"), name: "UMINV", exec: across(Across.UMinV) },
  { pattern: "01 0 11110 11 11000 11011 10 xxxxx xxxxx", name: "ADDP (scalar)", exec: addpScalar },
];
