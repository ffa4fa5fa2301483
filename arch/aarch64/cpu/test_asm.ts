/**
 * Test support: hand encoders for the A64 instructions the CPU tests use,
 * and a harness that runs instruction words on a vCPU over a small RAM.
 * Encodings follow the Arm ARM encoding diagrams field by field.
 *
 * @module
 */
import { RegisterSet } from "@gunyah-ts/core/plugin";
import { Aarch64Vcpu } from "../vcpu.ts";
import { testInit, TestIrq, TestMmio, TestRam } from "./test_support.ts";

/** Build a word from [value, width] fields, most significant first (widths must sum to 32). */
export function fields(...f: [number, number][]): number {
  let w = 0, bits = 0;
  for (const [v, n] of f) {
    w = (w * 2 ** n + (v & (2 ** n - 1))) >>> 0;
    bits += n;
  }
  if (bits !== 32) throw new Error(`fields: ${bits} bits, expected 32`);
  return w >>> 0;
}

// --- Data processing (immediate) ---------------------------------------------
/** ADD/ADDS/SUB/SUBS (immediate). */
export const addSubImm = (
  sf: number,
  op: number,
  s: number,
  sh: number,
  imm12: number,
  rn: number,
  rd: number,
) => fields([sf, 1], [op, 1], [s, 1], [0b100010, 6], [sh, 1], [imm12, 12], [rn, 5], [rd, 5]);
/** Logical (immediate) with raw N:immr:imms. */
export const logImm = (
  sf: number,
  opc: number,
  n: number,
  immr: number,
  imms: number,
  rn: number,
  rd: number,
) => fields([sf, 1], [opc, 2], [0b100100, 6], [n, 1], [immr, 6], [imms, 6], [rn, 5], [rd, 5]);
/** MOVN (opc 0), MOVZ (2), MOVK (3). */
export const movWide = (sf: number, opc: number, hw: number, imm16: number, rd: number) =>
  fields([sf, 1], [opc, 2], [0b100101, 6], [hw, 2], [imm16, 16], [rd, 5]);
/** ADR (op 0) / ADRP (op 1) with a signed 21-bit immediate. */
export const adr = (op: number, imm: number, rd: number) =>
  fields([op, 1], [imm & 3, 2], [0b10000, 5], [(imm >> 2) & 0x7ffff, 19], [rd, 5]);
/** SBFM (opc 0), BFM (1), UBFM (2). */
export const bitfield = (
  sf: number,
  opc: number,
  immr: number,
  imms: number,
  rn: number,
  rd: number,
) => fields([sf, 1], [opc, 2], [0b100110, 6], [sf, 1], [immr, 6], [imms, 6], [rn, 5], [rd, 5]);
/** EXTR. */
export const extr = (sf: number, rm: number, lsb: number, rn: number, rd: number) =>
  fields([sf, 1], [0, 2], [0b100111, 6], [sf, 1], [0, 1], [rm, 5], [lsb, 6], [rn, 5], [rd, 5]);

// --- Data processing (register) ----------------------------------------------
/** ADD/SUB(S) (shifted register). */
export const addSubShift = (
  sf: number,
  op: number,
  s: number,
  shift: number,
  rm: number,
  imm6: number,
  rn: number,
  rd: number,
) =>
  fields([sf, 1], [op, 1], [s, 1], [0b01011, 5], [shift, 2], [0, 1], [rm, 5], [imm6, 6], [rn, 5], [
    rd,
    5,
  ]);
/** ADD/SUB(S) (extended register). */
export const addSubExt = (
  sf: number,
  op: number,
  s: number,
  rm: number,
  option: number,
  imm3: number,
  rn: number,
  rd: number,
) =>
  fields([sf, 1], [op, 1], [s, 1], [0b01011, 5], [0, 2], [1, 1], [rm, 5], [option, 3], [imm3, 3], [
    rn,
    5,
  ], [rd, 5]);
/** ADC/ADCS/SBC/SBCS. */
export const adcSbc = (sf: number, op: number, s: number, rm: number, rn: number, rd: number) =>
  fields([sf, 1], [op, 1], [s, 1], [0b11010000, 8], [rm, 5], [0, 6], [rn, 5], [rd, 5]);
/** Logical (shifted register): opc, N (invert). */
export const logShift = (
  sf: number,
  opc: number,
  shift: number,
  n: number,
  rm: number,
  imm6: number,
  rn: number,
  rd: number,
) =>
  fields([sf, 1], [opc, 2], [0b01010, 5], [shift, 2], [n, 1], [rm, 5], [imm6, 6], [rn, 5], [rd, 5]);
/** CCMN (op 0) / CCMP (op 1), register (imm=0) or immediate (imm=1) form. */
export const ccmp = (
  sf: number,
  op: number,
  imm: number,
  rmOrImm5: number,
  cond: number,
  rn: number,
  nzcv: number,
) =>
  fields(
    [sf, 1],
    [op, 1],
    [1, 1],
    [0b11010010, 8],
    [rmOrImm5, 5],
    [cond, 4],
    [imm, 1],
    [0, 1],
    [rn, 5],
    [0, 1],
    [nzcv, 4],
  );
