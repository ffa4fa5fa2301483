import { assertEquals } from "@gunyah-ts/tests/assert";
import {
  fpAdd,
  fpCompare,
  fpDiv,
  fpMaxMin,
  fpMaxMinNum,
  fpMul,
  fpMulAdd,
  fpSqrt,
  NZCV_EQUAL,
  NZCV_GREATER,
  NZCV_LESS,
  NZCV_UNORDERED,
} from "./arith.ts";
import { FMT_D, FMT_S } from "./format.ts";
import {
  FPCR_DN,
  FPCR_FZ,
  FPCR_RMODE_SHIFT,
  type FpEnv,
  FPSR_DZC,
  FPSR_IDC,
  FPSR_IOC,
  FPSR_IXC,
  FPSR_OFC,
  FPSR_UFC,
  RM,
  RN,
  RP,
  RZ,
} from "./fpcr.ts";
import { FP_RESULT } from "./round.ts";
import {
  halves,
  joined,
  ratAdd,
  ratDiv,
  type Rational,
  ratMul,
  refRound,
  toRational,
  Xorshift,
} from "./test_reference.ts";

const MODES = [RN, RP, RM, RZ];

function env(rmode = RN, extra = 0): FpEnv {
  return { fpcr: (rmode << FPCR_RMODE_SHIFT) | extra, fpsr: 0 };
}

function result(fmt: number): bigint {
  return joined(fmt, FP_RESULT[0], FP_RESULT[1]);
}

function flagsOf(r: { ufc: boolean; ofc: boolean; ixc: boolean }): number {
  return (r.ufc ? FPSR_UFC : 0) | (r.ofc ? FPSR_OFC : 0) | (r.ixc ? FPSR_IXC : 0);
}

type Op = "add" | "sub" | "mul" | "div" | "fma";

function runOp(op: Op, fmt: number, a: bigint, b: bigint, c: bigint, e: FpEnv): void {
  const [al, ah] = halves(a), [bl, bh] = halves(b), [cl, ch] = halves(c);
  if (op === "add") fpAdd(fmt, al, ah, bl, bh, false, e);
  else if (op === "sub") fpAdd(fmt, al, ah, bl, bh, true, e);
  else if (op === "mul") fpMul(fmt, al, ah, bl, bh, e);
  else if (op === "div") fpDiv(fmt, al, ah, bl, bh, e);
  else fpMulAdd(fmt, al, ah, bl, bh, cl, ch, e);
}

function exact(op: Op, fmt: number, a: bigint, b: bigint, c: bigint): Rational | null {
  const ra = toRational(fmt, a), rb = toRational(fmt, b);
  if (op === "add") return ratAdd(ra, rb);
  if (op === "sub") return ratAdd(ra, { ...rb, neg: !rb.neg });
  if (op === "mul") return ratMul(ra, rb);
  if (op === "div") return ratDiv(ra, rb);
  return ratAdd(ra, ratMul(rb, toRational(fmt, c)));
}

