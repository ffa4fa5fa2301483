import { assertEquals } from "@gunyah-ts/tests/assert";
import { DATA, fields } from "../../cpu/test_asm.ts";
import { FPSR_QC } from "../../softfloat/mod.ts";
import {
  acrossLanes,
  byElement,
  bytesOf,
  copy,
  ext,
  halvesOf,
  modImm,
  permute,
  scalarThreeSame,
  setBytes,
  setWords,
  shiftImm,
  simdHarness,
  tbl,
  threeDiff,
  threeSame,
  twoMisc,
  wordsOf,
} from "./test_encode.ts";

const seq = (base: number, len: number) => Array.from({ length: len }, (_, i) => (base + i) & 0xff);

Deno.test("three same: ADD/SUB (incl. 2D carry), MUL/MLA, CMEQ/CMHI/CMGT, UQADD/SQSUB with QC", () => {
  const h = simdHarness();
  setWords(h, 1, [0xffffffff, 0, 0x80000000, 0x7fffffff]);
  setWords(h, 2, [1, 0, 0x80000000, 1]);
  h.exec(threeSame(1, 0, 3, 2, 0b10000, 1, 0)); // ADD V0.2D
  assertEquals(wordsOf(h, 0), [0, 1, 0, 0x80000001]);
  h.exec(threeSame(1, 1, 2, 2, 0b10000, 1, 0)); // SUB V0.4S
  assertEquals(wordsOf(h, 0), [0xfffffffe, 0, 0, 0x7ffffffe]);
  h.exec(threeSame(0, 0, 2, 2, 0b10011, 1, 0)); // MUL V0.2S (upper zeroed)
  assertEquals(wordsOf(h, 0), [0xffffffff, 0, 0, 0]);
  setWords(h, 0, [10, 10, 10, 10]);
  h.exec(threeSame(1, 0, 2, 2, 0b10010, 1, 0)); // MLA V0.4S
  assertEquals(wordsOf(h, 0), [9, 10, 10, 0x7fffffff + 10 >>> 0]);
  setBytes(h, 3, [0, 1, 0x80, 0xff, 5]);
  setBytes(h, 4, [0, 2, 0x7f, 0x01, 5]);
  h.exec(threeSame(1, 1, 0, 4, 0b10001, 3, 5)); // CMEQ
  assertEquals(bytesOf(h, 5).slice(0, 6), [0xff, 0, 0, 0, 0xff, 0xff]);
  h.exec(threeSame(1, 1, 0, 4, 0b00110, 3, 5)); // CMHI (unsigned >)
  assertEquals(bytesOf(h, 5).slice(0, 5), [0, 0, 0xff, 0xff, 0]);
  h.exec(threeSame(1, 0, 0, 4, 0b00110, 3, 5)); // CMGT (signed >)
  assertEquals(bytesOf(h, 5).slice(0, 5), [0, 0, 0, 0, 0]);
  h.exec(threeSame(1, 1, 0, 4, 0b00001, 3, 5)); // UQADD
  assertEquals(bytesOf(h, 5).slice(0, 5), [0, 3, 0xff, 0xff, 10]);
  assertEquals(h.cpu.fpsr, FPSR_QC);
  h.cpu.fpsr = 0;
  h.exec(threeSame(1, 0, 0, 4, 0b00101, 3, 5)); // SQSUB: 0x80 - 0x7f saturates to 0x80
  assertEquals(bytesOf(h, 5).slice(0, 5), [0, 0xff, 0x80, 0xfe, 0]);
  assertEquals(h.cpu.fpsr, FPSR_QC);
});