/** CSEL (op 0, o2 0), CSINC (0, 1), CSINV (1, 0), CSNEG (1, 1). */
export const csel = (
  sf: number,
  op: number,
  o2: number,
  rm: number,
  cond: number,
  rn: number,
  rd: number,
) =>
  fields([sf, 1], [op, 1], [0, 1], [0b11010100, 8], [rm, 5], [cond, 4], [0, 1], [o2, 1], [rn, 5], [
    rd,
    5,
  ]);
/** Data-processing (1 source): opcode 0 RBIT, 1 REV16, 2 REV32/REV(W), 3 REV(X), 4 CLZ, 5 CLS. */
export const dp1 = (sf: number, opcode: number, rn: number, rd: number) =>
  fields([sf, 1], [1, 1], [0, 1], [0b11010110, 8], [0, 5], [opcode, 6], [rn, 5], [rd, 5]);
/** Data-processing (2 source): opcode 2 UDIV, 3 SDIV, 8..11 LSLV..RORV, 16..23 CRC32. */
export const dp2 = (sf: number, opcode: number, rm: number, rn: number, rd: number) =>
  fields([sf, 1], [0, 1], [0, 1], [0b11010110, 8], [rm, 5], [opcode, 6], [rn, 5], [rd, 5]);
/** Data-processing (3 source): op31, o0. */
export const dp3 = (
  sf: number,
  op31: number,
  rm: number,
  o0: number,
  ra: number,
  rn: number,
  rd: number,
) => fields([sf, 1], [0, 2], [0b11011, 5], [op31, 3], [rm, 5], [o0, 1], [ra, 5], [rn, 5], [rd, 5]);

// --- Branches ------------------------------------------------------------------
/** B (op 0) / BL (op 1) by a byte offset. */
export const b = (link: number, offset: number) =>
  fields([link, 1], [0b00101, 5], [offset / 4, 26]);
/** B.cond by a byte offset. */
export const bcond = (cond: number, offset: number) =>
  fields([0b0101010, 7], [0, 1], [offset / 4, 19], [0, 1], [cond, 4]);
/** CBZ (op 0) / CBNZ (op 1). */
export const cbz = (sf: number, op: number, offset: number, rt: number) =>
  fields([sf, 1], [0b011010, 6], [op, 1], [offset / 4, 19], [rt, 5]);
/** TBZ (op 0) / TBNZ (op 1) on bit `bit`. */
export const tbz = (op: number, bit: number, offset: number, rt: number) =>
  fields([bit >> 5, 1], [0b011011, 6], [op, 1], [bit & 31, 5], [offset / 4, 14], [rt, 5]);
/** BR (opc 0), BLR (1), RET (2). */
export const br = (opc: number, rn: number) =>
  fields([0b1101011, 7], [opc, 4], [31, 5], [0, 6], [rn, 5], [0, 5]);

// --- Loads and stores ----------------------------------------------------------
/** LDR/STR (unsigned immediate): size, opc, imm12 (scaled units). */
export const ldstUimm = (size: number, opc: number, imm12: number, rn: number, rt: number) =>
  fields([size, 2], [0b111, 3], [0, 1], [0b01, 2], [opc, 2], [imm12, 12], [rn, 5], [rt, 5]);
/** Imm9 forms: mode 0 unscaled, 1 post-index, 2 unprivileged, 3 pre-index. */
export const ldstImm9 = (
  size: number,
  opc: number,
  imm9: number,
  mode: number,
  rn: number,
  rt: number,
) =>
  fields([size, 2], [0b111, 3], [0, 1], [0, 2], [opc, 2], [0, 1], [imm9, 9], [mode, 2], [rn, 5], [
    rt,
    5,
  ]);
/** Register offset: option (2 UXTW, 3 LSL, 6 SXTW, 7 SXTX), S. */
export const ldstReg = (
  size: number,
  opc: number,
  rm: number,
  option: number,
  s: number,
  rn: number,
  rt: number,
) =>
  fields(
    [size, 2],
    [0b111, 3],
    [0, 1],
    [0, 2],
    [opc, 2],
    [1, 1],
    [rm, 5],
    [option, 3],
    [s, 1],
    [0b10, 2],
    [rn, 5],
    [rt, 5],
  );
/** LDR (literal): opc 0 W, 1 X, 2 LDRSW, 3 PRFM. */
export const ldrLit = (opc: number, offset: number, rt: number) =>
  fields([opc, 2], [0b011, 3], [0, 1], [0, 2], [offset / 4, 19], [rt, 5]);
/** Pair: opc (0 W, 1 LDPSW, 2 X), mode (0 non-temporal, 1 post, 2 offset, 3 pre), L, imm7 (scaled). */
export const ldstPair = (
  opc: number,
  mode: number,
  l: number,
  imm7: number,
  rt2: number,
  rn: number,
  rt: number,
) =>
  fields([opc, 2], [0b101, 3], [0, 1], [0, 1], [mode, 2], [l, 1], [imm7, 7], [rt2, 5], [rn, 5], [
    rt,
    5,
  ]);