function randomCompare(op: Op, fmt: number, seed: number, n: number, wide: boolean): void {
  const rng = new Xorshift(seed);
  const emax = fmt === FMT_D ? 2046 : 254;
  for (let i = 0; i < n; i++) {
    // Exponents: either anywhere (overflow/underflow/denormals) or clustered (cancellation).
    const base = 1 + (rng.next() % emax);
    const span = wide ? emax : 30;
    const pick = () => {
      const lo = wide ? 0 : Math.max(0, base - span),
        hi = wide ? emax : Math.min(emax, base + span);
      return rng.finite(fmt, lo, hi);
    };
    const a = pick(), b = pick();
    let c = pick();
    if (op === "fma" && (rng.next() & 3) === 0) {
      // Make the addend nearly cancel the product.
      const p = ratMul(toRational(fmt, b), toRational(fmt, c));
      const r = refRound(p, fmt, RN);
      const nearly = (r.bits ^ (1n << BigInt(fmt - 1))) ^ BigInt(rng.next() & 7);
      const expMask = fmt === FMT_D ? 0x7ffn << 52n : 0xffn << 23n;
      if ((nearly & expMask) !== expMask && (nearly & ~(1n << BigInt(fmt - 1))) !== 0n) c = nearly;
    }
    const x = exact(op, fmt, op === "fma" ? c : a, op === "fma" ? a : b, op === "fma" ? b : 0n);
    for (const m of MODES) {
      const e = env(m);
      if (op === "fma") runOp(op, fmt, c, a, b, e);
      else runOp(op, fmt, a, b, 0n, e);
      const got = result(fmt);
      if (x === null) {
        const want = m === RM ? 1n << BigInt(fmt - 1) : 0n;
        assertEquals(got, want, `${op} exact zero ${a} ${b} ${c}`);
        continue;
      }
      const want = refRound(x, fmt, m);
      if (got !== want.bits || e.fpsr !== flagsOf(want)) {
        throw new Error(
          `${op} fmt ${fmt} mode ${m}: a=${a.toString(16)} b=${b.toString(16)} c=${
            c.toString(16)
          } got ${got.toString(16)} flags ${e.fpsr.toString(16)}, want ${
            want.bits.toString(16)
          } flags ${flagsOf(want).toString(16)}`,
        );
      }
    }
  }
}

