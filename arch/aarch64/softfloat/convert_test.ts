import { assertEquals } from "@gunyah-ts/tests/assert";
import { fixedToFp, fpConvert, fpRoundInt, fpToFixed } from "./convert.ts";
import { FMT_D, FMT_H, FMT_S } from "./format.ts";
import {
  FPCR_AHP,
  FPCR_DN,
  FPCR_FZ,
  FPCR_RMODE_SHIFT,
  type FpEnv,
  FPSR_IDC,
  FPSR_IOC,
  FPSR_IXC,
  FPSR_OFC,
  FPSR_UFC,
  RA,
  RM,
  RN,
  RP,
  RZ,
} from "./fpcr.ts";
import { FP_RESULT } from "./round.ts";

function env(rmode = RN, extra = 0): FpEnv {
  return { fpcr: (rmode << FPCR_RMODE_SHIFT) | extra, fpsr: 0 };
}

/** Bits of a double as [lo, hi]. */
function d(x: number): [number, number] {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x, true);
  return [b.getUint32(0, true), b.getUint32(4, true)];
}
function s(x: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x, true);
  return b.getUint32(0, true);
}

Deno.test("FPToFixed: every rounding mode on halves and negative values", () => {
  const cases: [number, number[]][] = [
    // value, results for RN, RP, RM, RZ, RA
    [2.5, [2, 3, 2, 2, 3]],
    [3.5, [4, 4, 3, 3, 4]],
    [-2.5, [-2, -2, -3, -2, -3]],
    [-0.5 - 2 ** -40, [-1, 0, -1, 0, -1]],
    [-(2 ** -60), [0, 0, -1, 0, 0]],
    [1e-300, [0, 1, 0, 0, 0]],
  ];
  for (const [v, want] of cases) {
    [RN, RP, RM, RZ, RA].forEach((m, i) => {
      const e = env();
      const [lo, hi] = d(v);
      fpToFixed(FMT_D, lo, hi, 0, false, false, m, e);
      assertEquals(FP_RESULT[0] | 0, want[i], `${v} mode ${m}`);
      assertEquals(e.fpsr, FPSR_IXC);
    });
  }
});

Deno.test("FPToFixed: saturation, NaN, infinities, 64-bit results, fixed point", () => {
  let e = env();
  fpToFixed(FMT_S, s(3e9), 0, 0, false, false, RZ, e);
  assertEquals([FP_RESULT[0], e.fpsr], [0x7fffffff, FPSR_IOC]);
  e = env();
  fpToFixed(FMT_S, s(-3e9), 0, 0, false, false, RZ, e);
  assertEquals([FP_RESULT[0], e.fpsr], [0x80000000, FPSR_IOC]);
  e = env();
  fpToFixed(FMT_S, s(-1), 0, 0, true, false, RZ, e);
  assertEquals([FP_RESULT[0], e.fpsr], [0, FPSR_IOC]);
  e = env();
  fpToFixed(FMT_S, s(-0.5), 0, 0, true, false, RZ, e); // rounds to 0: not invalid
  assertEquals([FP_RESULT[0], e.fpsr], [0, FPSR_IXC]);
  e = env();
  fpToFixed(FMT_S, 0x7fc00000, 0, 0, false, true, RZ, e);
  assertEquals([FP_RESULT[0], FP_RESULT[1], e.fpsr], [0, 0, FPSR_IOC]);
  e = env();
  fpToFixed(FMT_S, 0x7f800000, 0, 0, true, true, RZ, e);
  assertEquals([FP_RESULT[0], FP_RESULT[1], e.fpsr], [0xffffffff, 0xffffffff, FPSR_IOC]);
  e = env();
  fpToFixed(FMT_D, ...d(-(2 ** 63)), 0, false, true, RZ, e);
  assertEquals([FP_RESULT[0], FP_RESULT[1], e.fpsr], [0, 0x80000000, 0]);
  e = env();
  fpToFixed(FMT_D, ...d(2 ** 63), 0, false, true, RZ, e);
  assertEquals([FP_RESULT[0], FP_RESULT[1], e.fpsr], [0xffffffff, 0x7fffffff, FPSR_IOC]);
  e = env();
  fpToFixed(FMT_D, ...d(-123456789012.75), 0, false, true, RZ, e);
  const want = BigInt.asUintN(64, -123456789012n);
  assertEquals([FP_RESULT[0], FP_RESULT[1]], [Number(want & 0xffffffffn), Number(want >> 32n)]);
  e = env();
  fpToFixed(FMT_S, s(1.75), 0, 4, false, false, RZ, e); // Q4: 1.75 * 16 = 28
  assertEquals([FP_RESULT[0], e.fpsr], [28, 0]);
  e = env(RN, FPCR_FZ);
  fpToFixed(FMT_S, 1, 0, 0, false, false, RP, e); // denormal flushed: 0 and IDC
  assertEquals([FP_RESULT[0], e.fpsr], [0, FPSR_IDC]);
});

