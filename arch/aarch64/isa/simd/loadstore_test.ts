import { assertEquals } from "@gunyah-ts/tests/assert";
import { DATA, fields, Harness } from "../../cpu/test_asm.ts";

function simdHarness(): Harness {
  const h = new Harness();
  h.cpu.sys.setCpacr(0x300000);
  return h;
}

/** Fill V[n] with bytes base, base+1, ... */
function fillV(h: Harness, n: number, base: number): void {
  for (let i = 0; i < 16; i++) h.cpu.vb[n * 16 + i] = (base + i) & 0xff;
}
function vBytes(h: Harness, n: number): number[] {
  return Array.from(h.cpu.vb.subarray(n * 16, n * 16 + 16));
}
function memBytes(h: Harness, at: number, len: number): number[] {
  const m = h.ram.mapping;
  return Array.from(m.bytes.subarray(at - h.ram.base, at - h.ram.base + len));
}
function fillMem(h: Harness, at: number, len: number, base: number): void {
  for (let i = 0; i < len; i++) h.ram.mapping.bytes[at - h.ram.base + i] = (base + i) & 0xff;
}
const seq = (base: number, len: number) => Array.from({ length: len }, (_, i) => (base + i) & 0xff);

/** LDR/STR (unsigned offset) SIMD&FP: size, opc (bits 23:22), imm12, Rn, Rt. */
const ldstUimm = (size: number, opc: number, imm12: number, rn: number, rt: number) =>
  fields([size, 2], [0b111101, 6], [opc, 2], [imm12, 12], [rn, 5], [rt, 5]);
/** imm9 forms: mode 00 unscaled, 01 post, 11 pre. */
const ldstImm9 = (size: number, opc: number, imm9: number, mode: number, rn: number, rt: number) =>
  fields([size, 2], [0b111100, 6], [opc, 2], [0, 1], [imm9, 9], [mode, 2], [rn, 5], [rt, 5]);
/** Register offset. */
const ldstReg = (
  size: number,
  opc: number,
  rm: number,
  option: number,
  s: number,
  rn: number,
  rt: number,
) =>
  fields([size, 2], [0b111100, 6], [opc, 2], [1, 1], [rm, 5], [option, 3], [s, 1], [0b10, 2], [
    rn,
    5,
  ], [rt, 5]);
/** Pair: opc (S/D/Q = 0/1/2), mode (00 no-alloc, 01 post, 10 offset, 11 pre), L. */
const ldstPair = (
  opc: number,
  mode: number,
  l: number,
  imm7: number,
  rt2: number,
  rn: number,
  rt: number,
) => fields([opc, 2], [0b10110, 5], [mode, 2], [l, 1], [imm7, 7], [rt2, 5], [rn, 5], [rt, 5]);

Deno.test("LDR/STR Q, D, S, H, B: unsigned offset, unscaled, pre/post-index, register offset", () => {
  const h = simdHarness();
  fillMem(h, DATA, 64, 0x10);
  h.x(1, BigInt(DATA));
  h.exec(ldstUimm(0, 0b11, 1, 1, 0)); // LDR Q0, [X1, #16]
  assertEquals(vBytes(h, 0), seq(0x20, 16));
  fillV(h, 2, 0x80);
  h.exec(ldstUimm(3, 0b01, 1, 1, 2)); // LDR D2, [X1, #8]: upper 64 bits zeroed
  assertEquals(vBytes(h, 2), [...seq(0x18, 8), ...new Array(8).fill(0)]);
  h.exec(ldstUimm(1, 0b01, 3, 1, 3)); // LDR H3, [X1, #6]
  assertEquals(vBytes(h, 3).slice(0, 3), [0x16, 0x17, 0]);
  h.exec(ldstImm9(0, 0b01, 0x1ff, 0b00, 1, 4)); // LDUR B4, [X1, #-1]
  assertEquals(h.cpu.v[16], 0);
  // STR Q0, [X1, #-16]! (pre-index) then STR S0, [X1], #4 (post-index)
  h.x(1, BigInt(DATA + 0x100));
  h.exec(ldstImm9(0, 0b10, 0x1f0, 0b11, 1, 0));
  assertEquals(h.getX(1), BigInt(DATA + 0xf0));
  assertEquals(memBytes(h, DATA + 0xf0, 16), seq(0x20, 16));
  fillV(h, 5, 0x40);
  h.exec(ldstImm9(2, 0b00, 4, 0b01, 1, 5));
  assertEquals(h.getX(1), BigInt(DATA + 0xf4));
  assertEquals(memBytes(h, DATA + 0xf0, 6), [0x40, 0x41, 0x42, 0x43, 0x24, 0x25]);
  // LDR Q6, [X1, X2, LSL #4] with X1 = DATA, X2 = 2
  h.x(1, BigInt(DATA));
  h.x(2, 2n);
  h.exec(ldstReg(0, 0b11, 2, 0b011, 1, 1, 6));
  assertEquals(vBytes(h, 6), seq(0x30, 16));
  // STR D6, [X1, W3, SXTW] with W3 = -8 (X1 = DATA + 0x40)
  h.x(1, BigInt(DATA + 0x40));
  h.x(3, 0xfffffff8n);
  h.exec(ldstReg(3, 0b00, 3, 0b110, 0, 1, 6));
  assertEquals(memBytes(h, DATA + 0x38, 8), seq(0x30, 8));
});

