import { assert, assertEquals } from "../../assert.ts";
import { Prng } from "./prng.ts";

Deno.test("Prng: the same seed gives the same stream", () => {
  const a = new Prng(42), b = new Prng(42);
  for (let i = 0; i < 100; i++) assertEquals(a.u32(), b.u32());
});

Deno.test("Prng: different seeds give different streams", () => {
  const a = new Prng(1), b = new Prng(2);
  const sa = Array.from({ length: 8 }, () => a.u32());
  const sb = Array.from({ length: 8 }, () => b.u32());
  assert(sa.join() !== sb.join());
});

Deno.test("Prng: below/range stay in bounds and cover them", () => {
  const p = new Prng(7);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const v = p.range(3, 9);
    assert(v >= 3 && v <= 9);
    seen.add(v);
  }
  assertEquals(seen.size, 7);
});
