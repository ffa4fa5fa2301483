/**
 * Translator tests: self-modifying code, I-cache maintenance, hotness,
 * counters.
 *
 * @module
 */
import { RegisterSet } from "@gunyah-ts/core/plugin";
import { assertEquals } from "@gunyah-ts/tests/assert";
import { testInit, TestRam } from "../cpu/test_support.ts";
import { Aarch64Vcpu } from "../vcpu.ts";
import type { CpuModeOptions } from "./config.ts";
import { DEFAULT_JIT_THRESHOLD, JS_JIT_THRESHOLD, resolveCpuMode } from "./config.ts";
import { Translator } from "./translator.ts";

const BASE = 0x40000000;
const CODE = BASE + 0x1000;

function vcpu(options: CpuModeOptions, words: number[]): Aarch64Vcpu {
  const ram = new TestRam(BASE, 0x10000);
  ram.writeWords(CODE, words);
  const v = new Aarch64Vcpu(testInit(ram), undefined, options);
  v.reset(BigInt(CODE), 0n);
  return v;
}

const ADD_X0_1 = 0x91000400; // ADD X0, X0, #1
const ADD_X0_100 = 0x91019000; // ADD X0, X0, #100
const SUBS_X2_1 = 0xf1000442; // SUBS X2, X2, #1
const STR_W3_X4 = 0xb9000083; // STR W3, [X4]
const IC_IALLU = 0xd508751f;
const HVC0 = 0xd4000002;
/** B.NE back `n` instructions. */
const bne = (n: number) => (0x54000001 | ((-n & 0x7ffff) << 5)) >>> 0;

Deno.test("self-modifying code: a store into the running block takes effect at once", () => {
  // loop: add x0, x0, #1 ; str w3, [x4] (x4 = the add) ; subs x2, x2, #1 ; b.ne loop ; hvc
  // After the first store the add becomes ADD X0, X0, #100: x0 = 1 + 100 * 9.
  const prog = [ADD_X0_1, STR_W3_X4, SUBS_X2_1, bne(3), HVC0];
  for (const options of [{ cpuMode: "interp" }, { cpuMode: "jit", jitThreshold: 0 }] as const) {
    const v = vcpu(options, prog);
    v.setRegister(RegisterSet.X, 2, 10n);
    v.setRegister(RegisterSet.X, 3, BigInt(ADD_X0_100));
    v.setRegister(RegisterSet.X, 4, BigInt(CODE));
    v.run(1000);
    assertEquals(v.getRegister(RegisterSet.X, 0), 1n + 100n * 9n, options.cpuMode);
    assertEquals(v.cpu.retiredTotal, 4 * 10 + 1, options.cpuMode);
  }
});

Deno.test("IC IALLU drops translated blocks; hot code is translated after the threshold", () => {
  // loop: add x0, x0, #1 ; subs x2, x2, #1 ; b.ne loop ; ic iallu ; hvc
  const v = vcpu({ cpuMode: "jit", jitThreshold: 5 }, [
    ADD_X0_1,
    SUBS_X2_1,
    bne(2),
    IC_IALLU,
    HVC0,
  ]);
  v.setRegister(RegisterSet.X, 2, 100n);
  v.run(1000);
  assertEquals(v.getRegister(RegisterSet.X, 0), 100n);
  const s = v.translatorStats!;
  assertEquals(s.blocksTranslated, 1); // the loop, once it was hot; the rest ran 1x
  assertEquals(s.invalidations >= 1, true);
  assertEquals(s.blocks, 0);
  assertEquals(s.retiredInBlocks > 250, true);
  // The counters are what the status snapshot shows for this vCPU (vcpus[].arch).
  const d = v.describe();
  assertEquals(d.cpuMode, "jit");
  assertEquals(d.jitBlocksTranslated, 1);
  assertEquals(d.jitRetiredInBlocks, s.retiredInBlocks);
  assertEquals(typeof d.jitTimeInBlocksMs, "number");
  assertEquals(s.timeInBlocksMs >= 0, true);
});