Deno.test("LDR (literal) S/D/Q and LDP/STP/LDNP/STNP of S/D/Q with writeback", () => {
  const h = simdHarness();
  // Literal: place the data right after the instruction (offset +8 words).
  const code = 0x40001000;
  const lit = (opc: number, imm19: number, rt: number) =>
    fields([opc, 2], [0b011100, 6], [imm19, 19], [rt, 5]);
  fillMem(h, code + 32, 16, 0x60);
  h.exec(lit(2, 8, 7)); // LDR Q7, #32
  assertEquals(vBytes(h, 7), seq(0x60, 16));
  fillMem(h, DATA, 128, 0);
  h.x(1, BigInt(DATA + 32));
  h.exec(ldstPair(2, 0b10, 1, 0x7e, 9, 1, 8)); // LDP Q8, Q9, [X1, #-32]
  assertEquals([vBytes(h, 8), vBytes(h, 9)], [seq(0, 16), seq(16, 16)]);
  h.exec(ldstPair(2, 0b11, 0, 2, 9, 1, 8)); // STP Q8, Q9, [X1, #32]!
  assertEquals(h.getX(1), BigInt(DATA + 64));
  assertEquals(memBytes(h, DATA + 64, 32), seq(0, 32));
  h.exec(ldstPair(1, 0b01, 1, 0x7f, 11, 1, 10)); // LDP D10, D11, [X1], #-8
  assertEquals(h.getX(1), BigInt(DATA + 56));
  assertEquals([vBytes(h, 10), vBytes(h, 11)], [[...seq(0, 8), ...new Array(8).fill(0)], [
    ...seq(8, 8),
    ...new Array(8).fill(0),
  ]]);
  h.exec(ldstPair(0, 0b00, 0, 1, 11, 1, 10)); // STNP S10, S11, [X1, #4]
  assertEquals(memBytes(h, DATA + 60, 8), [0, 1, 2, 3, 8, 9, 10, 11]);
});

/** AdvSIMD load/store multiple structures: Q, L, post, Rm, opcode, size, Rn, Rt. */
const ldMulti = (
  q: number,
  l: number,
  post: number,
  rm: number,
  opcode: number,
  size: number,
  rn: number,
  rt: number,
) =>
  fields(
    [0, 1],
    [q, 1],
    [0b0011000 | post, 7],
    [l, 1],
    [0, 1],
    [post ? rm : 0, 5],
    [opcode, 4],
    [size, 2],
    [rn, 5],
    [rt, 5],
  );
/** Single structure: Q, L, R, post, Rm, opcode, S, size. */
const ldSingle = (
  q: number,
  l: number,
  r: number,
  post: number,
  rm: number,
  opcode: number,
  s: number,
  size: number,
  rn: number,
  rt: number,
) =>
  fields(
    [0, 1],
    [q, 1],
    [0b0011010 | post, 7],
    [l, 1],
    [r, 1],
    [post ? rm : 0, 5],
    [opcode, 3],
    [s, 1],
    [size, 2],
    [rn, 5],
    [rt, 5],
  );

Deno.test("LD1/ST1 multiple registers, post-index by immediate and by register, register wrap", () => {
  const h = simdHarness();
  fillMem(h, DATA, 64, 0);
  h.x(1, BigInt(DATA));
  h.exec(ldMulti(1, 1, 1, 31, 0b0010, 0, 1, 30)); // LD1 {V30.16B-V1.16B} (4 regs, wraps), [X1], #64
  assertEquals(h.getX(1), BigInt(DATA + 64));
  assertEquals([vBytes(h, 30), vBytes(h, 31), vBytes(h, 0), vBytes(h, 1)], [
    seq(0, 16),
    seq(16, 16),
    seq(32, 16),
    seq(48, 16),
  ]);
  h.x(2, 3n);
  h.exec(ldMulti(0, 1, 1, 2, 0b0111, 3, 1, 4)); // LD1 {V4.1D}, [X1], X2
  assertEquals(h.getX(1), BigInt(DATA + 67));
  fillV(h, 5, 0xa0);
  fillV(h, 6, 0xb0);
  h.x(1, BigInt(DATA + 0x100));
  h.exec(ldMulti(1, 0, 0, 0, 0b1010, 0, 1, 5)); // ST1 {V5.16B, V6.16B}, [X1]
  assertEquals(memBytes(h, DATA + 0x100, 32), [...seq(0xa0, 16), ...seq(0xb0, 16)]);
});

