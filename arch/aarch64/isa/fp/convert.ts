/**
 * Conversions between floating-point and general registers (Arm ARM C4.1.96,
 * "Conversion between floating-point and integer" and "Conversion between
 * floating-point and fixed-point"): FCVT{N,P,M,Z,A}{S,U}, SCVTF, UCVTF (integer
 * and fixed-point forms) and FMOV (general), including FMOV Xd, Vn.D[1] and
 * FMOV Vd.D[1], Xn. Single and double precision only.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import { R_DISCARD } from "../../cpu/state.ts";
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
  RA,
  RM,
  RN,
  RP,
  RZ,
} from "../../softfloat/mod.ts";
import { fpHi, fpLo, writeFp } from "../simd/vreg.ts";

/** Destination slot of a general register field (31 = XZR, writes discarded). */
function gdst(r: number): number {
  return r === 31 ? R_DISCARD : r;
}

/** Write the integer result (FP_RESULT) to W/X[d]. */
function writeInt(cpu: Cpu, d: number, sf: number): void {
  const s = gdst(d);
  cpu.xlo[s] = FP_RESULT[0];
  cpu.xhi[s] = sf ? FP_RESULT[1] : 0;
}

/** FCVT*S/U: FP register to integer, rounding `rmode`, `fixed` reads fbits from scale. */
function toInt(fmt: number, sf: number, unsigned: boolean, rmode: number, fixed: boolean): Handler {
  return (cpu, insn) => {
    const scale = (insn >>> 10) & 63;
    if (fixed && sf === 0 && scale < 32) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31;
    const fbits = fixed ? 64 - scale : 0;
    fpToFixed(fmt, fpLo(cpu, fmt, n), fpHi(cpu, fmt, n), fbits, unsigned, sf === 1, rmode, cpu);
    writeInt(cpu, insn & 31, sf);
  };
}

/** SCVTF/UCVTF: integer (or fixed-point) general register to FP, FPCR's rounding. */
function fromInt(fmt: number, sf: number, unsigned: boolean, fixed: boolean): Handler {
  return (cpu, insn) => {
    const scale = (insn >>> 10) & 63;
    if (fixed && sf === 0 && scale < 32) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31;
    fixedToFp(
      fmt,
      cpu.xlo[n],
      cpu.xhi[n],
      sf === 1,
      unsigned,
      fixed ? 64 - scale : 0,
      fpcrRounding(cpu.fpcr),
      cpu,
    );
    writeFp(cpu, fmt, insn & 31, FP_RESULT[0], FP_RESULT[1]);
  };
}

/** FMOV Wd, Sn / Xd, Dn. */
function fmovToGeneral(fmt: number): Handler {
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, d = gdst(insn & 31);
    cpu.xlo[d] = fpLo(cpu, fmt, n);
    cpu.xhi[d] = fpHi(cpu, fmt, n);
  };
}

/** FMOV Sd, Wn / Dd, Xn (upper bits of Vd zeroed). */
function fmovFromGeneral(fmt: number): Handler {
  return (cpu, insn) => {
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31;
    writeFp(cpu, fmt, insn & 31, cpu.xlo[n], fmt === FMT_D ? cpu.xhi[n] : 0);
  };
}

/** FMOV Xd, Vn.D[1]. */
function fmovTopToGeneral(cpu: Cpu, insn: number): void {
  checkFpAccess(cpu);
  const n = (insn >>> 5) & 31, d = gdst(insn & 31);
  cpu.xlo[d] = cpu.v[(n << 2) + 2];
  cpu.xhi[d] = cpu.v[(n << 2) + 3];
}

/** FMOV Vd.D[1], Xn (bits 63:0 of Vd kept). */
function fmovTopFromGeneral(cpu: Cpu, insn: number): void {
  checkFpAccess(cpu);
  const n = (insn >>> 5) & 31, d = insn & 31;
  cpu.v[(d << 2) + 2] = cpu.xlo[n];
  cpu.v[(d << 2) + 3] = cpu.xhi[n];
}

