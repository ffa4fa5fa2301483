/**
 * Throughput of the softfloat operations (run: `deno bench arch/aarch64/softfloat/`).
 * Each iteration performs 1000 operations on varying operands.
 */
import { fpAdd, fpDiv, fpMul, fpMulAdd, fpSqrt } from "./arith.ts";
import { fixedToFp, fpToFixed } from "./convert.ts";
import { FMT_D, FMT_S } from "./format.ts";
import { RZ } from "./fpcr.ts";
import { FP_RESULT } from "./round.ts";

const env = { fpcr: 0, fpsr: 0 };
const N = 1000;
const f64 = new Float64Array(N), f32 = new Float32Array(N);
for (let i = 0; i < N; i++) f64[i] = f32[i] = 1 + i / 7;
const d = new Uint32Array(f64.buffer), s = new Uint32Array(f32.buffer);

Deno.bench("fpAdd double x1000", () => {
  for (let i = 0; i < N - 1; i++) {
    fpAdd(FMT_D, d[2 * i], d[2 * i + 1], d[2 * i + 2], d[2 * i + 3], false, env);
  }
});
Deno.bench("fpAdd single x1000", () => {
  for (let i = 0; i < N - 1; i++) fpAdd(FMT_S, s[i], 0, s[i + 1], 0, false, env);
});
Deno.bench("fpMul double x1000", () => {
  for (let i = 0; i < N - 1; i++) {
    fpMul(FMT_D, d[2 * i], d[2 * i + 1], d[2 * i + 2], d[2 * i + 3], env);
  }
});
Deno.bench("fpDiv double x1000", () => {
  for (let i = 0; i < N - 1; i++) {
    fpDiv(FMT_D, d[2 * i], d[2 * i + 1], d[2 * i + 2], d[2 * i + 3], env);
  }
});
Deno.bench("fpSqrt double x1000", () => {
  for (let i = 0; i < N; i++) fpSqrt(FMT_D, d[2 * i], d[2 * i + 1], env);
});
Deno.bench("fpMulAdd double x1000", () => {
  for (let i = 0; i < N - 2; i++) {
    fpMulAdd(
      FMT_D,
      d[2 * i],
      d[2 * i + 1],
      d[2 * i + 2],
      d[2 * i + 3],
      d[2 * i + 4],
      d[2 * i + 5],
      env,
    );
  }
});
Deno.bench("fpToFixed + fixedToFp double x1000", () => {
  for (let i = 0; i < N; i++) {
    fpToFixed(FMT_D, d[2 * i], d[2 * i + 1], 0, false, true, RZ, env);
    fixedToFp(FMT_D, FP_RESULT[0], FP_RESULT[1], true, false, 0, 0, env);
  }
});