for (const op of ["add", "sub", "mul", "div", "fma"] as Op[]) {
  for (const fmt of [FMT_S, FMT_D]) {
    Deno.test(`softfloat ${op} f${fmt}: all rounding modes and flags match the BigInt reference`, () => {
      randomCompare(op, fmt, 0x1234 + fmt + op.length, 300, false);
      randomCompare(op, fmt, 0x9876 + fmt + op.length, 300, true);
    });
  }
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

Deno.test("softfloat sqrt: directed rounding and flags match an integer-sqrt reference", () => {
  const rng = new Xorshift(77);
  for (const fmt of [FMT_S, FMT_D]) {
    for (let i = 0; i < 300; i++) {
      const a = rng.finite(fmt, 0, fmt === FMT_D ? 2046 : 254) & ~(1n << BigInt(fmt - 1));
      const r = toRational(fmt, a); // den is a power of two
      const k = 200n; // sqrt(num/den) = sqrt(num * den * 2^(2k)) / (den * 2^k)
      const n = r.num * r.den << (2n * k);
      const s = isqrt(n);
      const inexact = s * s !== n;
      const x: Rational = { neg: false, num: s * 4n + (inexact ? 1n : 0n), den: r.den * 4n << k };
      for (const m of MODES) {
        const e = env(m);
        const [lo, hi] = halves(a);
        fpSqrt(fmt, lo, hi, e);
        const want = refRound(x, fmt, m);
        assertEquals(result(fmt), want.bits, `sqrt ${a.toString(16)} mode ${m}`);
        assertEquals(e.fpsr, flagsOf(want));
      }
    }
  }
});

Deno.test("softfloat: NaN propagation order, quietening and default NaN", () => {
  const qa = 0x7fc00001, sb = 0x7f800002, qb = 0xffc00003;
  let e = env();
  fpAdd(FMT_S, qa, 0, sb, 0, false, e); // SNaN wins over an earlier QNaN
  assertEquals(FP_RESULT[0], 0x7fc00002);
  assertEquals(e.fpsr, FPSR_IOC);
  e = env();
  fpMul(FMT_S, 0x3f800000, 0, qb, 0, e);
  assertEquals(FP_RESULT[0], 0xffc00003);
  assertEquals(e.fpsr, 0);
  e = env(RN, FPCR_DN);
  fpMul(FMT_S, 0x3f800000, 0, qb, 0, e);
  assertEquals(FP_RESULT[0], 0x7fc00000);
  // Double: SNaN payload kept, quiet bit set.
  e = env();
  fpDiv(FMT_D, 0, 0x3ff00000, 0x5, 0x7ff00000, e);
  assertEquals([FP_RESULT[0], FP_RESULT[1]], [5, 0x7ff80000]);
  assertEquals(e.fpsr, FPSR_IOC);
  // FMA: QNaN addend with inf*0 gives the default NaN and IOC.
  e = env();
  fpMulAdd(FMT_S, qa, 0, 0x7f800000, 0, 0, 0, e);
  assertEquals(FP_RESULT[0], 0x7fc00000);
  assertEquals(e.fpsr, FPSR_IOC);
  // FMA: addend SNaN has priority over multiplicand SNaN.
  e = env();
  fpMulAdd(FMT_S, 0x7f800009, 0, 0x7f800001, 0, 0x3f800000, 0, e);
  assertEquals(FP_RESULT[0], 0x7fc00009);
});

Deno.test("softfloat: invalid operations and division by zero", () => {
  let e = env();
  fpAdd(FMT_D, 0, 0x7ff00000, 0, 0xfff00000, false, e); // inf - inf
  assertEquals([FP_RESULT[0], FP_RESULT[1], e.fpsr], [0, 0x7ff80000, FPSR_IOC]);
  e = env();
  fpMul(FMT_S, 0x7f800000, 0, 0x80000000, 0, e); // inf * -0
  assertEquals([FP_RESULT[0], e.fpsr], [0x7fc00000, FPSR_IOC]);
  e = env();
  fpDiv(FMT_S, 0xbf800000, 0, 0, 0, e); // -1 / +0
  assertEquals([FP_RESULT[0], e.fpsr], [0xff800000, FPSR_DZC]);
  e = env();
  fpDiv(FMT_S, 0, 0, 0, 0, e); // 0 / 0
  assertEquals([FP_RESULT[0], e.fpsr], [0x7fc00000, FPSR_IOC]);
  e = env();
  fpSqrt(FMT_S, 0xbf800000, 0, e);
  assertEquals([FP_RESULT[0], e.fpsr], [0x7fc00000, FPSR_IOC]);
  e = env();
  fpSqrt(FMT_S, 0x80000000, 0, e); // sqrt(-0) = -0
  assertEquals([FP_RESULT[0], e.fpsr], [0x80000000, 0]);
});

Deno.test("softfloat: signed zero results follow the rounding mode", () => {
  let e = env(RN);
  fpAdd(FMT_S, 0x3f800000, 0, 0x3f800000, 0, true, e); // 1 - 1 = +0
  assertEquals(FP_RESULT[0], 0);
  e = env(RM);
  fpAdd(FMT_S, 0x3f800000, 0, 0x3f800000, 0, true, e); // -0 under RM
  assertEquals(FP_RESULT[0], 0x80000000);
  e = env(RN);
  fpAdd(FMT_S, 0x80000000, 0, 0x80000000, 0, false, e); // -0 + -0 = -0
  assertEquals(FP_RESULT[0], 0x80000000);
});

Deno.test("softfloat: FZ flushes denormal inputs (IDC) and tiny outputs (UFC, no IXC)", () => {
  let e = env(RN, FPCR_FZ);
  fpAdd(FMT_S, 0x00000001, 0, 0x3f800000, 0, false, e); // denormal + 1 = 1 exactly
  assertEquals([FP_RESULT[0], e.fpsr], [0x3f800000, FPSR_IDC]);
  e = env(RN, FPCR_FZ);
  fpMul(FMT_S, 0x00800000, 0, 0x3f000000, 0, e); // min normal * 0.5 -> flushed
  assertEquals([FP_RESULT[0], e.fpsr], [0, FPSR_UFC]);
  e = env(RN);
  fpMul(FMT_S, 0x00800000, 0, 0x3f000000, 0, e); // exact denormal: no flags
  assertEquals([FP_RESULT[0], e.fpsr], [0x00400000, 0]);
  e = env(RN);
  fpMul(FMT_S, 0x00800001, 0, 0x3f000000, 0, e); // inexact denormal: UFC + IXC
  assertEquals([FP_RESULT[0], e.fpsr], [0x00400000, FPSR_UFC | FPSR_IXC]);
  e = env(RN, FPCR_FZ);
  fpMul(FMT_D, 0, 0x00100000, 0, 0x3fe00000, e);
  assertEquals([FP_RESULT[0], FP_RESULT[1], e.fpsr], [0, 0, FPSR_UFC]);
});

Deno.test("softfloat: overflow per rounding mode", () => {
  const max = 0x7f7fffff;
  for (const [m, want] of [[RN, 0x7f800000], [RZ, max], [RP, 0x7f800000], [RM, max]]) {
    const e = env(m);
    fpMul(FMT_S, max, 0, 0x40000000, 0, e);
    assertEquals([FP_RESULT[0], e.fpsr], [want, FPSR_OFC | FPSR_IXC]);
  }
  const e = env(RM);
  fpMul(FMT_S, max, 0, 0xc0000000, 0, e);
  assertEquals(FP_RESULT[0], 0xff800000);
});

Deno.test("softfloat: FMAX/FMIN/FMAXNM/FMINNM zero signs and NaN rules", () => {
  let e = env();
  fpMaxMin(FMT_S, 0x80000000, 0, 0, 0, true, e);
  assertEquals(FP_RESULT[0], 0);
  fpMaxMin(FMT_S, 0x80000000, 0, 0, 0, false, e);
  assertEquals(FP_RESULT[0], 0x80000000);
  fpMaxMin(FMT_S, 0x7fc00000, 0, 0x3f800000, 0, true, e);
  assertEquals(FP_RESULT[0], 0x7fc00000);
  fpMaxMinNum(FMT_S, 0x7fc00000, 0, 0x3f800000, 0, true, e);
  assertEquals(FP_RESULT[0], 0x3f800000);
  fpMaxMinNum(FMT_S, 0xbf800000, 0, 0x7fc00000, 0, false, e);
  assertEquals(FP_RESULT[0], 0xbf800000);
  assertEquals(e.fpsr, 0);
  fpMaxMinNum(FMT_S, 0x7f800001, 0, 0x3f800000, 0, true, e); // SNaN still propagates
  assertEquals([FP_RESULT[0], e.fpsr], [0x7fc00001, FPSR_IOC]);
  e = env();
  fpMaxMinNum(FMT_D, 0, 0x7ff80000, 0, 0xfff00000, true, e); // qNaN vs -inf -> -inf
  assertEquals(FP_RESULT[1], 0xfff00000);
});

Deno.test("softfloat: FPCompare results and IOC rules", () => {
  let e = env();
  assertEquals(fpCompare(FMT_S, 0x3f800000, 0, 0x40000000, 0, false, e), NZCV_LESS);
  assertEquals(fpCompare(FMT_S, 0x40000000, 0, 0x3f800000, 0, false, e), NZCV_GREATER);
  assertEquals(fpCompare(FMT_S, 0x80000000, 0, 0, 0, false, e), NZCV_EQUAL);
  assertEquals(fpCompare(FMT_S, 0x7fc00000, 0, 0, 0, false, e), NZCV_UNORDERED);
  assertEquals(e.fpsr, 0);
  assertEquals(fpCompare(FMT_S, 0x7fc00000, 0, 0, 0, true, e), NZCV_UNORDERED);
  assertEquals(e.fpsr, FPSR_IOC);
  e = env();
  assertEquals(fpCompare(FMT_D, 1, 0x7ff00000, 0, 0, false, e), NZCV_UNORDERED);
  assertEquals(e.fpsr, FPSR_IOC);
});

Deno.test("softfloat: single FMA whose 53-bit rounding lands on a single midpoint (no double rounding)", () => {
  // (1 + 2^-23) + (2^-12 + 2^-35)(2^-12 - 2^-35) = 1 + 3*2^-24 - 2^-70: just below the
  // midpoint between 1 + 2^-23 and 1 + 2^-22, so the nearest single is 1 + 2^-23.
  const e = env(RN);
  fpMulAdd(FMT_S, 0x3f800001, 0, 0x39800001, 0, 0x397ffffe, 0, e);
  assertEquals([FP_RESULT[0], e.fpsr], [0x3f800001, FPSR_IXC]);
  const up = env(RP);
  fpMulAdd(FMT_S, 0x3f800001, 0, 0x39800001, 0, 0x397ffffe, 0, up);
  assertEquals(FP_RESULT[0], 0x3f800002);
});
