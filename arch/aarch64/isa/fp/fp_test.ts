import { assertEquals } from "@gunyah-ts/tests/assert";
import { fields, Harness } from "../../cpu/test_asm.ts";
import { FPSR_IOC, FPSR_IXC } from "../../softfloat/mod.ts";

/** FP data-processing (2 source): FMUL 0, FDIV 1, FADD 2, FSUB 3, ... FNMUL 8. */
const fp2 = (ftype: number, op: number, rm: number, rn: number, rd: number) =>
  fields([0b00011110, 8], [ftype, 2], [1, 1], [rm, 5], [op, 4], [0b10, 2], [rn, 5], [rd, 5]);
/** FP data-processing (1 source). */
const fp1 = (ftype: number, opcode: number, rn: number, rd: number) =>
  fields([0b00011110, 8], [ftype, 2], [1, 1], [opcode, 6], [0b10000, 5], [rn, 5], [rd, 5]);
/** FMADD family: o1:o0. */
const fp3 = (
  ftype: number,
  o1: number,
  o0: number,
  rm: number,
  ra: number,
  rn: number,
  rd: number,
) => fields([0b00011111, 8], [ftype, 2], [o1, 1], [rm, 5], [o0, 1], [ra, 5], [rn, 5], [rd, 5]);
/** FCMP/FCMPE (opc2 = E<<4 | Z<<3). */
const fcmp = (ftype: number, rm: number, rn: number, opc2: number) =>
  fields([0b00011110, 8], [ftype, 2], [1, 1], [rm, 5], [0b001000, 6], [rn, 5], [opc2, 5]);
/** Conversion between FP and integer. */
const fcvtInt = (
  sf: number,
  ftype: number,
  rmode: number,
  opcode: number,
  rn: number,
  rd: number,
) =>
  fields([sf, 1], [0b0011110, 7], [ftype, 2], [1, 1], [rmode, 2], [opcode, 3], [0, 6], [rn, 5], [
    rd,
    5,
  ]);

function fpHarness(): Harness {
  const h = new Harness();
  h.cpu.sys.setCpacr(0x300000); // FPEN = 0b11: no trap
  return h;
}

function setS(h: Harness, n: number, x: number): void {
  h.cpu.vf32[n * 4] = x;
}
function setD(h: Harness, n: number, x: number): void {
  h.cpu.vf64[n * 2] = x;
}

Deno.test("FP scalar arithmetic: FADD/FSUB/FMUL/FDIV single and double, upper bits zeroed", () => {
  const h = fpHarness();
  setS(h, 1, 1.5);
  setS(h, 2, 0.25);
  h.cpu.v[3] = 0xdeadbeef; // junk above S0 must be cleared
  h.exec(fp2(0, 2, 2, 1, 0));
  assertEquals([h.cpu.vf32[0], h.cpu.v[1], h.cpu.v[3]], [1.75, 0, 0]);
  h.exec(fp2(0, 3, 2, 1, 0));
  assertEquals(h.cpu.vf32[0], 1.25);
  setD(h, 1, 10);
  setD(h, 2, 4);
  h.exec(fp2(1, 1, 2, 1, 3));
  assertEquals(h.cpu.vf64[6], 2.5);
  h.exec(fp2(1, 0, 2, 1, 3));
  assertEquals(h.cpu.vf64[6], 40);
});

Deno.test("FP scalar: FPCR.RMode honoured (1/3 under RN, RZ, RP)", () => {
  const h = fpHarness();
  setS(h, 1, 1);
  setS(h, 2, 3);
  h.exec(fp2(0, 1, 2, 1, 0));
  assertEquals(h.cpu.v[0], 0x3eaaaaab);
  assertEquals(h.cpu.fpsr, FPSR_IXC);
  h.cpu.fpcr = 3 << 22;
  h.exec(fp2(0, 1, 2, 1, 0));
  assertEquals(h.cpu.v[0], 0x3eaaaaaa);
  h.cpu.fpcr = 1 << 22;
  h.exec(fp2(0, 1, 2, 1, 0));
  assertEquals(h.cpu.v[0], 0x3eaaaaab);
});

