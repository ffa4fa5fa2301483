/**
 * AdvSIMD copy (Arm ARM C4.1.96 "Advanced SIMD copy" and "scalar copy"): DUP
 * (element, general), INS (element, general; MOV aliases), UMOV, SMOV, and
 * DUP (scalar element; MOV Sd, Vn.S[i] etc.).
 *
 * imm5's lowest set bit selects the element size (bit 0: B ... bit 3: D);
 * the bits above it are the index.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import { R_DISCARD } from "../../cpu/state.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { sx } from "./lanes.ts";
import { elem, setElem, setSElem, VScratch } from "./vreg.ts";

const S = new VScratch();

/** log2 of the element size in bytes from imm5 (0..3), or -1 when imm5<3:0> = 0000. */
function sizeOf(imm5: number): number {
  if (imm5 & 1) return 0;
  if (imm5 & 2) return 1;
  if (imm5 & 4) return 2;
  if (imm5 & 8) return 3;
  return -1;
}

/** DUP (element): Vd.<T> = Vn.<Ts>[index] in every lane; scalar form (bit 28 set) writes one element. */
function dupElement(cpu: Cpu, insn: number): void {
  const imm5 = (insn >>> 16) & 31, size = sizeOf(imm5);
  const scalar = (insn & (1 << 28)) !== 0;
  const q = scalar || (insn & (1 << 30)) !== 0;
  if (size < 0 || (size === 3 && !q)) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const n = (insn >>> 5) & 31, d = insn & 31, index = imm5 >>> (size + 1);
  const v = cpu.v;
  if (size === 3) {
    const lo = v[n * 4 + 2 * index], hi = v[n * 4 + 2 * index + 1];
    S.w[0] = S.w[2] = lo;
    S.w[1] = S.w[3] = hi;
    if (scalar) S.w[2] = S.w[3] = 0;
    S.commit(cpu, d, true);
    return;
  }
  const esize = 8 << size, x = elem(cpu, n, index, esize);
  S.w[0] =
    S.w[1] =
    S.w[2] =
    S.w[3] =
      0;
  const lanes = scalar ? 1 : 16 >>> size;
  for (let i = 0; i < lanes; i++) setSElem(S, i, esize, x);
  S.commit(cpu, d, q && !scalar);
}

/** DUP (general): every lane from W/X[n]. */
function dupGeneral(cpu: Cpu, insn: number): void {
  const imm5 = (insn >>> 16) & 31, size = sizeOf(imm5);
  const q = (insn & (1 << 30)) !== 0;
  if (size < 0 || (size === 3 && !q)) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const n = (insn >>> 5) & 31, d = insn & 31;
  const lo = cpu.xlo[n], hi = cpu.xhi[n];
  if (size === 3) {
    S.w[0] = S.w[2] = lo;
    S.w[1] = S.w[3] = hi;
  } else {
    const esize = 8 << size;
    for (let i = 0; i < 16 >>> size; i++) setSElem(S, i, esize, lo);
  }
  S.commit(cpu, d, q);
}

/** INS (general): Vd.<Ts>[index] = W/X[n], other bits kept. */
function insGeneral(cpu: Cpu, insn: number): void {
  const imm5 = (insn >>> 16) & 31, size = sizeOf(imm5);
  if (size < 0) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const n = (insn >>> 5) & 31, d = insn & 31, index = imm5 >>> (size + 1);
  if (size === 3) {
    cpu.v[d * 4 + 2 * index] = cpu.xlo[n];
    cpu.v[d * 4 + 2 * index + 1] = cpu.xhi[n];
  } else setElem(cpu, d, index, 8 << size, cpu.xlo[n]);
}

/** INS (element): Vd.<Ts>[index1] = Vn.<Ts>[index2]. */
function insElement(cpu: Cpu, insn: number): void {
  const imm5 = (insn >>> 16) & 31, size = sizeOf(imm5);
  if (size < 0) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const n = (insn >>> 5) & 31, d = insn & 31;
  const dst = imm5 >>> (size + 1), src = ((insn >>> 11) & 15) >>> size;
  if (size === 3) {
    const lo = cpu.v[n * 4 + 2 * src], hi = cpu.v[n * 4 + 2 * src + 1];
    cpu.v[d * 4 + 2 * dst] = lo;
    cpu.v[d * 4 + 2 * dst + 1] = hi;
  } else setElem(cpu, d, dst, 8 << size, elem(cpu, n, src, 8 << size));
}

/** UMOV (Q selects W/X: 32-bit B/H/S, 64-bit D) and SMOV (sign-extend B/H/S into W/X). */
function mov(signed: boolean) {
  return (cpu: Cpu, insn: number): void => {
    const imm5 = (insn >>> 16) & 31, size = sizeOf(imm5);
    const q = (insn & (1 << 30)) !== 0;
    // UMOV: Q=0 for B/H/S, Q=1 for D. SMOV: B/H into W (Q=0) or X (Q=1), S only into X.
    const ok = signed
      ? size >= 0 && size < 3 && !(size === 2 && !q)
      : size >= 0 && (size === 3) === q;
    if (!ok) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, rd = insn & 31, d = rd === 31 ? R_DISCARD : rd;
    const index = imm5 >>> (size + 1);
    if (size === 3) {
      cpu.xlo[d] = cpu.v[n * 4 + 2 * index];
      cpu.xhi[d] = cpu.v[n * 4 + 2 * index + 1];
      return;
    }
    const esize = 8 << size, x = elem(cpu, n, index, esize);
    if (!signed) {
      cpu.xlo[d] = x;
      cpu.xhi[d] = 0;
      return;
    }
    const s = sx(x, esize);
    cpu.xlo[d] = s >>> 0;
    cpu.xhi[d] = q ? (s >> 31) >>> 0 : 0;
  };
}

/** AdvSIMD copy encodings. */
export const entries: EncodingEntry[] = [
  //          0 Q op 01110000 imm5  0 imm4 1 Rn    Rd
  { pattern: "0 x 0 01110000 xxxxx 0 0000 1 xxxxx xxxxx", name: "DUP (element)", exec: dupElement },
  {
    pattern: "0 1 0 11110000 xxxxx 0 0000 1 xxxxx xxxxx",
    name: "DUP (element, scalar)",
    exec: dupElement,
  },
  { pattern: "0 x 0 01110000 xxxxx 0 0001 1 xxxxx xxxxx", name: "DUP (general)", exec: dupGeneral },
  { pattern: "0 1 0 01110000 xxxxx 0 0011 1 xxxxx xxxxx", name: "INS (general)", exec: insGeneral },
  { pattern: "0 x 0 01110000 xxxxx 0 0101 1 xxxxx xxxxx", name: "SMOV", exec: mov(true) },
  { pattern: "0 x 0 01110000 xxxxx 0 0111 1 xxxxx xxxxx", name: "UMOV", exec: mov(false) },
  { pattern: "0 1 1 01110000 xxxxx 0 xxxx 1 xxxxx xxxxx", name: "INS (element)", exec: insElement },
];