Deno.test("cpu mode: options win, bad values are refused with a clear message", () => {
  assertEquals(resolveCpuMode({ cpuMode: "interp", jitThreshold: 3, jitBackend: "js" }), {
    mode: "interp",
    threshold: 3,
    backend: "js",
  });
  assertEquals(resolveCpuMode({ jitBackend: "js" }).threshold, JS_JIT_THRESHOLD);
  assertEquals(resolveCpuMode({ jitBackend: "wasm" }).threshold, DEFAULT_JIT_THRESHOLD);
  let message = "";
  try {
    resolveCpuMode({ jitThreshold: -1 });
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, "the JIT threshold must be an integer in 0..65534, got -1");
  const interp = vcpu({ cpuMode: "interp" }, [HVC0]);
  assertEquals(interp.translatorStats, null);
});

Deno.test("division edge cases: x/0 = 0 and MIN/-1 = MIN in both widths, as the interpreter", () => {
  // sdiv x3, x0, x1 ; udiv x4, x0, x2 ; sdiv w5, w6, w7 ; udiv w8, w6, w2 ; sdiv x9, x0, x2 ; hvc
  // (x0 = INT64_MIN, x1 = -1, x2 = 0, w6 = INT32_MIN, w7 = -1)
  const prog = [0x9ac10c03, 0x9ac20804, 0x1ac70cc5, 0x1ac208c8, 0x9ac20c09, HVC0];
  const results: bigint[][] = [];
  for (const backend of ["wasm", "js"] as const) {
    for (
      const options of [{ cpuMode: "interp" }, {
        cpuMode: "jit",
        jitThreshold: 0,
        jitBackend: backend,
      }] as const
    ) {
      const v = vcpu(options, prog);
      v.setRegister(RegisterSet.X, 0, 1n << 63n);
      v.setRegister(RegisterSet.X, 1, (1n << 64n) - 1n);
      v.setRegister(RegisterSet.X, 2, 0n);
      v.setRegister(RegisterSet.X, 6, 0x80000000n);
      v.setRegister(RegisterSet.X, 7, 0xffffffffn);
      v.run(100);
      results.push([3, 4, 5, 8, 9].map((r) => v.getRegister(RegisterSet.X, r)));
    }
  }
  const expected = [1n << 63n, 0n, 0x80000000n, 0n, 0n];
  for (const r of results) assertEquals(r, expected);
});

Deno.test("wasm block ids: a new epoch (ids used up) refills the tables and keeps results exact", () => {
  // Ten blocks chained by B to the next one, looped by x2: more blocks than ids per epoch.
  // Each block: add x0, x0, #1 ; b next. The last: subs x2, x2, #1 ; b.ne first ; hvc.
  const B_NEXT = 0x14000001; // B .+4
  const prog: number[] = [];
  for (let i = 0; i < 10; i++) prog.push(ADD_X0_1, B_NEXT);
  prog.push(SUBS_X2_1, bne(21), HVC0);
  const results: bigint[] = [];
  for (const ids of [0, 3]) {
    const v = vcpu(ids === 0 ? { cpuMode: "interp" } : { cpuMode: "jit", jitThreshold: 0 }, prog);
    if (ids !== 0) v.cpu.translator = new Translator(v.cpu.decodeCache, 0, "wasm", ids);
    v.setRegister(RegisterSet.X, 2, 50n);
    v.run(100000);
    results.push(v.getRegister(RegisterSet.X, 0), BigInt(v.cpu.retiredTotal));
    if (ids !== 0) {
      const s = v.translatorStats!;
      assertEquals(s.blocksTranslated, 11);
      assertEquals(s.blockEntries > 500, true); // chained and re-entered across epochs
    }
  }
  assertEquals(results.slice(2), results.slice(0, 2));
  assertEquals(results[0], 500n);
});