function build(): EncodingEntry[] {
  const out: EncodingEntry[] = [];
  const RMODE = [RN, RP, RM, RZ];
  const RLETTER = ["N", "P", "M", "Z"];
  for (const fmt of [FMT_S, FMT_D]) {
    const t = fmt === FMT_S ? "00" : "01";
    for (let sf = 0; sf < 2; sf++) {
      const reg = `${sf ? "X" : "W"}, ${fmt === FMT_S ? "S" : "D"}`;
      for (let r = 0; r < 4; r++) {
        for (let u = 0; u < 2; u++) {
          out.push({
            pattern: `${sf} 0 0 11110 ${t} 1 ${
              r.toString(2).padStart(2, "0")
            } 00${u} 000000 xxxxx xxxxx`,
            name: `FCVT${RLETTER[r]}${u ? "U" : "S"} (scalar, integer) ${reg}`,
            exec: toInt(fmt, sf, u === 1, RMODE[r], false),
          });
        }
      }
      for (let u = 0; u < 2; u++) {
        out.push({
          pattern: `${sf} 0 0 11110 ${t} 1 00 10${u} 000000 xxxxx xxxxx`,
          name: `FCVTA${u ? "U" : "S"} (scalar) ${reg}`,
          exec: toInt(fmt, sf, u === 1, RA, false),
        });
        out.push({
          pattern: `${sf} 0 0 11110 ${t} 1 00 01${u} 000000 xxxxx xxxxx`,
          name: `${u ? "U" : "S"}CVTF (scalar, integer) ${reg}`,
          exec: fromInt(fmt, sf, u === 1, false),
        });
        out.push({
          pattern: `${sf} 0 0 11110 ${t} 0 11 00${u} xxxxxx xxxxx xxxxx`,
          name: `FCVTZ${u ? "U" : "S"} (scalar, fixed-point) ${reg}`,
          exec: toInt(fmt, sf, u === 1, RZ, true),
        });
        out.push({
          pattern: `${sf} 0 0 11110 ${t} 0 00 01${u} xxxxxx xxxxx xxxxx`,
          name: `${u ? "U" : "S"}CVTF (scalar, fixed-point) ${reg}`,
          exec: fromInt(fmt, sf, u === 1, true),
        });
      }
    }
  }
  out.push({
    pattern: "0 0 0 11110 00 1 00 110 000000 xxxxx xxxxx",
    name: "FMOV (general) Wd, Sn",
    exec: fmovToGeneral(FMT_S),
  });
  out.push({
    pattern: "0 0 0 11110 00 1 00 111 000000 xxxxx xxxxx",
    name: "FMOV (general) Sd, Wn",
    exec: fmovFromGeneral(FMT_S),
  });
  out.push({
    pattern: "1 0 0 11110 01 1 00 110 000000 xxxxx xxxxx",
    name: "FMOV (general) Xd, Dn",
    exec: fmovToGeneral(FMT_D),
  });
  out.push({
    pattern: "1 0 0 11110 01 1 00 111 000000 xxxxx xxxxx",
    name: "FMOV (general) Dd, Xn",
    exec: fmovFromGeneral(FMT_D),
  });
  out.push({
    pattern: "1 0 0 11110 10 1 01 110 000000 xxxxx xxxxx",
    name: "FMOV (general) Xd, Vn.D[1]",
    exec: fmovTopToGeneral,
  });
  out.push({
    pattern: "1 0 0 11110 10 1 01 111 000000 xxxxx xxxxx",
    name: "FMOV (general) Vd.D[1], Xn",
    exec: fmovTopFromGeneral,
  });
  return out;
}

/** FP <-> integer/fixed-point conversion and FMOV (general) encodings. */
export const entries: EncodingEntry[] = build();