Deno.test("three same: logical ops, BSL/BIT/BIF, USHL/SSHL, UMAXP/ADDP, scalar ADD/CMEQ D", () => {
  const h = simdHarness();
  setWords(h, 1, [0xff00ff00, 0x0f0f0f0f, 0, 0xffffffff]);
  setWords(h, 2, [0xf0f0f0f0, 0xffff0000, 0x12345678, 0]);
  h.exec(threeSame(1, 0, 0, 2, 0b00011, 1, 0)); // AND
  assertEquals(wordsOf(h, 0), [0xf000f000, 0x0f0f0000, 0, 0]);
  h.exec(threeSame(1, 0, 1, 2, 0b00011, 1, 0)); // BIC
  assertEquals(wordsOf(h, 0), [0x0f000f00, 0x00000f0f, 0, 0xffffffff]);
  h.exec(threeSame(1, 0, 2, 1, 0b00011, 1, 0)); // ORR V0, V1, V1 (MOV)
  assertEquals(wordsOf(h, 0), wordsOf(h, 1));
  h.exec(threeSame(1, 0, 3, 2, 0b00011, 1, 0)); // ORN
  assertEquals(wordsOf(h, 0), [0xff0fff0f, 0x0f0fffff, 0xedcba987, 0xffffffff]);
  h.exec(threeSame(1, 1, 0, 2, 0b00011, 1, 0)); // EOR
  assertEquals(wordsOf(h, 0), [0x0ff00ff0, 0xf0f00f0f, 0x12345678, 0xffffffff]);
  setWords(h, 0, [0xffff0000, 0, 0xffffffff, 0x0000ffff]);
  h.exec(threeSame(1, 1, 1, 2, 0b00011, 1, 0)); // BSL: V0 selects V1 (1) / V2 (0)
  assertEquals(wordsOf(h, 0), [0xff00f0f0, 0xffff0000, 0, 0x0000ffff]);
  setWords(h, 0, [0, 0, 0, 0]);
  h.exec(threeSame(1, 1, 2, 2, 0b00011, 1, 0)); // BIT: insert V1 where V2 = 1
  assertEquals(wordsOf(h, 0), [0xf000f000, 0x0f0f0000, 0, 0]);
  h.exec(threeSame(1, 1, 3, 2, 0b00011, 1, 0)); // BIF: insert V1 where V2 = 0
  assertEquals(wordsOf(h, 0), [0xff00ff00, 0x0f0f0f0f, 0, 0xffffffff]);
  setWords(h, 3, [0x80000001, 0x80000001, 0x00000010, 0x00000010]);
  setWords(h, 4, [1, 0xffffffff, 0xfc, 40]);
  h.exec(threeSame(1, 1, 2, 4, 0b01000, 3, 5)); // USHL V5.4S: <<1, >>1, >>4, <<40 -> 0
  assertEquals(wordsOf(h, 5), [2, 0x40000000, 1, 0]);
  h.exec(threeSame(1, 0, 2, 4, 0b01000, 3, 5)); // SSHL: arithmetic right shift
  assertEquals(wordsOf(h, 5), [2, 0xc0000000, 1, 0]);
  setBytes(h, 6, [1, 9, 3, 4, 250, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0]);
  setBytes(h, 7, [10, 20, 30, 40, 50, 60, 70, 80]);
  h.exec(threeSame(0, 1, 0, 7, 0b10100, 6, 8)); // UMAXP V8.8B
  assertEquals(bytesOf(h, 8).slice(0, 9), [9, 4, 250, 8, 20, 40, 60, 80, 0]);
  h.exec(threeSame(0, 0, 0, 7, 0b10111, 6, 8)); // ADDP V8.8B
  assertEquals(bytesOf(h, 8).slice(0, 8), [10, 7, 0, 15, 30, 70, 110, 150]);
  setWords(h, 9, [0xffffffff, 0xffffffff, 5, 5]);
  setWords(h, 10, [1, 0, 6, 6]);
  h.exec(scalarThreeSame(0, 3, 10, 0b10000, 9, 11)); // ADD D11, D9, D10
  assertEquals(wordsOf(h, 11), [0, 0, 0, 0]);
  h.exec(scalarThreeSame(1, 3, 9, 0b10001, 9, 11)); // CMEQ D11, D9, D9
  assertEquals(wordsOf(h, 11), [0xffffffff, 0xffffffff, 0, 0]);
});

Deno.test("two-reg misc: REV, CNT, NOT, CLZ/CLS, ABS/NEG, CMxx zero, XTN/XTN2, UQXTN", () => {
  const h = simdHarness();
  setBytes(h, 1, seq(0, 16));
  h.exec(twoMisc(1, 0, 0, 0b00000, 1, 0)); // REV64 V0.16B
  assertEquals(bytesOf(h, 0), [7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8]);
  h.exec(twoMisc(0, 0, 0, 0b00001, 1, 0)); // REV16 V0.8B
  assertEquals(bytesOf(h, 0), [1, 0, 3, 2, 5, 4, 7, 6, 0, 0, 0, 0, 0, 0, 0, 0]);
  h.exec(twoMisc(1, 1, 1, 0b00000, 1, 0)); // REV32 V0.8H
  assertEquals(halvesOf(h, 0), [0x0302, 0x0100, 0x0706, 0x0504, 0x0b0a, 0x0908, 0x0f0e, 0x0d0c]);
  setBytes(h, 2, [0, 1, 3, 0xff, 0x80, 0x7f]);
  h.exec(twoMisc(1, 0, 0, 0b00101, 2, 0)); // CNT
  assertEquals(bytesOf(h, 0).slice(0, 6), [0, 1, 2, 8, 1, 7]);
  h.exec(twoMisc(1, 1, 0, 0b00101, 2, 0)); // NOT
  assertEquals(bytesOf(h, 0).slice(0, 6), [0xff, 0xfe, 0xfc, 0, 0x7f, 0x80]);
  h.exec(twoMisc(1, 1, 0, 0b00100, 2, 0)); // CLZ.16B
  assertEquals(bytesOf(h, 0).slice(0, 6), [8, 7, 6, 0, 0, 1]);
  h.exec(twoMisc(1, 0, 0, 0b00100, 2, 0)); // CLS.16B
  assertEquals(bytesOf(h, 0).slice(0, 6), [7, 6, 5, 7, 0, 0]);
  h.exec(twoMisc(1, 0, 0, 0b01011, 2, 0)); // ABS: |-128| wraps to 0x80
  assertEquals(bytesOf(h, 0).slice(0, 6), [0, 1, 3, 1, 0x80, 0x7f]);
  h.exec(twoMisc(1, 1, 0, 0b01011, 2, 0)); // NEG
  assertEquals(bytesOf(h, 0).slice(0, 6), [0, 0xff, 0xfd, 1, 0x80, 0x81]);
  h.exec(twoMisc(1, 0, 0, 0b01001, 2, 0)); // CMEQ #0
  assertEquals(bytesOf(h, 0).slice(0, 7), [0xff, 0, 0, 0, 0, 0, 0xff]);
  h.exec(twoMisc(1, 0, 0, 0b01010, 2, 0)); // CMLT #0
  assertEquals(bytesOf(h, 0).slice(0, 6), [0, 0, 0, 0xff, 0xff, 0]);
  h.exec(twoMisc(1, 1, 0, 0b01001, 2, 0)); // CMLE #0
  assertEquals(bytesOf(h, 0).slice(0, 6), [0xff, 0, 0, 0xff, 0xff, 0]);
  setWords(h, 3, [0x11112222, 0x33334444, 0x55556666, 0x77778888]);
  setWords(h, 4, [0xaaaaaaaa, 0xbbbbbbbb, 0xcccccccc, 0xdddddddd]);
  h.exec(twoMisc(0, 0, 1, 0b10010, 3, 4)); // XTN V4.4H, V3.4S (upper cleared)
  assertEquals(wordsOf(h, 4), [0x44442222, 0x88886666, 0, 0]);
  h.exec(twoMisc(1, 0, 1, 0b10010, 3, 4)); // XTN2 V4.8H keeps the low half
  assertEquals(wordsOf(h, 4), [0x44442222, 0x88886666, 0x44442222, 0x88886666]);
  h.exec(twoMisc(0, 1, 1, 0b10100, 3, 5)); // UQXTN: saturate to 0xffff
  assertEquals(wordsOf(h, 5), [0xffffffff, 0xffffffff, 0, 0]);
  assertEquals(h.cpu.fpsr, FPSR_QC);
});

