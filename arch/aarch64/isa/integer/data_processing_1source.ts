/**
 * Data-processing (1 source): RBIT, REV16, REV32, REV, CLZ, CLS. Arm ARM
 * C4.1.95 "Data-processing (1 source)". (The PAC forms with opcode2 = 00001
 * are not advertised and stay unallocated.)
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { rdZr, rnZr } from "../../decode/fields.ts";

/** Reverse the bit order of a 32-bit word. */
export function reverseBits32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** Reverse the byte order of a 32-bit word. */
export function reverseBytes32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** Swap the bytes within each 16-bit halfword of a 32-bit word. */
function reverseBytes16x2(v: number): number {
  return (((v & 0x00ff00ff) << 8) | ((v >>> 8) & 0x00ff00ff)) >>> 0;
}

/*
 * Math.clz32 is only ever given int32 values here (`| 0`, or an XOR result):
 * V8 15's Maglev compiles Math.clz32 for int32 input and deoptimizes on a
 * uint32 >= 2^31 (as read from a Uint32Array) without learning from it, so
 * the handler deoptimized and recompiled endlessly (668 times in 30 s of
 * Linux boot; measured with --trace-deopt). clz32 of the int32 with the same
 * bits is the same count.
 */

/** Count leading sign bits (CLS) of a 32-bit value: leading bits equal to bit 31, minus one. */
function cls32(v: number): number {
  return Math.clz32(v ^ (v >> 31)) - 1;
}

function dataProcessing1(cpu: Cpu, insn: number): void {
  const d = rdZr(insn), n = rnZr(insn);
  const sf = (insn >>> 31) !== 0;
  const lo = cpu.xlo[n], hi = cpu.xhi[n];
  const opcode = (insn >>> 10) & 7;
  let rlo: number, rhi = 0;
  switch (opcode) {
    case 0: // RBIT
      if (sf) {
        rlo = reverseBits32(hi);
        rhi = reverseBits32(lo);
      } else rlo = reverseBits32(lo);
      break;
    case 1: // REV16
      rlo = reverseBytes16x2(lo);
      if (sf) rhi = reverseBytes16x2(hi);
      break;
    case 2: // REV32 (64-bit) / REV (32-bit)
      rlo = reverseBytes32(lo);
      if (sf) rhi = reverseBytes32(hi);
      break;
    case 3: // REV (64-bit); the 32-bit form is unallocated by pattern
      rlo = reverseBytes32(hi);
      rhi = reverseBytes32(lo);
      break;
    case 4: // CLZ
      rlo = sf ? (hi !== 0 ? Math.clz32(hi | 0) : 32 + Math.clz32(lo | 0)) : Math.clz32(lo | 0);
      break;
    default: // CLS
      if (!sf) rlo = cls32(lo);
      else {
        // Leading bits equal to bit 63, not counting bit 63 itself.
        const s = hi >> 31;
        const xh = hi ^ s;
        rlo = xh !== 0 ? Math.clz32(xh) - 1 : 31 + Math.clz32(lo ^ s);
      }
  }
  cpu.xlo[d] = rlo;
  cpu.xhi[d] = rhi;
}

/** Encoding table of the 1-source class. */
export const entries: EncodingEntry[] = [
  //          sf   S          opcode2 opcode Rn    Rd
  {
    pattern: "x 1 0 11010110 00000   00000x xxxxx xxxxx",
    name: "RBIT/REV16",
    exec: dataProcessing1,
  },
  {
    pattern: "x 1 0 11010110 00000   000010 xxxxx xxxxx",
    name: "REV32 / REV (32-bit)",
    exec: dataProcessing1,
  },
  {
    pattern: "1 1 0 11010110 00000   000011 xxxxx xxxxx",
    name: "REV (64-bit)",
    exec: dataProcessing1,
  },
  { pattern: "x 1 0 11010110 00000   00010x xxxxx xxxxx", name: "CLZ/CLS", exec: dataProcessing1 },
];
