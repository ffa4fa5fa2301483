/**
 * Test support: hand encoders for the AdvSIMD instruction classes, field by
 * field as in the Arm ARM encoding diagrams, and a harness with FP/SIMD
 * enabled.
 *
 * @module
 */
import { fields, Harness } from "../../cpu/test_asm.ts";

/** A harness with CPACR_EL1.FPEN = 0b11 (no FP/SIMD trap). */
export function simdHarness(): Harness {
  const h = new Harness();
  h.cpu.sys.setCpacr(0x300000);
  return h;
}

/** Three same: 0 Q U 01110 size 1 Rm opcode 1 Rn Rd. */
export const threeSame = (
  q: number,
  u: number,
  size: number,
  rm: number,
  opcode: number,
  rn: number,
  rd: number,
) =>
  fields([0, 1], [q, 1], [u, 1], [0b01110, 5], [size, 2], [1, 1], [rm, 5], [opcode, 5], [1, 1], [
    rn,
    5,
  ], [rd, 5]);
/** Scalar three same: 01 U 11110 size 1 Rm opcode 1 Rn Rd. */
export const scalarThreeSame = (
  u: number,
  size: number,
  rm: number,
  opcode: number,
  rn: number,
  rd: number,
) =>
  fields(
    [0b01, 2],
    [u, 1],
    [0b11110, 5],
    [size, 2],
    [1, 1],
    [rm, 5],
    [opcode, 5],
    [1, 1],
    [rn, 5],
    [rd, 5],
  );
/** Two-register misc: 0 Q U 01110 size 10000 opcode 10 Rn Rd. */
export const twoMisc = (
  q: number,
  u: number,
  size: number,
  opcode: number,
  rn: number,
  rd: number,
) =>
  fields([0, 1], [q, 1], [u, 1], [0b01110, 5], [size, 2], [0b10000, 5], [opcode, 5], [0b10, 2], [
    rn,
    5,
  ], [rd, 5]);
/** Across lanes: 0 Q U 01110 size 11000 opcode 10 Rn Rd. */
export const acrossLanes = (
  q: number,
  u: number,
  size: number,
  opcode: number,
  rn: number,
  rd: number,
) =>
  fields([0, 1], [q, 1], [u, 1], [0b01110, 5], [size, 2], [0b11000, 5], [opcode, 5], [0b10, 2], [
    rn,
    5,
  ], [rd, 5]);
/** Copy: 0 Q op 01110000 imm5 0 imm4 1 Rn Rd. */
export const copy = (q: number, op: number, imm5: number, imm4: number, rn: number, rd: number) =>
  fields([0, 1], [q, 1], [op, 1], [0b01110000, 8], [imm5, 5], [0, 1], [imm4, 4], [1, 1], [rn, 5], [
    rd,
    5,
  ]);
/** Modified immediate: 0 Q op 0111100000 abc cmode o2 1 defgh Rd. */
export const modImm = (q: number, op: number, imm8: number, cmode: number, rd: number) =>
  fields([0, 1], [q, 1], [op, 1], [0b0111100000, 10], [imm8 >> 5, 3], [cmode, 4], [0, 1], [1, 1], [
    imm8 & 31,
    5,
  ], [rd, 5]);
/** Shift by immediate: 0 Q U 011110 immh:immb opcode 1 Rn Rd. */
export const shiftImm = (
  q: number,
  u: number,
  immhb: number,
  opcode: number,
  rn: number,
  rd: number,
) =>
  fields([0, 1], [q, 1], [u, 1], [0b011110, 6], [immhb, 7], [opcode, 5], [1, 1], [rn, 5], [rd, 5]);
/** Three different: 0 Q U 01110 size 1 Rm opcode 00 Rn Rd. */
export const threeDiff = (
  q: number,
  u: number,
  size: number,
  rm: number,
  opcode: number,
  rn: number,
  rd: number,
) =>
  fields([0, 1], [q, 1], [u, 1], [0b01110, 5], [size, 2], [1, 1], [rm, 5], [opcode, 4], [0, 2], [
    rn,
    5,
  ], [rd, 5]);
/** By element: 0 Q U 01111 size L M Rm<3:0> opcode H 0 Rn Rd. */
export const byElement = (
  q: number,
  u: number,
  size: number,
  l: number,
  m: number,
  rm: number,
  opcode: number,
  h: number,
  rn: number,
  rd: number,
) =>
  fields(
    [0, 1],
    [q, 1],
    [u, 1],
    [0b01111, 5],
    [size, 2],
    [l, 1],
    [m, 1],
    [rm, 4],
    [opcode, 4],
    [h, 1],
    [0, 1],
    [rn, 5],
    [rd, 5],
  );
/** Permute: 0 Q 0 01110 size 0 Rm 0 opcode 10 Rn Rd. */
export const permute = (
  q: number,
  size: number,
  rm: number,
  opcode: number,
  rn: number,
  rd: number,
) =>
  fields(
    [0, 1],
    [q, 1],
    [0, 1],
    [0b01110, 5],
    [size, 2],
    [0, 1],
    [rm, 5],
    [0, 1],
    [opcode, 3],
    [0b10, 2],
    [rn, 5],
    [rd, 5],
  );
/** EXT: 0 Q 101110 00 0 Rm 0 imm4 0 Rn Rd. */
export const ext = (q: number, rm: number, imm4: number, rn: number, rd: number) =>
  fields(
    [0, 1],
    [q, 1],
    [0b101110, 6],
    [0, 2],
    [0, 1],
    [rm, 5],
    [0, 1],
    [imm4, 4],
    [0, 1],
    [rn, 5],
    [rd, 5],
  );
/** TBL (op 0) / TBX (op 1) with len + 1 table registers. */
export const tbl = (q: number, rm: number, len: number, op: number, rn: number, rd: number) =>
  fields(
    [0, 1],
    [q, 1],
    [0b001110, 6],
    [0, 2],
    [0, 1],
    [rm, 5],
    [0, 1],
    [len, 2],
    [op, 1],
    [0, 2],
    [rn, 5],
    [rd, 5],
  );

/** Set V[n] from 16 bytes. */
export function setBytes(h: Harness, n: number, bytes: readonly number[]): void {
  for (let i = 0; i < 16; i++) h.cpu.vb[n * 16 + i] = bytes[i] ?? 0;
}
/** The 16 bytes of V[n]. */
export function bytesOf(h: Harness, n: number): number[] {
  return Array.from(h.cpu.vb.subarray(n * 16, n * 16 + 16));
}
/** The lanes of V[n] as 16-bit values. */
export function halvesOf(h: Harness, n: number): number[] {
  return Array.from(h.cpu.vh.subarray(n * 8, n * 8 + 8));
}
/** The four words of V[n]. */
export function wordsOf(h: Harness, n: number): number[] {
  return Array.from(h.cpu.v.subarray(n * 4, n * 4 + 4));
}
/** Set the four words of V[n]. */
export function setWords(h: Harness, n: number, w: readonly number[]): void {
  for (let i = 0; i < 4; i++) h.cpu.v[n * 4 + i] = w[i] >>> 0;
}
