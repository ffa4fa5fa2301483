/**
 * AdvSIMD structure loads and stores (Arm ARM C4.1.94 "Advanced SIMD
 * load/store multiple structures" and "single structure", with and without
 * post-index): LD1/ST1 (1-4 registers), LD2/ST2, LD3/ST3, LD4/ST4 (multiple
 * structures and single lanes), LD1R..LD4R (load and replicate).
 *
 * Register numbers wrap modulo 32. A post-index with Rm = 31 adds the number
 * of bytes transferred; otherwise X[m].
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { readMem, writeMem } from "../../mmu/access.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { address, addressOf, writeBack } from "../loadstore/transfer.ts";
import { addOffset, loaded, readV, setV, sumHi, writeV } from "./memory.ts";
import { clearHigh, elem, setElem } from "./vreg.ts";

/** rpt (registers) and selem (structure elements) per opcode (bits 15:12) of the multiple forms; 0 = unallocated. */
const RPT = [1, 0, 4, 0, 1, 0, 3, 1, 1, 0, 2, 0, 0, 0, 0, 0];
const SELEM = [4, 0, 1, 0, 3, 0, 1, 1, 2, 0, 1, 0, 0, 0, 0, 0];

/** Apply the post-index writeback: Rm = 31 adds `bytes`, else X[m]. */
function postIndex(
  cpu: Cpu,
  insn: number,
  n: number,
  aLo: number,
  aHi: number,
  bytes: number,
): void {
  const m = (insn >>> 16) & 31;
  if (m === 31) writeBack(cpu, n, addOffset(aLo, aHi, bytes), sumHi());
  else {
    const s = aLo + cpu.xlo[m];
    writeBack(cpu, n, s >>> 0, (aHi + cpu.xhi[m] + (s > 0xffffffff ? 1 : 0)) >>> 0);
  }
}

/** LD1-4/ST1-4 (multiple structures), optionally post-indexed. */
function multiple(cpu: Cpu, insn: number): void {
  const opcode = (insn >>> 12) & 15, size = (insn >>> 10) & 3;
  const q = (insn & (1 << 30)) !== 0;
  const rpt = RPT[opcode], selem = SELEM[opcode];
  if (rpt === 0 || (size === 3 && !q && selem !== 1)) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const load = (insn & (1 << 22)) !== 0;
  const n = (insn >>> 5) & 31, t = insn & 31;
  addressOf(cpu, n, 0);
  const aLo = address[0], aHi = address[1];
  const regBytes = q ? 16 : 8;
  let off = 0;
  if (selem === 1) { // whole registers, contiguous
    for (let r = 0; r < rpt; r++) {
      const tt = (t + r) & 31;
      const lo = addOffset(aLo, aHi, off);
      if (load) {
        readV(cpu, lo, sumHi(), regBytes, loaded, 0);
        setV(cpu, tt, loaded, 0);
      } else writeV(cpu, tt, lo, sumHi(), regBytes);
      off += regBytes;
    }
  } else { // interleaved elements
    const esize = 8 << size, ebytes = 1 << size;
    const elements = regBytes >>> size;
    for (let e = 0; e < elements; e++) {
      for (let s = 0; s < selem; s++) {
        const tt = (t + s) & 31;
        const lo = addOffset(aLo, aHi, off);
        if (esize === 64) {
          const w = (tt << 2) + 2 * e;
          if (load) {
            cpu.v[w] = readMem(cpu, lo, sumHi(), 8, 0);
            cpu.v[w + 1] = cpu.memHi;
          } else writeMem(cpu, lo, sumHi(), 8, cpu.v[w], cpu.v[w + 1], 0);
        } else if (load) setElem(cpu, tt, e, esize, readMem(cpu, lo, sumHi(), ebytes, 0));
        else writeMem(cpu, lo, sumHi(), ebytes, elem(cpu, tt, e, esize), 0, 0);
        off += ebytes;
      }
    }
    if (load && !q) { for (let s = 0; s < selem; s++) clearHigh(cpu, (t + s) & 31); }
  }
  if ((insn & (1 << 23)) !== 0) postIndex(cpu, insn, n, aLo, aHi, off);
}