Deno.test("across lanes: ADDV, UADDLV, SADDLV, UMAXV/UMINV/SMAXV/SMINV", () => {
  const h = simdHarness();
  setBytes(h, 1, [1, 2, 3, 0xff, 0x80, 0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  h.exec(acrossLanes(1, 0, 0, 0b11011, 1, 0)); // ADDV B0, V1.16B
  const sum = [1, 2, 3, 0xff, 0x80, 0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].reduce((a, b) => a + b);
  assertEquals(wordsOf(h, 0), [sum & 0xff, 0, 0, 0]);
  h.exec(acrossLanes(1, 1, 0, 0b00011, 1, 0)); // UADDLV H0
  assertEquals(wordsOf(h, 0), [sum, 0, 0, 0]);
  h.exec(acrossLanes(0, 0, 0, 0b00011, 1, 0)); // SADDLV H0, V1.8B: 1+2+3-1-128+0+7+8
  assertEquals(wordsOf(h, 0), [(1 + 2 + 3 - 1 - 128 + 7 + 8) & 0xffff, 0, 0, 0]);
  h.exec(acrossLanes(1, 1, 0, 0b01010, 1, 0)); // UMAXV
  assertEquals(wordsOf(h, 0)[0], 0xff);
  h.exec(acrossLanes(1, 1, 0, 0b11010, 1, 0)); // UMINV
  assertEquals(wordsOf(h, 0)[0], 0);
  h.exec(acrossLanes(1, 0, 0, 0b01010, 1, 0)); // SMAXV
  assertEquals(wordsOf(h, 0)[0], 16);
  h.exec(acrossLanes(1, 0, 0, 0b11010, 1, 0)); // SMINV
  assertEquals(wordsOf(h, 0)[0], 0x80);
  setWords(h, 2, [0xffffffff, 0xffffffff, 0xffffffff, 1]);
  h.exec(acrossLanes(1, 1, 2, 0b00011, 2, 0)); // UADDLV D0, V2.4S
  assertEquals(wordsOf(h, 0), [0xfffffffe, 2, 0, 0]);
  h.exec(
    fields([0b01, 2], [0, 1], [0b11110, 5], [3, 2], [0b11000, 5], [0b11011, 5], [0b10, 2], [2, 5], [
      0,
      5,
    ]),
  ); // ADDP D0, V2.2D
  assertEquals(wordsOf(h, 0), [0xfffffffe, 1, 0, 0]);
});

Deno.test("copy: DUP element/general, INS, UMOV/SMOV, scalar DUP", () => {
  const h = simdHarness();
  setWords(h, 1, [0x11223344, 0x55667788, 0x99aabbcc, 0xddeeff00]);
  h.exec(copy(1, 0, 0b01010, 0b0000, 1, 0)); // DUP V0.8H, V1.H[2]
  assertEquals(halvesOf(h, 0), new Array(8).fill(0x7788));
  h.exec(copy(0, 0, 0b11000, 0b0000, 1, 0)); // DUP V0.2D? Q=0 with D is reserved -> UNDEFINED
  assertEquals(h.cpu.sys.esr >>> 26, 0);
  h.x(2, 0x0102030405060708n);
  h.exec(copy(1, 0, 0b00001, 0b0001, 2, 0)); // DUP V0.16B, W2
  assertEquals(bytesOf(h, 0), new Array(16).fill(8));
  h.exec(copy(1, 0, 0b01000, 0b0001, 2, 0)); // DUP V0.2D, X2
  assertEquals(wordsOf(h, 0), [0x05060708, 0x01020304, 0x05060708, 0x01020304]);
  h.exec(copy(1, 0, 0b01100, 0b0011, 2, 0)); // INS V0.S[1], W2
  assertEquals(wordsOf(h, 0), [0x05060708, 0x05060708, 0x05060708, 0x01020304]);
  h.exec(copy(1, 1, 0b00111, 0b0100, 1, 0)); // INS V0.B[3], V1.B[4]
  assertEquals(wordsOf(h, 0)[0], 0x88060708);
  h.exec(copy(0, 0, 0b01110, 0b0111, 1, 3)); // UMOV W3, V1.H[3]
  assertEquals(h.getX(3), 0x5566n);
  h.exec(copy(1, 0, 0b11000, 0b0111, 1, 3)); // UMOV X3, V1.D[1]
  assertEquals(h.getX(3), 0xddeeff0099aabbccn);
  h.exec(copy(1, 0, 0b01001, 0b0101, 1, 3)); // SMOV X3, V1.B[4]
  assertEquals(h.getX(3), 0xffffffffffffff88n);
  h.exec(copy(0, 0, 0b01010, 0b0101, 1, 3)); // SMOV W3, V1.H[2]
  assertEquals(h.getX(3), 0x7788n);
  h.exec(
    fields([0b01, 2], [0, 1], [0b11110000, 8], [0b11100, 5], [0, 1], [0, 4], [1, 1], [1, 5], [
      4,
      5,
    ]),
  ); // DUP S4, V1.S[3]
  assertEquals(wordsOf(h, 4), [0xddeeff00, 0, 0, 0]);
});

Deno.test("modified immediate: MOVI (all shapes), MVNI, ORR/BIC, FMOV vector", () => {
  const h = simdHarness();
  h.exec(modImm(1, 0, 0xab, 0b1110, 0)); // MOVI V0.16B, #0xab
  assertEquals(bytesOf(h, 0), new Array(16).fill(0xab));
  h.exec(modImm(1, 1, 0b10000001, 0b1110, 0)); // MOVI V0.2D, #0xff000000000000ff
  assertEquals(wordsOf(h, 0), [0xff, 0xff000000, 0xff, 0xff000000]);
  h.exec(modImm(0, 0, 0x12, 0b0010, 0)); // MOVI V0.2S, #0x12, LSL #8
  assertEquals(wordsOf(h, 0), [0x1200, 0x1200, 0, 0]);
  h.exec(modImm(1, 1, 0x12, 0b1000, 0)); // MVNI V0.8H, #0x12
  assertEquals(halvesOf(h, 0), new Array(8).fill(0xffed));
  h.exec(modImm(1, 0, 0x12, 0b1100, 0)); // MOVI V0.4S, #0x12, MSL #8
  assertEquals(wordsOf(h, 0), new Array(4).fill(0x12ff));
  h.exec(modImm(1, 0, 0x01, 0b0111, 0)); // ORR V0.4S, #0x01, LSL #24
  assertEquals(wordsOf(h, 0), new Array(4).fill(0x010012ff));
  h.exec(modImm(1, 1, 0xff, 0b0001, 0)); // BIC V0.4S, #0xff
  assertEquals(wordsOf(h, 0), new Array(4).fill(0x01001200));
  h.exec(modImm(1, 0, 0x70, 0b1111, 0)); // FMOV V0.4S, #1.0
  assertEquals(Array.from(h.cpu.vf32.subarray(0, 4)), [1, 1, 1, 1]);
  h.exec(modImm(1, 1, 0xf4, 0b1111, 0)); // FMOV V0.2D, #-1.25
  assertEquals(Array.from(h.cpu.vf64.subarray(0, 2)), [-1.25, -1.25]);
});

Deno.test("shift by immediate: SHL, USHR/SSHR, USRA, SRI/SLI, SHRN/RSHRN, USHLL/SSHLL, 64-bit lanes", () => {
  const h = simdHarness();
  setBytes(h, 1, [0x81, 0x7f, 0xff, 0x10]);
  h.exec(shiftImm(1, 0, 0b0001000 | 3, 0b01010, 1, 0)); // SHL V0.16B, #3
  assertEquals(bytesOf(h, 0).slice(0, 4), [0x08, 0xf8, 0xf8, 0x80]);
  h.exec(shiftImm(1, 1, 0b0010000 - 2, 0b00000, 1, 0)); // USHR V0.16B, #2 (immh:immb = 16 - 2)
  assertEquals(bytesOf(h, 0).slice(0, 4), [0x20, 0x1f, 0x3f, 0x04]);
  h.exec(shiftImm(1, 0, 0b0010000 - 2, 0b00000, 1, 0)); // SSHR #2
  assertEquals(bytesOf(h, 0).slice(0, 4), [0xe0, 0x1f, 0xff, 0x04]);
  h.exec(shiftImm(1, 0, 0b0010000 - 8, 0b00000, 1, 0)); // SSHR #8: sign fill
  assertEquals(bytesOf(h, 0).slice(0, 4), [0xff, 0, 0xff, 0]);
  setBytes(h, 2, [1, 1, 1, 1]);
  h.exec(shiftImm(1, 1, 0b0010000 - 4, 0b00010, 1, 2)); // USRA V2.16B, V1, #4
  assertEquals(bytesOf(h, 2).slice(0, 4), [9, 8, 0x10, 2]);
  setBytes(h, 3, [0xff, 0xff, 0xff, 0xff]);
  h.exec(shiftImm(1, 1, 0b0010000 - 4, 0b01000, 1, 3)); // SRI #4: keep top 4 bits of Vd
  assertEquals(bytesOf(h, 3).slice(0, 4), [0xf8, 0xf7, 0xff, 0xf1]);
  setBytes(h, 3, [0xff, 0xff, 0xff, 0xff]);
  h.exec(shiftImm(1, 1, 0b0001000 | 4, 0b01010, 1, 3)); // SLI #4: keep low 4 bits of Vd
  assertEquals(bytesOf(h, 3).slice(0, 4), [0x1f, 0xff, 0xff, 0x0f]);
  // SHRN V4.8B, V5.8H, #4 (the strlen nibble mask idiom)
  setBytes(h, 5, [0xff, 0, 0, 0xff, 0xff, 0xff, 0, 0]);
  h.exec(shiftImm(0, 0, 0b0010000 - 4, 0b10000, 5, 4));
  assertEquals(bytesOf(h, 4).slice(0, 5), [0x0f, 0xf0, 0xff, 0x00, 0]);
  setWords(h, 6, [0x0000017f, 0, 0, 0]);
  h.exec(shiftImm(0, 0, 0b0010000 - 8, 0b10001, 6, 4)); // RSHRN V4.8B, V6.8H, #8: 0x017f -> 1 (0x7f < half)
  assertEquals(bytesOf(h, 4)[0], 1);
  setWords(h, 6, [0x00000180, 0, 0, 0]);
  h.exec(shiftImm(0, 0, 0b0010000 - 8, 0b10001, 6, 4));
  assertEquals(bytesOf(h, 4)[0], 2);
  setBytes(h, 7, [0x80, 1, 2, 3, 4, 5, 6, 7, 0xff, 9, 10, 11, 12, 13, 14, 15]);
  h.exec(shiftImm(0, 1, 0b0001000, 0b10100, 7, 8)); // UXTL V8.8H, V7.8B
  assertEquals(halvesOf(h, 8), [0x80, 1, 2, 3, 4, 5, 6, 7]);
  h.exec(shiftImm(1, 0, 0b0001000 | 1, 0b10100, 7, 8)); // SSHLL2 V8.8H, V7.16B, #1
  assertEquals(halvesOf(h, 8), [0xfffe, 18, 20, 22, 24, 26, 28, 30]);
  setWords(h, 9, [0x00000001, 0x80000000, 0xffffffff, 0xffffffff]);
  h.exec(shiftImm(1, 0, 0b1000000 | (64 - 33), 0b00000, 9, 10)); // SSHR V10.2D, #33
  assertEquals(wordsOf(h, 10), [0xc0000000, 0xffffffff, 0xffffffff, 0xffffffff]);
  h.exec(shiftImm(1, 0, 0b1000000 | 36, 0b01010, 9, 10)); // SHL V10.2D, #36
  assertEquals(wordsOf(h, 10), [0, 0x10, 0, 0xfffffff0]);
  h.exec(
    fields([0b01, 2], [1, 1], [0b111110, 6], [0b1000000 | (64 - 32), 7], [0, 5], [1, 1], [9, 5], [
      11,
      5,
    ]),
  ); // USHR D11, D9, #32
  assertEquals(wordsOf(h, 11), [0x80000000, 0, 0, 0]);
});

Deno.test("three different and by element: UMULL/SMULL/UMLAL, UADDW/USUBW, ADDHN, MUL/MLA by element", () => {
  const h = simdHarness();
  setWords(h, 1, [0xffffffff, 3, 0x80000000, 7]);
  setWords(h, 2, [0xffffffff, 0xfffffffe, 2, 2]);
  h.exec(threeDiff(0, 1, 2, 2, 0b1100, 1, 0)); // UMULL V0.2D, V1.2S, V2.2S
  assertEquals(wordsOf(h, 0), [1, 0xfffffffe, 0xfffffffa, 2]);
  h.exec(threeDiff(0, 0, 2, 2, 0b1100, 1, 0)); // SMULL: (-1)(-1) = 1, 3 * -2 = -6
  assertEquals(wordsOf(h, 0), [1, 0, 0xfffffffa, 0xffffffff]);
  h.exec(threeDiff(1, 1, 2, 2, 0b1000, 1, 0)); // UMLAL2: += 0x80000000*2, 7*2
  assertEquals(wordsOf(h, 0), [1, 1, 8, 0]);
  setWords(h, 3, [0x0000ffff, 0x00000001, 5, 6]);
  setBytes(h, 4, [1, 2, 3, 4, 5, 6, 7, 8]);
  h.exec(threeDiff(0, 1, 1, 4, 0b0001, 3, 5)); // UADDW V5.4S, V3.4S, V4.4H
  assertEquals(wordsOf(h, 5), [0x0000ffff + 0x0201, 1 + 0x0403, 5 + 0x0605, 6 + 0x0807]);
  h.exec(threeDiff(0, 1, 1, 4, 0b0011, 3, 5)); // USUBW
  assertEquals(wordsOf(h, 5), [
    0xffff - 0x0201,
    (1 - 0x0403) >>> 0,
    (5 - 0x0605) >>> 0,
    (6 - 0x0807) >>> 0,
  ]);
  setWords(h, 6, [0x12345678, 0x9abcdef0, 0xffffffff, 0]);
  setWords(h, 7, [0x00010000, 0, 1, 0]);
  h.exec(threeDiff(0, 0, 1, 7, 0b0100, 6, 8)); // ADDHN V8.4H, V6.4S, V7.4S
  assertEquals(halvesOf(h, 8).slice(0, 4), [0x1235, 0x9abc, 0, 0]);
  setWords(h, 9, [1, 2, 3, 4]);
  setWords(h, 10, [10, 20, 30, 40]);
  h.exec(byElement(1, 0, 2, 1, 0, 10, 0b1000, 1, 9, 11)); // MUL V11.4S, V9.4S, V10.S[3]
  assertEquals(wordsOf(h, 11), [40, 80, 120, 160]);
  h.exec(byElement(1, 1, 2, 0, 0, 10, 0b0000, 0, 9, 11)); // MLA V11.4S, V9.4S, V10.S[0]
  assertEquals(wordsOf(h, 11), [50, 100, 150, 200]);
  h.exec(byElement(0, 1, 1, 0, 1, 10, 0b1010, 0, 9, 12)); // UMULL V12.4S, V9.4H, V10.H[1] (= 0)
  assertEquals(wordsOf(h, 12), [0, 0, 0, 0]);
});

Deno.test("permute, EXT, TBL/TBX", () => {
  const h = simdHarness();
  setBytes(h, 1, seq(0, 16));
  setBytes(h, 2, seq(16, 16));
  h.exec(permute(1, 0, 2, 0b011, 1, 0)); // ZIP1 V0.16B
  assertEquals(bytesOf(h, 0), [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23]);
  h.exec(permute(1, 0, 2, 0b111, 1, 0)); // ZIP2
  assertEquals(bytesOf(h, 0).slice(0, 4), [8, 24, 9, 25]);
  h.exec(permute(1, 1, 2, 0b001, 1, 0)); // UZP1 V0.8H
  assertEquals(halvesOf(h, 0), [0x0100, 0x0504, 0x0908, 0x0d0c, 0x1110, 0x1514, 0x1918, 0x1d1c]);
  h.exec(permute(1, 1, 2, 0b101, 1, 0)); // UZP2 V0.8H
  assertEquals(halvesOf(h, 0)[0], 0x0302);
  h.exec(permute(1, 2, 2, 0b010, 1, 0)); // TRN1 V0.4S
  assertEquals(wordsOf(h, 0), [0x03020100, 0x13121110, 0x0b0a0908, 0x1b1a1918]);
  h.exec(permute(1, 3, 2, 0b110, 1, 0)); // TRN2 V0.2D
  assertEquals(wordsOf(h, 0), [0x0f0e0d0c & 0 | 0x0b0a0908, 0x0f0e0d0c, 0x1b1a1918, 0x1f1e1d1c]);
  h.exec(ext(1, 2, 3, 1, 0)); // EXT V0.16B, V1, V2, #3
  assertEquals(bytesOf(h, 0), seq(3, 16));
  h.exec(ext(0, 2, 7, 1, 0)); // EXT V0.8B, #7
  assertEquals(bytesOf(h, 0), [7, 16, 17, 18, 19, 20, 21, 22, 0, 0, 0, 0, 0, 0, 0, 0]);
  setBytes(h, 3, [0, 31, 32, 5, 255, 17, 16, 15, 1, 2, 3, 4, 5, 6, 7, 8]);
  h.exec(tbl(1, 3, 1, 0, 1, 4)); // TBL V4.16B, {V1, V2}, V3
  assertEquals(bytesOf(h, 4).slice(0, 8), [0, 31, 0, 5, 0, 17, 16, 15]);
  setBytes(h, 4, new Array(16).fill(0xee));
  h.exec(tbl(1, 3, 0, 1, 1, 4)); // TBX V4.16B, {V1}, V3
  assertEquals(bytesOf(h, 4).slice(0, 8), [0, 0xee, 0xee, 5, 0xee, 0xee, 0xee, 15]);
  h.exec(tbl(1, 3, 3, 0, 31, 4)); // TBL with 4 registers wrapping V31, V0, V1, V2
  assertEquals(bytesOf(h, 4)[2], bytesOf(h, 1)[0]);
});

Deno.test("vector FP: FADD/FMUL/FDIV/FMLA 4S and 2D, FCMxx, FABS/FNEG/FSQRT, conversions", () => {
  const h = simdHarness();
  h.cpu.vf32.set([1, 2, 3, 4], 4);
  h.cpu.vf32.set([0.5, 0.25, -3, 8], 8);
  h.exec(threeSame(1, 0, 0, 2, 0b11010, 1, 0)); // FADD V0.4S
  assertEquals(Array.from(h.cpu.vf32.subarray(0, 4)), [1.5, 2.25, 0, 12]);
  h.exec(threeSame(1, 1, 0, 2, 0b11011, 1, 0)); // FMUL V0.4S
  assertEquals(Array.from(h.cpu.vf32.subarray(0, 4)), [0.5, 0.5, -9, 32]);
  h.exec(threeSame(1, 0, 0, 2, 0b11001, 1, 0)); // FMLA V0.4S += V1*V2
  assertEquals(Array.from(h.cpu.vf32.subarray(0, 4)), [1, 1, -18, 64]);
  h.exec(threeSame(0, 1, 0, 2, 0b11111, 1, 0)); // FDIV V0.2S
  assertEquals(Array.from(h.cpu.vf32.subarray(0, 4)), [2, 8, 0, 0]);
  h.exec(threeSame(1, 1, 0, 2, 0b11100, 1, 3)); // FCMGE V3.4S
  assertEquals(wordsOf(h, 3), [0xffffffff, 0xffffffff, 0xffffffff, 0]);
  h.exec(twoMisc(1, 0, 2, 0b01101, 2, 3)); // FCMEQ V3.4S, #0 (sz=0: size 10)
  assertEquals(wordsOf(h, 3), [0, 0, 0, 0]);
  h.exec(twoMisc(1, 0, 2, 0b01111, 2, 3)); // FABS
  assertEquals(Array.from(h.cpu.vf32.subarray(12, 16)), [0.5, 0.25, 3, 8]);
  h.exec(twoMisc(1, 1, 2, 0b11111, 3, 3)); // FSQRT
  assertEquals(Array.from(h.cpu.vf32.subarray(12, 16)), [
    Math.fround(Math.SQRT1_2),
    0.5,
    Math.fround(Math.sqrt(3)),
    Math.fround(Math.sqrt(8)),
  ]);
  h.cpu.vf64.set([2, -7.5], 10);
  h.cpu.vf64.set([4, 0.5], 12);
  h.exec(threeSame(1, 0, 1, 6, 0b11010, 5, 7)); // FADD V7.2D
  assertEquals(Array.from(h.cpu.vf64.subarray(14, 16)), [6, -7]);
  h.exec(twoMisc(1, 0, 3, 0b11011, 5, 8)); // FCVTZS V8.2D
  assertEquals(wordsOf(h, 8), [2, 0, 0xfffffff9, 0xffffffff]);
  h.exec(twoMisc(1, 0, 1, 0b11101, 8, 9)); // SCVTF V9.2D
  assertEquals(Array.from(h.cpu.vf64.subarray(18, 20)), [2, -7]);
  h.exec(twoMisc(1, 1, 3, 0b01111, 9, 9)); // FNEG V9.2D
  assertEquals(Array.from(h.cpu.vf64.subarray(18, 20)), [-2, 7]);
});

Deno.test("strlen idiom: LD1 + CMEQ #0 + SHRN #4 + FMOV X, D finds the NUL", () => {
  const h = simdHarness();
  const s = new TextEncoder().encode("hello, world\0xyz");
  h.ram.mapping.bytes.set(s, DATA - h.ram.base);
  h.x(1, BigInt(DATA));
  h.load([
    fields([0, 1], [1, 1], [0b0011000, 7], [1, 1], [0, 6], [0b0111, 4], [0, 2], [1, 5], [0, 5]), // LD1 {V0.16B}, [X1]
    twoMisc(1, 0, 0, 0b01001, 0, 0), // CMEQ V0.16B, V0.16B, #0
    shiftImm(0, 0, 0b0010000 - 4, 0b10000, 0, 0), // SHRN V0.8B, V0.8H, #4
    fields([1, 1], [0b0011110, 7], [1, 2], [1, 1], [0, 2], [0b110, 3], [0, 6], [0, 5], [2, 5]), // FMOV X2, D0
    fields([1, 1], [0b1011010110, 10], [0, 5], [0b000000, 6], [2, 5], [2, 5]) & 0 | 0xdac00042, // RBIT X2, X2
    0xdac01042, // CLZ X2, X2
  ]);
  h.vcpu.run(6);
  assertEquals(h.getX(2) / 4n, 12n);
});

Deno.test("64-bit saturating lanes, pairwise long adds, FCVTL/FCVTN, AdvSIMD scalar FP forms", () => {
  const h = simdHarness();
  setWords(h, 1, [0xffffffff, 0xffffffff, 0xffffffff, 0x7fffffff]);
  setWords(h, 2, [2, 0, 1, 0]);
  h.exec(threeSame(1, 1, 3, 2, 0b00001, 1, 0)); // UQADD V0.2D
  assertEquals(wordsOf(h, 0), [0xffffffff, 0xffffffff, 0, 0x80000000]);
  assertEquals(h.cpu.fpsr, FPSR_QC);
  h.cpu.fpsr = 0;
  h.exec(threeSame(1, 0, 3, 2, 0b00001, 1, 0)); // SQADD V0.2D: -1 + 2 = 1, INT64_MAX + 1 saturates
  assertEquals(wordsOf(h, 0), [1, 0, 0xffffffff, 0x7fffffff]);
  assertEquals(h.cpu.fpsr, FPSR_QC);
  h.exec(threeSame(1, 1, 3, 1, 0b00101, 2, 0)); // UQSUB V0.2D, V2, V1 -> 0
  assertEquals(wordsOf(h, 0), [0, 0, 0, 0]);
  setBytes(h, 3, [0xff, 0xff, 1, 2, 0x80, 0x80, 0, 0]);
  h.exec(twoMisc(0, 1, 0, 0b00010, 3, 4)); // UADDLP V4.4H, V3.8B
  assertEquals(halvesOf(h, 4), [0x1fe, 3, 0x100, 0, 0, 0, 0, 0]);
  h.exec(twoMisc(0, 0, 0, 0b00110, 3, 4)); // SADALP V4.4H += signed pairs
  assertEquals(halvesOf(h, 4).slice(0, 4), [0x1fc, 6, 0, 0]);
  h.cpu.vf32.set([1.5, -2.25, 3, 1e30], 20);
  h.exec(twoMisc(1, 0, 1, 0b10111, 5, 6)); // FCVTL2 V6.2D, V5.4S
  assertEquals(Array.from(h.cpu.vf64.subarray(12, 14)), [3, Math.fround(1e30)]);
  h.exec(twoMisc(0, 0, 1, 0b10110, 6, 7)); // FCVTN V7.2S, V6.2D
  assertEquals(Array.from(h.cpu.vf32.subarray(28, 32)), [3, Math.fround(1e30), 0, 0]);
  h.exec(twoMisc(0, 0, 0, 0b10110, 5, 8)); // FCVTN V8.4H, V5.4S: 1.5, -2.25, 3, inf
  assertEquals(halvesOf(h, 8).slice(0, 4), [0x3e00, 0xc080, 0x4200, 0x7c00]);
  // Scalar: SCVTF D9, D10; FCMGT S11, S12, S13; FCVTZS S14, S12
  setWords(h, 10, [0xfffffffd, 0xffffffff, 7, 7]);
  h.exec(
    fields([0b01, 2], [0, 1], [0b11110, 5], [0, 1], [1, 1], [0b10000, 5], [0b11101, 5], [0b10, 2], [
      10,
      5,
    ], [9, 5]),
  );
  assertEquals([h.cpu.vf64[18], h.cpu.v[38], h.cpu.v[39]], [-3, 0, 0]);
  h.cpu.vf32[48] = 2.5;
  h.cpu.vf32[52] = 1;
  h.exec(
    fields([0b01, 2], [1, 1], [0b11110, 5], [1, 1], [0, 1], [1, 1], [13, 5], [0b11100, 5], [1, 1], [
      12,
      5,
    ], [11, 5]),
  );
  assertEquals(wordsOf(h, 11), [0xffffffff, 0, 0, 0]);
  h.exec(
    fields([0b01, 2], [0, 1], [0b11110, 5], [1, 1], [0, 1], [0b10000, 5], [0b11011, 5], [0b10, 2], [
      12,
      5,
    ], [14, 5]),
  );
  assertEquals(wordsOf(h, 14), [2, 0, 0, 0]);
});

Deno.test("halving adds, ABA, FP pairwise and across-lanes reductions, fixed-point vector conversions", () => {
  const h = simdHarness();
  setBytes(h, 1, [255, 1, 0x80, 3]);
  setBytes(h, 2, [255, 2, 0x80, 4]);
  h.exec(threeSame(0, 1, 0, 2, 0b00000, 1, 0)); // UHADD
  assertEquals(bytesOf(h, 0).slice(0, 4), [255, 1, 0x80, 3]);
  h.exec(threeSame(0, 1, 0, 2, 0b00010, 1, 0)); // URHADD
  assertEquals(bytesOf(h, 0).slice(0, 4), [255, 2, 0x80, 4]);
  h.exec(threeSame(0, 0, 0, 2, 0b00000, 1, 0)); // SHADD: (-1 + -1)/2, (-128 + -128)/2
  assertEquals(bytesOf(h, 0).slice(0, 4), [0xff, 1, 0x80, 3]);
  setBytes(h, 0, [10, 10, 10, 10]);
  h.exec(threeSame(0, 1, 0, 2, 0b01111, 1, 0)); // UABA
  assertEquals(bytesOf(h, 0).slice(0, 4), [10, 11, 10, 11]);
  h.cpu.vf64.set([1.5, 2.25], 6);
  h.exec(
    fields([0b01, 2], [1, 1], [0b11110, 5], [0, 1], [1, 1], [0b11000, 5], [0b01101, 5], [0b10, 2], [
      3,
      5,
    ], [4, 5]),
  ); // FADDP D4, V3.2D
  assertEquals([h.cpu.vf64[8], h.cpu.vf64[9]], [3.75, 0]);
  h.cpu.vf32.set([1, -0, Number.NaN, 7], 20);
  h.cpu.v[22] = 0x7fc00000; // a quiet NaN in lane 2
  h.exec(acrossLanes(1, 1, 0, 0b01100, 5, 6)); // FMAXNMV S6, V5.4S: NaN ignored
  assertEquals(h.cpu.vf32[24], 7);
  h.exec(acrossLanes(1, 1, 0, 0b01111, 5, 6)); // FMAXV: NaN propagates
  assertEquals(h.cpu.v[24], 0x7fc00000);
  h.exec(acrossLanes(1, 1, 2, 0b01111, 5, 6)); // FMINV (a = 1): NaN propagates
  assertEquals(h.cpu.v[24], 0x7fc00000);
  setWords(h, 7, [0x00018000, 0xfffe0000, 1, 0]);
  h.exec(shiftImm(1, 0, 0b1000000 - 16, 0b11100, 7, 8)); // SCVTF V8.4S, V7.4S, #16
  assertEquals(Array.from(h.cpu.vf32.subarray(32, 36)), [1.5, -2, 1 / 65536, 0]);
  h.exec(shiftImm(1, 0, 0b1000000 - 8, 0b11111, 8, 9)); // FCVTZS V9.4S, V8.4S, #8
  assertEquals(wordsOf(h, 9), [384, 0xfffffe00, 0, 0]);
});