Deno.test("FixedToFP: 32/64-bit, signed/unsigned, rounding of wide integers", () => {
  let e = env();
  fixedToFp(FMT_S, 0xffffffff, 0, false, false, 0, RN, e);
  assertEquals([FP_RESULT[0], e.fpsr], [s(-1), 0]);
  e = env();
  fixedToFp(FMT_S, 0xffffffff, 0, false, true, 0, RN, e);
  assertEquals([FP_RESULT[0], e.fpsr], [s(4294967296), FPSR_IXC]);
  e = env();
  fixedToFp(FMT_S, 0xffffffff, 0, false, true, 0, RZ, e);
  assertEquals(FP_RESULT[0], s(4294967040));
  // 2^63 + 1 as unsigned 64 -> double: RN gives 2^63, RP the next double up.
  for (const [m, want] of [[RN, 2 ** 63], [RP, 2 ** 63 + 2048]]) {
    e = env();
    fixedToFp(FMT_D, 1, 0x80000000, true, true, 0, m, e);
    assertEquals([FP_RESULT[0], FP_RESULT[1]], d(want));
    assertEquals(e.fpsr, FPSR_IXC);
  }
  e = env();
  fixedToFp(FMT_D, 0, 0x80000000, true, false, 0, RN, e); // INT64_MIN
  assertEquals([FP_RESULT[0], FP_RESULT[1], e.fpsr], [...d(-(2 ** 63)), 0]);
  e = env();
  fixedToFp(FMT_D, 3, 0, false, false, 1, RN, e); // fixed point: 3 / 2
  assertEquals([FP_RESULT[0], FP_RESULT[1]], d(1.5));
  e = env();
  fixedToFp(FMT_S, 0, 0, true, false, 0, RM, e); // zero is +0 in every mode
  assertEquals(FP_RESULT[0], 0);
});