Deno.test("FMADD is fused (single rounding); FNMSUB/FNMADD signs; FNMUL negates NaNs", () => {
  const h = fpHarness();
  const x = 1 + 2 ** -30;
  setD(h, 1, x);
  setD(h, 2, x);
  setD(h, 3, -1);
  h.exec(fp3(1, 0, 0, 2, 3, 1, 0)); // x*x - 1 = 2^-29 + 2^-60 exactly
  assertEquals(h.cpu.vf64[0], 2 ** -29 + 2 ** -60);
  setD(h, 3, 1);
  h.exec(fp3(1, 1, 0, 2, 3, 1, 0)); // FNMADD: -1 - x*x
  assertEquals(h.cpu.vf64[0], -(1 + x * x));
  h.exec(fp3(1, 1, 1, 2, 3, 1, 0)); // FNMSUB: -1 + x*x
  assertEquals(h.cpu.vf64[0], 2 ** -29 + 2 ** -60);
  h.exec(fp3(1, 0, 1, 2, 3, 1, 0)); // FMSUB: 1 - x*x
  assertEquals(h.cpu.vf64[0], -(2 ** -29 + 2 ** -60));
  h.cpu.v[4] = 0x7fc00000;
  setS(h, 5, 2);
  h.exec(fp2(0, 8, 5, 1, 0)); // FNMUL S0, S1(qNaN), S5
  assertEquals(h.cpu.v[0], 0xffc00000);
});

Deno.test("FCMP/FCMPE NZCV and IOC; FCCMP; FCSEL; FMOV immediate", () => {
  const h = fpHarness();
  setS(h, 1, 1);
  setS(h, 2, 2);
  h.exec(fcmp(0, 2, 1, 0));
  assertEquals(h.flags, 0b1000);
  h.exec(fcmp(0, 1, 2, 0));
  assertEquals(h.flags, 0b0010);
  h.exec(fcmp(0, 0, 1, 0b01000)); // with #0.0
  assertEquals(h.flags, 0b0010);
  // FCMP with quiet NaN: unordered, no IOC; FCMPE: IOC.
  h.cpu.v[12] = 0x7fc00000;
  h.exec(fcmp(0, 3, 1, 0));
  assertEquals([h.flags, h.cpu.fpsr], [0b0011, 0]);
  h.exec(fcmp(0, 3, 1, 0b10000));
  assertEquals([h.flags, h.cpu.fpsr], [0b0011, FPSR_IOC]);
  // FCCMP S1, S2, #0b0101, EQ: Z clear -> nzcv immediate; Z set -> compare.
  const fccmp = fields([0b00011110, 8], [0, 2], [1, 1], [2, 5], [0, 4], [0b01, 2], [1, 5], [0, 1], [
    0b0101,
    4,
  ]);
  h.flags = 0;
  h.exec(fccmp);
  assertEquals(h.flags, 0b0101);
  h.flags = 0b0100;
  h.exec(fccmp);
  assertEquals(h.flags, 0b1000);
  // FCSEL D0, D1, D2, NE
  setD(h, 1, 7);
  setD(h, 2, 9);
  const fcsel = fields([0b00011110, 8], [1, 2], [1, 1], [2, 5], [1, 4], [0b11, 2], [1, 5], [0, 5]);
  h.flags = 0b0100;
  h.exec(fcsel);
  assertEquals(h.cpu.vf64[0], 9);
  h.flags = 0;
  h.exec(fcsel);
  assertEquals(h.cpu.vf64[0], 7);
  // FMOV D3, #-1.25 (imm8 = 0xf4), FMOV S3, #0.5 (imm8 = 0x60)
  h.exec(fields([0b00011110, 8], [1, 2], [1, 1], [0xf4, 8], [0b100, 3], [0, 5], [3, 5]));
  assertEquals(h.cpu.vf64[6], -1.25);
  h.exec(fields([0b00011110, 8], [0, 2], [1, 1], [0x60, 8], [0b100, 3], [0, 5], [3, 5]));
  assertEquals([h.cpu.vf32[12], h.cpu.v[13]], [0.5, 0]);
});

