/**
 * SIMD&FP register loads and stores (Arm ARM C4.1.94, the V = 1 forms of
 * "Load/store register (unsigned immediate)", "(unscaled immediate)",
 * "(immediate post-indexed)", "(immediate pre-indexed)", "(register
 * offset)", "Load register (literal)" and "Load/store register pair" incl.
 * "no-allocate pair"): LDR/STR/LDUR/STUR of B, H, S, D, Q and LDP/STP/LDNP/STNP
 * of S, D, Q. A load writes the whole register (zero-extended).
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { extendReg64, out } from "../integer/operands.ts";
import { address, addressOf, addressOf64, writeBack } from "../loadstore/transfer.ts";
import { addOffset, loaded, readV, setV, sumHi, writeV } from "./memory.ts";

/** log2 of the access size from size (bits 31:30) and opc (23:22); -1 if unallocated. */
function scaleOf(size: number, opc: number): number {
  if ((opc & 2) === 0) return size;
  return size === 0 ? 4 : -1;
}

/** Load or store V[t] at {@link address} with `1 << scale` bytes. */
function transfer(cpu: Cpu, t: number, scale: number, load: boolean): void {
  if (load) {
    readV(cpu, address[0], address[1], 1 << scale, loaded, 0);
    setV(cpu, t, loaded, 0);
  } else writeV(cpu, t, address[0], address[1], 1 << scale);
}

function unsignedOffset(cpu: Cpu, insn: number): void {
  const opc = (insn >>> 22) & 3;
  const scale = scaleOf(insn >>> 30, opc);
  if (scale < 0) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  addressOf(cpu, (insn >>> 5) & 31, ((insn >>> 10) & 0xfff) * (1 << scale));
  transfer(cpu, insn & 31, scale, (opc & 1) === 1);
}

function unscaled(cpu: Cpu, insn: number): void {
  const opc = (insn >>> 22) & 3;
  const scale = scaleOf(insn >>> 30, opc);
  if (scale < 0) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  addressOf(cpu, (insn >>> 5) & 31, (insn << 11) >> 23);
  transfer(cpu, insn & 31, scale, (opc & 1) === 1);
}

function indexed(cpu: Cpu, insn: number): void {
  const opc = (insn >>> 22) & 3;
  const scale = scaleOf(insn >>> 30, opc);
  if (scale < 0) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const n = (insn >>> 5) & 31;
  const pre = (insn & (1 << 11)) !== 0;
  const offset = (insn << 11) >> 23;
  addressOf(cpu, n, pre ? offset : 0);
  const aLo = address[0], aHi = address[1];
  transfer(cpu, insn & 31, scale, (opc & 1) === 1);
  if (pre) writeBack(cpu, n, aLo, aHi);
  else writeBack(cpu, n, addOffset(aLo, aHi, offset), sumHi());
}

function registerOffset(cpu: Cpu, insn: number): void {
  const opc = (insn >>> 22) & 3;
  const scale = scaleOf(insn >>> 30, opc);
  const option = (insn >>> 13) & 7;
  if (scale < 0 || (option & 2) === 0) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  extendReg64(cpu, (insn >>> 16) & 31, option, (insn & (1 << 12)) !== 0 ? scale : 0);
  addressOf64(cpu, (insn >>> 5) & 31, out[0], out[1]);
  transfer(cpu, insn & 31, scale, (opc & 1) === 1);
}

function literal(cpu: Cpu, insn: number): void {
  const opc = insn >>> 30;
  if (opc === 3) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  address[0] = addOffset(cpu.pcLo, cpu.pcHi, ((insn << 8) >> 13) * 4);
  address[1] = sumHi();
  transfer(cpu, insn & 31, opc + 2, true);
}

/** Both registers of a pair are read before either is written. */
const pairLoaded = new Uint32Array(8);

function pair(cpu: Cpu, insn: number): void {
  const opc = insn >>> 30;
  if (opc === 3) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const scale = opc + 2, bytes = 1 << scale;
  const mode = (insn >>> 23) & 3; // 00 no-allocate, 01 post, 10 offset, 11 pre
  const load = (insn & (1 << 22)) !== 0;
  const n = (insn >>> 5) & 31, t = insn & 31, t2 = (insn >>> 10) & 31;
  const offset = ((insn << 10) >> 25) * bytes;
  addressOf(cpu, n, mode === 1 ? 0 : offset);
  const aLo = address[0], aHi = address[1];
  const bLo = addOffset(aLo, aHi, bytes), bHi = sumHi();
  if (load) {
    readV(cpu, aLo, aHi, bytes, pairLoaded, 0);
    readV(cpu, bLo, bHi, bytes, pairLoaded, 4);
    setV(cpu, t, pairLoaded, 0);
    setV(cpu, t2, pairLoaded, 4);
  } else {
    writeV(cpu, t, aLo, aHi, bytes);
    writeV(cpu, t2, bLo, bHi, bytes);
  }
  if (mode === 3) writeBack(cpu, n, aLo, aHi);
  else if (mode === 1) writeBack(cpu, n, addOffset(aLo, aHi, offset), sumHi());
}

/** SIMD&FP register load/store encodings (V = 1). */
export const entries: EncodingEntry[] = [
  //          size     V    opc imm12        Rn    Rt
  {
    pattern: "xx   111 1 01 xx  xxxxxxxxxxxx xxxxx xxxxx",
    name: "LDR/STR (immediate, SIMD&FP, unsigned offset)",
    exec: unsignedOffset,
  },
  {
    pattern: "xx   111 1 00 xx  0 xxxxxxxxx 00 xxxxx xxxxx",
    name: "LDUR/STUR (SIMD&FP)",
    exec: unscaled,
  },
  {
    pattern: "xx   111 1 00 xx  0 xxxxxxxxx x1 xxxxx xxxxx",
    name: "LDR/STR (immediate, SIMD&FP, pre/post-index)",
    exec: indexed,
  },
  {
    pattern: "xx   111 1 00 xx  1 xxxxx xxx x 10 xxxxx xxxxx",
    name: "LDR/STR (register, SIMD&FP)",
    exec: registerOffset,
  },
  {
    pattern: "xx   011 1 00 xxxxxxxxxxxxxxxxxxx xxxxx",
    name: "LDR (literal, SIMD&FP)",
    exec: literal,
  },
  {
    pattern: "xx   101 1 0xx x xxxxxxx xxxxx xxxxx xxxxx",
    name: "LDP/STP/LDNP/STNP (SIMD&FP)",
    exec: pair,
  },
];