/** Exclusive/ordered: size, o2, L, o1, Rs, o0, Rt2. */
export const ldstExcl = (
  size: number,
  o2: number,
  l: number,
  o1: number,
  rs: number,
  o0: number,
  rt2: number,
  rn: number,
  rt: number,
) =>
  fields([size, 2], [0b001000, 6], [o2, 1], [l, 1], [o1, 1], [rs, 5], [o0, 1], [rt2, 5], [rn, 5], [
    rt,
    5,
  ]);

/** NOP (HINT #0). */
export const NOP = 0xd503201f;

/** Base of the test RAM. */
export const RAM_BASE = 0x40000000;
/** Size of the test RAM (64 KiB). */
export const RAM_SIZE = 0x10000;
/** Where {@link Harness.exec} places single instructions. */
export const CODE = RAM_BASE + 0x1000;
/** A data area for load/store tests. */
export const DATA = RAM_BASE + 0x8000;

/** A vCPU over a fresh 64 KiB RAM at {@link RAM_BASE}, reset to EL1 at {@link CODE}. */
export class Harness {
  readonly ram: TestRam;
  readonly mmio = new TestMmio();
  readonly irq = new TestIrq();
  readonly logs: string[] = [];
  readonly vcpu: Aarch64Vcpu;

  constructor(ram?: TestRam, index = 0) {
    this.ram = ram ?? new TestRam(RAM_BASE, RAM_SIZE);
    this.vcpu = new Aarch64Vcpu(
      testInit(this.ram, { index, mmio: this.mmio, irq: this.irq, logs: this.logs }),
    );
    this.vcpu.reset(BigInt(CODE), 0n);
  }

  get cpu() {
    return this.vcpu.cpu;
  }

  /** Set X[n] (n = 0..30). */
  x(n: number, v: bigint): void {
    this.vcpu.setRegister(RegisterSet.X, n, v);
  }

  /** Read X[n]. */
  getX(n: number): bigint {
    return this.vcpu.getRegister(RegisterSet.X, n);
  }

  /** Load `words` at `at` (default {@link CODE}), point PC there, drop decoded code. */
  load(words: readonly number[], at = CODE): void {
    this.ram.writeWords(at, words);
    this.cpu.flushDecodeCache();
    this.vcpu.setRegister(RegisterSet.PC, 0, BigInt(at));
  }

  /** Execute one instruction word at {@link CODE}; returns the exit kind. */
  exec(word: number): number {
    this.load([word]);
    return this.vcpu.run(1);
  }

  /** NZCV as a 4-bit number (N = 8, Z = 4, C = 2, V = 1). */
  get flags(): number {
    return this.cpu.nzcv >>> 28;
  }

  /** Set NZCV from a 4-bit number. */
  set flags(v: number) {
    this.cpu.nzcv = (v << 28) >>> 0;
  }
}

/** Mask to 64 bits. */
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
/** Mask to 32 bits. */
export const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);

/** Edge-case 64-bit operands for arithmetic tests. */
export const EDGE_VALUES: readonly bigint[] = [
  0n,
  1n,
  2n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xffffffffffffffffn,
  0xfffffffffffffffen,
  0x123456789abcdef0n,
  0x8000000080000000n,
];

/** A deterministic stream of 64-bit test operands: the edge values, then xorshift64 output. */
export function* operands(count: number, seed = 0x9e3779b97f4a7c15n): Generator<bigint> {
  for (const v of EDGE_VALUES) yield v;
  let s = seed;
  for (let i = 0; i < count; i++) {
    s ^= u64(s << 13n);
    s ^= s >> 7n;
    s ^= u64(s << 17n);
    // Mix in small and sign-boundary values now and then.
    const k = i % 4;
    yield k === 0
      ? s
      : k === 1
      ? s >> BigInt(i % 64)
      : k === 2
      ? u64(-(s >> 40n))
      : s & 0xffffffffn;
  }
}

/** Reference AddWithCarry: [result, nzcv 4-bit]. */
export function refAddWithCarry(
  x: bigint,
  y: bigint,
  carry: bigint,
  bits: number,
): [bigint, number] {
  const mask = (1n << BigInt(bits)) - 1n;
  const sx = BigInt.asIntN(bits, x), sy = BigInt.asIntN(bits, y);
  const usum = (x & mask) + (y & mask) + carry;
  const ssum = sx + sy + carry;
  const r = usum & mask;
  const n = (r >> BigInt(bits - 1)) & 1n;
  const z = r === 0n ? 1 : 0;
  const c = r === usum ? 0 : 1;
  const v = BigInt.asIntN(bits, r) === ssum ? 0 : 1;
  return [r, (Number(n) << 3) | (z << 2) | (c << 1) | v];
}