Deno.test("FPConvert: double<->single<->half with rounding, flags and NaN payloads", () => {
  let e = env();
  fpConvert(FMT_D, FMT_S, ...d(1 + 2 ** -24), e); // tie: to even (1.0)
  assertEquals([FP_RESULT[0], e.fpsr], [s(1), FPSR_IXC]);
  e = env(RP);
  fpConvert(FMT_D, FMT_S, ...d(1 + 2 ** -24), e);
  assertEquals(FP_RESULT[0], s(1 + 2 ** -23));
  e = env();
  fpConvert(FMT_D, FMT_S, ...d(1e300), e);
  assertEquals([FP_RESULT[0], e.fpsr], [0x7f800000, FPSR_OFC | FPSR_IXC]);
  e = env();
  fpConvert(FMT_D, FMT_S, ...d(1e-40), e); // single denormal, inexact
  assertEquals([FP_RESULT[0], e.fpsr], [s(1e-40), FPSR_UFC | FPSR_IXC]);
  e = env(RN, FPCR_FZ);
  fpConvert(FMT_D, FMT_S, ...d(1e-40), e);
  assertEquals([FP_RESULT[0], e.fpsr], [0, FPSR_UFC]);
  e = env();
  fpConvert(FMT_S, FMT_D, 0x7f800001, 0, e); // SNaN: quieted, payload moved up
  assertEquals([FP_RESULT[0], FP_RESULT[1], e.fpsr], [0x20000000, 0x7ff80000, FPSR_IOC]);
  e = env();
  fpConvert(FMT_D, FMT_S, 0x20000000, 0xfff80000, e);
  assertEquals([FP_RESULT[0], e.fpsr], [0xffc00001, 0]);
  e = env(RN, FPCR_DN);
  fpConvert(FMT_D, FMT_S, 0x20000000, 0xfff80000, e);
  assertEquals(FP_RESULT[0], 0x7fc00000);
  // Half: 1.0 = 0x3c00, 65504 max, 2^-24 smallest denormal, overflow to inf.
  e = env();
  fpConvert(FMT_S, FMT_H, s(1), 0, e);
  assertEquals(FP_RESULT[0], 0x3c00);
  fpConvert(FMT_S, FMT_H, s(65504), 0, e);
  assertEquals(FP_RESULT[0], 0x7bff);
  fpConvert(FMT_S, FMT_H, s(2 ** -24), 0, e);
  assertEquals(FP_RESULT[0], 0x0001);
  assertEquals(e.fpsr, 0);
  fpConvert(FMT_S, FMT_H, s(70000), 0, e);
  assertEquals([FP_RESULT[0], e.fpsr], [0x7c00, FPSR_OFC | FPSR_IXC]);
  e = env(RN, FPCR_FZ);
  fpConvert(FMT_H, FMT_S, 0x0001, 0, e); // half denormal input is never flushed
  assertEquals([FP_RESULT[0], e.fpsr], [s(2 ** -24), 0]);
  fpConvert(FMT_H, FMT_D, 0xfe01, 0, e);
  assertEquals([FP_RESULT[0], FP_RESULT[1]], [0, 0xfff80400]);
});

Deno.test("FPRoundInt: modes, signed zero results, FRINTX inexact", () => {
  const v = [-2.5, -0.4, 0.5, 1.5, 2.5];
  const want: Record<number, number[]> = {
    [RN]: [-2, -0, 0, 2, 2],
    [RA]: [-3, -0, 1, 2, 3],
    [RP]: [-2, -0, 1, 2, 3],
    [RM]: [-3, -1, 0, 1, 2],
    [RZ]: [-2, -0, 0, 1, 2],
  };
  for (const m of [RN, RA, RP, RM, RZ]) {
    v.forEach((x, i) => {
      const e = env();
      fpRoundInt(FMT_D, ...d(x), m, false, e);
      assertEquals([FP_RESULT[0], FP_RESULT[1]], d(want[m][i]), `${x} mode ${m}`);
      assertEquals(e.fpsr, 0);
    });
  }
  const e = env();
  fpRoundInt(FMT_S, s(2.5), 0, RN, true, e);
  assertEquals([FP_RESULT[0], e.fpsr], [s(2), FPSR_IXC]);
});

Deno.test("FPConvert with FPCR.AHP: alternative half precision (no Inf/NaN, saturation with IOC)", () => {
  let e = env(RN, FPCR_AHP);
  fpConvert(FMT_H, FMT_S, 0x7c00, 0, e); // exponent 31 is a normal binade: 2^16
  assertEquals([FP_RESULT[0], e.fpsr], [s(65536), 0]);
  fpConvert(FMT_S, FMT_H, s(70000), 0, e); // 70000 = 2^16 * (1 + 69.75/1024)
  assertEquals([FP_RESULT[0], e.fpsr], [0x7c46, FPSR_IXC]);
  e = env(RN, FPCR_AHP);
  fpConvert(FMT_S, FMT_H, s(1e6), 0, e); // beyond 131008: saturate, IOC, no IXC
  assertEquals([FP_RESULT[0], e.fpsr], [0x7fff, FPSR_IOC]);
  e = env(RN, FPCR_AHP);
  fpConvert(FMT_S, FMT_H, 0xff800000, 0, e); // -inf -> largest negative
  assertEquals([FP_RESULT[0], e.fpsr], [0xffff, FPSR_IOC]);
  e = env(RN, FPCR_AHP);
  fpConvert(FMT_D, FMT_H, 0, 0xfff80000, e); // NaN -> signed zero
  assertEquals([FP_RESULT[0], e.fpsr], [0x8000, FPSR_IOC]);
});
