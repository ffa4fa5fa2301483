/**
 * AdvSIMD conversions between floating-point and fixed-point (Arm ARM
 * C4.1.96, "Advanced SIMD (scalar) shift by immediate", opcodes 11100 and
 * 11111): SCVTF/UCVTF and FCVTZS/FCVTZU with #fbits, on 2S/4S/2D and on S/D
 * scalars. immh = 01xx selects singles, 1xxx doubles; fbits = 2*esize -
 * immh:immb. FP conversions use FPCR's rounding (SCVTF/UCVTF) or round
 * towards zero (FCVTZ*), with the same flags as the scalar forms.
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
  FMT_S,
  FP_RESULT,
  fpcrRounding,
  fpToFixed,
  RZ,
} from "../../softfloat/mod.ts";
import { VScratch } from "./vreg.ts";

const S = new VScratch();

function convert(toFloat: boolean, dbl: boolean, scalar: boolean): Handler {
  const esize = dbl ? 64 : 32, fmt = dbl ? FMT_D : FMT_S, step = dbl ? 2 : 1;
  return (cpu: Cpu, insn: number): void => {
    const q = (insn & (1 << 30)) !== 0;
    if (!scalar && dbl && !q) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const unsigned = (insn & (1 << 29)) !== 0;
    const fbits = 2 * esize - ((insn >>> 16) & 0x7f);
    const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v, w = S.w;
    const lanes = scalar ? 1 : dbl ? 2 : q ? 4 : 2;
    w[0] =
      w[1] =
      w[2] =
      w[3] =
        0;
    for (let i = 0; i < lanes; i++) {
      const lo = v[n * 4 + i * step], hi = dbl ? v[n * 4 + i * step + 1] : 0;
      if (toFloat) fixedToFp(fmt, lo, hi, dbl, unsigned, fbits, fpcrRounding(cpu.fpcr), cpu);
      else fpToFixed(fmt, lo, hi, fbits, unsigned, dbl, RZ, cpu);
      w[i * step] = FP_RESULT[0];
      if (dbl) w[i * step + 1] = FP_RESULT[1];
    }
    S.commit(cpu, d, q && !scalar);
  };
}

function build(): EncodingEntry[] {
  const out: EncodingEntry[] = [];
  for (const [immh, dbl] of [["01xx xxx", false], ["1xxx xxx", true]] as [string, boolean][]) {
    const t = dbl ? "D" : "S";
    for (const scalar of [false, true]) {
      const head = scalar ? "01 x 111110" : "0x x 011110";
      const kind = scalar ? "scalar" : "vector";
      out.push({
        pattern: `${head} ${immh} 11100 1 xxxxx xxxxx`,
        name: `SCVTF/UCVTF (${kind}, fixed-point, ${t})`,
        exec: convert(true, dbl, scalar),
      });
      out.push({
        pattern: `${head} ${immh} 11111 1 xxxxx xxxxx`,
        name: `FCVTZS/FCVTZU (${kind}, fixed-point, ${t})`,
        exec: convert(false, dbl, scalar),
      });
    }
  }
  return out;
}

/** AdvSIMD fixed-point conversion encodings. */
export const entries: EncodingEntry[] = build();
