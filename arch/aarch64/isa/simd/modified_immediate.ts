/**
 * AdvSIMD modified immediate (Arm ARM C4.1.96 "Advanced SIMD modified
 * immediate", AdvSIMDExpandImm): MOVI, MVNI, ORR (vector, immediate), BIC
 * (vector, immediate), FMOV (vector, immediate) for 2S/4S/2D. The
 * half-precision FMOV (o2 = 1) needs FEAT_FP16 and stays unallocated.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { expandedHi, expandImmD, expandImmS } from "../fp/expand_imm.ts";
import { VScratch } from "./vreg.ts";

const S = new VScratch();

/** The expanded 64-bit immediate of the last {@link expandImm}: [lo, hi]. */
const imm64 = new Uint32Array(2);

/** AdvSIMDExpandImm(op, cmode, imm8) into {@link imm64}. */
function expandImm(op: number, cmode: number, imm8: number): void {
  let w: number;
  switch (cmode >>> 1) {
    case 0:
      w = imm8;
      break;
    case 1:
      w = imm8 << 8;
      break;
    case 2:
      w = imm8 << 16;
      break;
    case 3:
      w = imm8 << 24;
      break;
    case 4:
      w = imm8 | (imm8 << 16);
      break;
    case 5:
      w = (imm8 << 8) | (imm8 << 24);
      break;
    case 6:
      w = (cmode & 1) === 0 ? (imm8 << 8) | 0xff : (imm8 << 16) | 0xffff;
      break;
    default:
      if ((cmode & 1) === 0 && op === 0) {
        w = imm8 * 0x01010101;
      } else if ((cmode & 1) === 0) {
        let lo = 0, hi = 0;
        for (let i = 0; i < 4; i++) {
          if ((imm8 >>> i) & 1) lo |= 0xff << (8 * i);
          if ((imm8 >>> (i + 4)) & 1) hi |= 0xff << (8 * i);
        }
        imm64[0] = lo >>> 0;
        imm64[1] = hi >>> 0;
        return;
      } else if (op === 0) w = expandImmS(imm8);
      else {
        imm64[0] = expandImmD(imm8);
        imm64[1] = expandedHi();
        return;
      }
  }
  imm64[0] = imm64[1] = w >>> 0;
}

function modifiedImmediate(cpu: Cpu, insn: number): void {
  const q = (insn & (1 << 30)) !== 0, op = (insn >>> 29) & 1;
  const cmode = (insn >>> 12) & 15;
  if (cmode === 15 && op === 1 && !q) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const imm8 = (((insn >>> 16) & 7) << 5) | ((insn >>> 5) & 31);
  const d = insn & 31;
  expandImm(op, cmode, imm8);
  const lo = imm64[0], hi = imm64[1];
  // ORR/BIC: cmode 0xx1 and 10x1; MOVI/MVNI otherwise (MVNI: op = 1 with cmode < 1110).
  const logical = cmode < 12 && (cmode & 1) === 1;
  const v = cpu.v, w = S.w;
  for (let i = 0; i < 4; i += 2) {
    if (logical) {
      w[i] = (op ? v[d * 4 + i] & ~lo : v[d * 4 + i] | lo) >>> 0;
      w[i + 1] = (op ? v[d * 4 + i + 1] & ~hi : v[d * 4 + i + 1] | hi) >>> 0;
    } else if (op === 1 && cmode < 14) {
      w[i] = ~lo >>> 0;
      w[i + 1] = ~hi >>> 0;
    } else {
      w[i] = lo;
      w[i + 1] = hi;
    }
  }
  S.commit(cpu, d, q);
}

/** AdvSIMD modified-immediate encodings. */
export const entries: EncodingEntry[] = [
  //          0 Q op 0111100000 abc cmode o2 1 defgh Rd
  {
    pattern: "0 x x  0111100000 xxx xxxx  0  1 xxxxx xxxxx",
    name: "MOVI/MVNI/ORR/BIC/FMOV (vector, immediate)",
    exec: modifiedImmediate,
  },
];