Deno.test("LD2/ST2, LD3, LD4 interleave; LD1 single lane; LD1R/LD2R replicate", () => {
  const h = simdHarness();
  fillMem(h, DATA, 64, 0);
  h.x(1, BigInt(DATA));
  h.exec(ldMulti(0, 1, 0, 0, 0b1000, 1, 1, 2)); // LD2 {V2.4H, V3.4H}, [X1]
  assertEquals(Array.from(h.cpu.vh.subarray(16, 20)), [0x0100, 0x0504, 0x0908, 0x0d0c]);
  assertEquals(Array.from(h.cpu.vh.subarray(24, 28)), [0x0302, 0x0706, 0x0b0a, 0x0f0e]);
  assertEquals(h.cpu.v[11], 0); // Q = 0 clears the upper half
  h.exec(ldMulti(1, 1, 0, 0, 0b0100, 0, 1, 4)); // LD3 {V4-V6.16B}
  assertEquals([h.cpu.vb[64], h.cpu.vb[65], h.cpu.vb[80], h.cpu.vb[96], h.cpu.vb[97]], [
    0,
    3,
    1,
    2,
    5,
  ]);
  h.exec(ldMulti(1, 1, 0, 0, 0b0000, 2, 1, 8)); // LD4 {V8-V11.4S}
  assertEquals([h.cpu.v[32], h.cpu.v[33], h.cpu.v[36], h.cpu.v[44]], [
    0x03020100,
    0x13121110,
    0x07060504,
    0x0f0e0d0c,
  ]);
  h.x(1, BigInt(DATA + 0x100));
  h.exec(ldMulti(1, 0, 0, 0, 0b1000, 2, 1, 8)); // ST2 {V8.4S, V9.4S}: re-interleave
  assertEquals(memBytes(h, DATA + 0x100, 8), [0, 1, 2, 3, 4, 5, 6, 7]);
  // LD1 {V12.S}[3], [X1] (opcode 100, S = 1, Q = 1 -> index 3)
  fillV(h, 12, 0xc0);
  h.x(1, BigInt(DATA + 8));
  h.exec(ldSingle(1, 1, 0, 0, 0, 0b100, 1, 0, 1, 12));
  assertEquals(h.cpu.v[51], 0x0b0a0908);
  assertEquals(h.cpu.v[48], 0xc3c2c1c0);
  // ST1 {V12.B}[15], [X1], #1 (post-index immediate)
  h.x(1, BigInt(DATA + 0x200));
  h.exec(ldSingle(1, 0, 0, 1, 31, 0b000, 1, 0b11, 1, 12));
  assertEquals([memBytes(h, DATA + 0x200, 1)[0], h.getX(1)], [0x0b, BigInt(DATA + 0x201)]);
  // LD1R {V13.8H}, [X1]; LD2R {V14.2S, V15.2S}, [X1]
  h.x(1, BigInt(DATA + 4));
  h.exec(ldSingle(1, 1, 0, 0, 0, 0b110, 0, 1, 1, 13));
  assertEquals(Array.from(h.cpu.vh.subarray(104, 112)), new Array(8).fill(0x0504));
  h.exec(ldSingle(0, 1, 1, 0, 0, 0b110, 0, 2, 1, 14));
  assertEquals([h.cpu.v[56], h.cpu.v[57], h.cpu.v[58], h.cpu.v[60], h.cpu.v[61]], [
    0x07060504,
    0x07060504,
    0,
    0x0b0a0908,
    0x0b0a0908,
  ]);
});

Deno.test("SIMD loads/stores trap under CPACR_EL1.FPEN and reserved forms are UNDEFINED", () => {
  const h = new Harness();
  h.cpu.sys.setCpacr(0);
  h.x(1, BigInt(DATA));
  h.exec(ldstUimm(0, 0b11, 0, 1, 0));
  assertEquals(h.cpu.sys.esr >>> 26, 0x07);
  const u = simdHarness();
  u.x(1, BigInt(DATA));
  u.exec(ldstUimm(1, 0b11, 0, 1, 0)); // size 01 with opc 1x: unallocated
  assertEquals(u.cpu.sys.esr >>> 26, 0x00);
});