Deno.test("FP 1-source: FABS/FNEG/FSQRT/FCVT/FRINT*", () => {
  const h = fpHarness();
  setD(h, 1, -2.5);
  h.exec(fp1(1, 0b000001, 1, 0));
  assertEquals(h.cpu.vf64[0], 2.5);
  h.exec(fp1(1, 0b000010, 1, 0));
  assertEquals(h.cpu.vf64[0], 2.5);
  h.exec(fp1(1, 0b001010, 1, 0)); // FRINTM
  assertEquals(h.cpu.vf64[0], -3);
  h.exec(fp1(1, 0b001100, 1, 0)); // FRINTA
  assertEquals(h.cpu.vf64[0], -3);
  h.exec(fp1(1, 0b001000, 1, 0)); // FRINTN
  assertEquals(h.cpu.vf64[0], -2);
  setD(h, 2, 2);
  h.exec(fp1(1, 0b000011, 2, 0));
  assertEquals(h.cpu.vf64[0], Math.SQRT2);
  h.exec(fp1(1, 0b000100, 2, 0)); // FCVT S0, D2
  assertEquals([h.cpu.vf32[0], h.cpu.v[1]], [2, 0]);
  h.exec(fp1(0, 0b000111, 0, 4)); // FCVT H4, S0
  assertEquals(h.cpu.v[16], 0x4000);
  h.exec(fields([0b00011110, 8], [3, 2], [1, 1], [0b000101, 6], [0b10000, 5], [4, 5], [5, 5])); // FCVT D5, H4
  assertEquals(h.cpu.vf64[10], 2);
});

Deno.test("FP <-> integer: FCVTZS saturation, FCVTNS, SCVTF/UCVTF, FMOV general incl. D[1]", () => {
  const h = fpHarness();
  setS(h, 1, -3e10);
  h.exec(fcvtInt(0, 0, 3, 0, 1, 2)); // FCVTZS W2, S1
  assertEquals([h.getX(2), h.cpu.fpsr], [0x80000000n, FPSR_IOC]);
  setD(h, 1, 2.5);
  h.exec(fcvtInt(1, 1, 0, 0, 1, 2)); // FCVTNS X2, D1
  assertEquals(h.getX(2), 2n);
  h.exec(fcvtInt(1, 1, 0, 0b100, 1, 2)); // FCVTAS X2, D1
  assertEquals(h.getX(2), 3n);
  h.x(3, -5n);
  h.exec(fcvtInt(1, 1, 0, 0b010, 3, 4)); // SCVTF D4, X3
  assertEquals(h.cpu.vf64[8], -5);
  h.exec(fcvtInt(1, 1, 0, 0b011, 3, 4)); // UCVTF D4, X3
  assertEquals(h.cpu.vf64[8], 18446744073709551616);
  h.x(5, 0x1122334455667788n);
  h.exec(fcvtInt(1, 1, 0, 0b111, 5, 6)); // FMOV D6, X5
  assertEquals([h.cpu.v[24], h.cpu.v[25]], [0x55667788, 0x11223344]);
  h.x(7, 0xaabbccddeeff0011n);
  h.exec(fcvtInt(1, 2, 1, 0b111, 7, 6)); // FMOV V6.D[1], X7
  assertEquals([h.cpu.v[24], h.cpu.v[26], h.cpu.v[27]], [0x55667788, 0xeeff0011, 0xaabbccdd]);
  h.exec(fcvtInt(1, 2, 1, 0b110, 6, 8)); // FMOV X8, V6.D[1]
  assertEquals(h.getX(8), 0xaabbccddeeff0011n);
  h.exec(fcvtInt(0, 0, 0, 0b110, 6, 9)); // FMOV W9, S6
  assertEquals(h.getX(9), 0x55667788n);
  // SCVTF S0, W1, #16 (fixed point): scale = 64 - 16
  h.x(1, 0x18000n);
  h.exec(
    fields([0, 1], [0b0011110, 7], [0, 2], [0, 1], [0, 2], [0b010, 3], [48, 6], [1, 5], [0, 5]),
  );
  assertEquals(h.cpu.vf32[0], 1.5);
});

Deno.test("FP instructions trap when CPACR_EL1.FPEN traps (EC 0x07)", () => {
  const h = new Harness();
  h.cpu.sys.setCpacr(0);
  h.exec(fp2(0, 2, 2, 1, 0));
  assertEquals(h.cpu.sys.esr >>> 26, 0x07);
});