/** LD1-4/ST1-4 (single structure, one lane) and LD1R-LD4R, optionally post-indexed. */
function single(cpu: Cpu, insn: number): void {
  const opcode = (insn >>> 13) & 7, s = (insn >>> 12) & 1, size = (insn >>> 10) & 3;
  const q = (insn >>> 30) & 1;
  const load = (insn & (1 << 22)) !== 0;
  const selem = (((opcode & 1) << 1) | ((insn >>> 21) & 1)) + 1;
  let scale = opcode >>> 1;
  let index = 0;
  const replicate = scale === 3;
  switch (scale) {
    case 0:
      index = (q << 3) | (s << 2) | size;
      break;
    case 1:
      if ((size & 1) !== 0) return unallocatedEncoding(cpu, insn);
      index = (q << 2) | (s << 1) | (size >>> 1);
      break;
    case 2:
      if ((size & 2) !== 0) return unallocatedEncoding(cpu, insn);
      if (size === 0) index = (q << 1) | s;
      else {
        if (s !== 0) return unallocatedEncoding(cpu, insn);
        index = q;
        scale = 3;
      }
      break;
    default:
      if (!load || s !== 0) return unallocatedEncoding(cpu, insn);
      scale = size;
  }
  checkFpAccess(cpu);
  const n = (insn >>> 5) & 31, t = insn & 31;
  addressOf(cpu, n, 0);
  const aLo = address[0], aHi = address[1];
  const ebytes = 1 << scale, esize = 8 << scale;
  let off = 0;
  for (let k = 0; k < selem; k++) {
    const tt = (t + k) & 31;
    const lo = addOffset(aLo, aHi, off);
    const w = tt << 2;
    if (replicate) {
      const x = readMem(cpu, lo, sumHi(), ebytes, 0);
      if (esize === 64) {
        const xh = cpu.memHi;
        cpu.v[w] = cpu.v[w + 2] = x;
        cpu.v[w + 1] = cpu.v[w + 3] = xh;
      } else {
        const lanes = 16 >>> scale;
        for (let e = 0; e < lanes; e++) setElem(cpu, tt, e, esize, x);
      }
      if (q === 0) clearHigh(cpu, tt);
    } else if (esize === 64) {
      if (load) {
        cpu.v[w + 2 * index] = readMem(cpu, lo, sumHi(), 8, 0);
        cpu.v[w + 2 * index + 1] = cpu.memHi;
      } else writeMem(cpu, lo, sumHi(), 8, cpu.v[w + 2 * index], cpu.v[w + 2 * index + 1], 0);
    } else if (load) setElem(cpu, tt, index, esize, readMem(cpu, lo, sumHi(), ebytes, 0));
    else writeMem(cpu, lo, sumHi(), ebytes, elem(cpu, tt, index, esize), 0, 0);
    off += ebytes;
  }
  if ((insn & (1 << 23)) !== 0) postIndex(cpu, insn, n, aLo, aHi, off);
}

/** AdvSIMD structure load/store encodings. */
export const entries: EncodingEntry[] = [
  //          0 Q 0011000 L  000000 opcode size Rn Rt
  {
    pattern: "0 x 0011000 x 000000 xxxx xx xxxxx xxxxx",
    name: "LD1-4/ST1-4 (multiple structures)",
    exec: multiple,
  },
  {
    pattern: "0 x 0011001 x 0 xxxxx xxxx xx xxxxx xxxxx",
    name: "LD1-4/ST1-4 (multiple structures, post-index)",
    exec: multiple,
  },
  {
    pattern: "0 x 0011010 x x 00000 xxx x xx xxxxx xxxxx",
    name: "LD1-4/ST1-4 (single structure), LD1R-LD4R",
    exec: single,
  },
  {
    pattern: "0 x 0011011 x x xxxxx xxx x xx xxxxx xxxxx",
    name: "LD1-4/ST1-4 (single structure, post-index), LD1R-LD4R",
    exec: single,
  },
];
