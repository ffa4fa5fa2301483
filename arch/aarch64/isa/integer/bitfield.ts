/**
 * Bitfield and extract: SBFM, BFM, UBFM (and every alias: ASR, LSL, LSR
 * (immediate), SBFIZ, SBFX, SXTB/SXTH/SXTW, BFC, BFI, BFXIL, UBFIZ, UBFX,
 * UXTB, UXTH) and EXTR (alias ROR (immediate)). Arm ARM C4.1.92 "Bitfield",
 * "Extract".
 *
 * Every form reduces to: take a field of `width` bits starting at bit `lsb`
 * of the source, place it at bit `pos` of the result; then UBFM zeroes the
 * rest, SBFM fills above with the field's top bit and zeroes below, BFM keeps
 * the destination's other bits. For imms >= immr: lsb = immr, width =
 * imms - immr + 1, pos = 0; otherwise lsb = 0, width = imms + 1, pos =
 * datasize - immr. This is DecodeBitMasks(immediate = FALSE) with the
 * rotate written out.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { rdZr, rmZr, rnZr } from "../../decode/fields.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { lsr64, out, shl64 } from "./u64.ts";

/** `opc` values (bits 30:29). */
const OPC_SBFM = 0, OPC_BFM = 1;

/** Mask of the low `n` bits (0..32) of a 32-bit word. */
function ones32(n: number): number {
  return n >= 32 ? 0xffffffff : ((1 << n) - 1) >>> 0;
}

function bitfield32(cpu: Cpu, insn: number, opc: number, immr: number, imms: number): void {
  const d = rdZr(insn), n = rnZr(insn);
  const src = cpu.xlo[n];
  let lsb: number, width: number, pos: number;
  if (imms >= immr) {
    lsb = immr;
    width = imms - immr + 1;
    pos = 0;
  } else {
    lsb = 0;
    width = imms + 1;
    pos = 32 - immr;
  }
  const fieldMask = ones32(width);
  const field = (src >>> lsb) & fieldMask;
  const placed = (field << pos) >>> 0;
  let r: number;
  if (opc === OPC_BFM) {
    const m = (fieldMask << pos) >>> 0;
    r = ((cpu.xlo[d] & ~m) | placed) >>> 0;
  } else if (opc === OPC_SBFM && ((src >>> imms) & 1) !== 0) {
    r = (placed | ~ones32(pos + width)) >>> 0;
  } else r = placed;
  cpu.xlo[d] = r;
  cpu.xhi[d] = 0;
}

function bitfield64(cpu: Cpu, insn: number, opc: number, immr: number, imms: number): void {
  const d = rdZr(insn), n = rnZr(insn);
  let lsb: number, width: number, pos: number;
  if (imms >= immr) {
    lsb = immr;
    width = imms - immr + 1;
    pos = 0;
  } else {
    lsb = 0;
    width = imms + 1;
    pos = 64 - immr;
  }
  const slo = cpu.xlo[n], shi = cpu.xhi[n];
  const negative = (imms >= 32 ? (shi >>> (imms - 32)) : (slo >>> imms)) & 1;
  // field = (src >> lsb) & ones(width)
  lsr64(slo, shi, lsb);
  let flo = out[0], fhi = out[1];
  if (width < 32) {
    flo &= ones32(width);
    fhi = 0;
  } else if (width < 64) fhi &= ones32(width - 32);
  shl64(flo >>> 0, fhi >>> 0, pos);
  const plo = out[0], phi = out[1];
  let rlo: number, rhi: number;
  const top = pos + width; // bits [top-1 : pos] hold the field; top <= 64
  if (opc === OPC_BFM) {
    // mask of the field's bits in place
    const mlo = (top >= 32 ? 0xffffffff : ones32(top)) & ~ones32(Math.min(pos, 32));
    const mhi = (top > 32 ? ones32(top - 32) : 0) & ~(pos > 32 ? ones32(pos - 32) : 0);
    rlo = (cpu.xlo[d] & ~mlo) | plo;
    rhi = (cpu.xhi[d] & ~mhi) | phi;
  } else if (opc === OPC_SBFM && negative !== 0) {
    rlo = plo | (top >= 32 ? 0 : ~ones32(top));
    rhi = phi | (top >= 64 ? 0 : top > 32 ? ~ones32(top - 32) : 0xffffffff);
  } else {
    rlo = plo;
    rhi = phi;
  }
  cpu.xlo[d] = rlo >>> 0;
  cpu.xhi[d] = rhi >>> 0;
}

function bitfield(cpu: Cpu, insn: number): void {
  const sf = (insn >>> 31) !== 0;
  const nBit = (insn >>> 22) & 1;
  const immr = (insn >>> 16) & 63, imms = (insn >>> 10) & 63;
  const opc = (insn >>> 29) & 3;
  if (sf) {
    if (nBit !== 1) unallocatedEncoding(cpu, insn);
    bitfield64(cpu, insn, opc, immr, imms);
  } else {
    if (nBit !== 0 || immr >= 32 || imms >= 32) unallocatedEncoding(cpu, insn);
    bitfield32(cpu, insn, opc, immr, imms);
  }
}

function extract(cpu: Cpu, insn: number): void {
  const sf = (insn >>> 31) !== 0;
  const lsb = (insn >>> 10) & 63;
  if (((insn >>> 22) & 1) !== (sf ? 1 : 0)) unallocatedEncoding(cpu, insn); // N must equal sf
  const d = rdZr(insn), n = rnZr(insn), m = rmZr(insn);
  if (!sf) {
    if (lsb >= 32) unallocatedEncoding(cpu, insn);
    const lo = cpu.xlo[m], hi = cpu.xlo[n];
    cpu.xlo[d] = lsb === 0 ? lo : ((lo >>> lsb) | (hi << (32 - lsb))) >>> 0;
    cpu.xhi[d] = 0;
    return;
  }
  // Result = (Xn:Xm)<lsb+63:lsb>: a 128-bit window of limbs [m.lo, m.hi, n.lo, n.hi].
  const l0 = cpu.xlo[m], l1 = cpu.xhi[m], l2 = cpu.xlo[n], l3 = cpu.xhi[n];
  let a: number, b: number, c: number;
  if (lsb < 32) {
    a = l0;
    b = l1;
    c = l2;
  } else {
    a = l1;
    b = l2;
    c = l3;
  }
  const s = lsb & 31;
  if (s === 0) {
    cpu.xlo[d] = a;
    cpu.xhi[d] = b;
  } else {
    cpu.xlo[d] = ((a >>> s) | (b << (32 - s))) >>> 0;
    cpu.xhi[d] = ((b >>> s) | (c << (32 - s))) >>> 0;
  }
}

/** Encoding table of the bitfield and extract classes. */
export const entries: EncodingEntry[] = [
  //          sf opc        N immr   imms   Rn    Rd
  { pattern: "x  0x  100110 x xxxxxx xxxxxx xxxxx xxxxx", name: "SBFM/BFM", exec: bitfield },
  { pattern: "x  10  100110 x xxxxxx xxxxxx xxxxx xxxxx", name: "UBFM", exec: bitfield },
  //          sf op21       N o0 Rm    imms   Rn    Rd
  { pattern: "x  00  100111 x 0  xxxxx xxxxxx xxxxx xxxxx", name: "EXTR", exec: extract },
];
