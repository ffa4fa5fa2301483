/**
 * Load/store of one general register: unsigned scaled offset (LDR, STR,
 * LDRB, ..., LDRSW, PRFM), unscaled offset (LDUR, STUR, ..., PRFUM), pre-
 * and post-indexed immediate, unprivileged (LDTR, STTR, ...), and register
 * offset with LSL/UXTW/SXTW/SXTX and optional scaling. Arm ARM C4.1.94
 * "Load/store register (unsigned immediate)", "(unscaled immediate)",
 * "(immediate post-indexed)", "(immediate pre-indexed)", "(unprivileged)",
 * "(register offset)". SIMD&FP registers (V = 1) belong to isa/simd.
 *
 * Writeback with Rn == Rt (Rn != SP) is CONSTRAINED UNPREDICTABLE; like
 * QEMU, a load writes Rt first and then the written-back address to Rn (the
 * address wins), and a store stores Rt's value from before the writeback.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { ACC_UNPRIV } from "../../mmu/access.ts";
import { extendReg64, out } from "../integer/operands.ts";
import {
  address,
  addressOf,
  addressOf64,
  loadRegister,
  LoadStoreOpc,
  storeRegister,
  writeBack,
} from "./transfer.ts";

/** What a (size, opc) pair means. */
const enum Kind {
  Transfer = 0,
  Prefetch = 1,
  Unallocated = 2,
}

/** size = 3 with opc = 2 is PRFM/PRFUM where `prefetchAllowed`, otherwise reserved. */
function kindOf(size: number, opc: number, prefetchAllowed: boolean): Kind {
  if (opc < 2) return Kind.Transfer;
  if (size === 3) {
    return opc === 2 && prefetchAllowed ? Kind.Prefetch : Kind.Unallocated;
  }
  if (opc === 3 && size === 2) return Kind.Unallocated;
  return Kind.Transfer;
}

function transfer(cpu: Cpu, t: number, size: number, opc: number, flags: number): void {
  if (opc === LoadStoreOpc.Store) storeRegister(cpu, t, size, flags);
  else loadRegister(cpu, t, size, opc, flags);
}

function unsignedOffset(cpu: Cpu, insn: number): void {
  const size = insn >>> 30, opc = (insn >>> 22) & 3;
  const kind = kindOf(size, opc, true);
  if (kind !== Kind.Transfer) {
    if (kind === Kind.Unallocated) unallocatedEncoding(cpu, insn);
    return; // PRFM: a hint, no translation, no fault
  }
  addressOf(cpu, (insn >>> 5) & 31, ((insn >>> 10) & 0xfff) << size);
  transfer(cpu, insn & 31, size, opc, 0);
}

/** imm9, signed. */
function imm9(insn: number): number {
  return (insn << 11) >> 23;
}

function unscaledOrUnprivileged(cpu: Cpu, insn: number): void {
  const size = insn >>> 30, opc = (insn >>> 22) & 3;
  const unprivileged = (insn & (1 << 11)) !== 0;
  const kind = kindOf(size, opc, !unprivileged);
  if (kind !== Kind.Transfer) {
    if (kind === Kind.Unallocated) unallocatedEncoding(cpu, insn);
    return; // PRFUM
  }
  addressOf(cpu, (insn >>> 5) & 31, imm9(insn));
  transfer(cpu, insn & 31, size, opc, unprivileged ? ACC_UNPRIV : 0);
}

function indexed(cpu: Cpu, insn: number): void {
  const size = insn >>> 30, opc = (insn >>> 22) & 3;
  if (kindOf(size, opc, false) !== Kind.Transfer) unallocatedEncoding(cpu, insn);
  const n = (insn >>> 5) & 31, t = insn & 31;
  const pre = (insn & (1 << 11)) !== 0;
  const offset = imm9(insn);
  addressOf(cpu, n, pre ? offset : 0);
  const aLo = address[0], aHi = address[1];
  transfer(cpu, t, size, opc, 0);
  if (pre) writeBack(cpu, n, aLo, aHi);
  else {
    const s = aLo + offset;
    writeBack(cpu, n, s >>> 0, (aHi + Math.floor(s / 0x100000000)) >>> 0);
  }
}

function registerOffset(cpu: Cpu, insn: number): void {
  const size = insn >>> 30, opc = (insn >>> 22) & 3;
  const option = (insn >>> 13) & 7;
  if ((option & 2) === 0) unallocatedEncoding(cpu, insn); // only UXTW, LSL, SXTW, SXTX
  const kind = kindOf(size, opc, true);
  if (kind !== Kind.Transfer) {
    if (kind === Kind.Unallocated) unallocatedEncoding(cpu, insn);
    return; // PRFM (register)
  }
  const shift = (insn & (1 << 12)) !== 0 ? size : 0;
  extendReg64(cpu, (insn >>> 16) & 31, option, shift);
  addressOf64(cpu, (insn >>> 5) & 31, out[0], out[1]);
  transfer(cpu, insn & 31, size, opc, 0);
}

/** Encoding table of the single-register load/store classes (V = 0). */
export const entries: EncodingEntry[] = [
  //          size     V    opc imm12        Rn    Rt
  {
    pattern: "xx   111 0 01 xx  xxxxxxxxxxxx xxxxx xxxxx",
    name: "LDR/STR (unsigned immediate)",
    exec: unsignedOffset,
  },
  //          size     V    opc   imm9           Rn    Rt
  {
    pattern: "xx   111 0 00 xx  0 xxxxxxxxx 00 xxxxx xxxxx",
    name: "LDUR/STUR (unscaled immediate)",
    exec: unscaledOrUnprivileged,
  },
  {
    pattern: "xx   111 0 00 xx  0 xxxxxxxxx 10 xxxxx xxxxx",
    name: "LDTR/STTR (unprivileged)",
    exec: unscaledOrUnprivileged,
  },
  {
    pattern: "xx   111 0 00 xx  0 xxxxxxxxx x1 xxxxx xxxxx",
    name: "LDR/STR (immediate pre/post-indexed)",
    exec: indexed,
  },
  //          size     V    opc   Rm    option S    Rn    Rt
  {
    pattern: "xx   111 0 00 xx  1 xxxxx xxx    x 10 xxxxx xxxxx",
    name: "LDR/STR (register offset)",
    exec: registerOffset,
  },
];
