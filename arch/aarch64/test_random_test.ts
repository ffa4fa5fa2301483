import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { a64Decoder } from "./decode/a64.ts";
import { entries as fpEntries } from "./isa/fp/mod.ts";
import { encodingCandidates, randomEncoding, Xorshift32 } from "./test_random.ts";

Deno.test("Xorshift32 gives Marsaglia's 13/17/5 sequence from seed 1", () => {
  const r = new Xorshift32(1);
  assertEquals([r.next(), r.next(), r.next()], [270369, 67634689, 2647435461]);
});

Deno.test("Xorshift32 streams are reproducible, below() stays in range, pick() picks members", () => {
  const a = new Xorshift32(0x6a09e667), b = new Xorshift32(0x6a09e667);
  const items = ["p", "q", "r"];
  for (let i = 0; i < 1000; i++) {
    const n = 1 + (i % 37);
    const v = a.below(n);
    assertEquals(v, b.next() % n);
    assert(v >= 0 && v < n && Number.isInteger(v));
    assert(items.includes(a.pick(items)));
    b.next();
  }
});

Deno.test("Xorshift32 rejects the zero seed (its only fixed point)", () => {
  assertThrows(() => new Xorshift32(0), RangeError, "non-zero");
  assertThrows(() => new Xorshift32(2 ** 32), RangeError, "non-zero");
});

Deno.test("randomEncoding draws words that decode to the chosen entry's pattern", () => {
  const pool = encodingCandidates(fpEntries);
  assertEquals(pool.length, fpEntries.length);
  const d = a64Decoder();
  const r = new Xorshift32(0x1234567);
  let decoded = 0;
  for (let i = 0; i < 2000; i++) {
    const c = r.pick(pool);
    const w = randomEncoding(r, c);
    assertEquals((w & c.mask) >>> 0, c.value);
    assert(w >= 0 && w <= 0xffffffff);
    // Free bits may select a more specific entry or a reserved value; most decode to c.
    if (d.lookup(w) === c.entry) decoded++;
  }
  assert(decoded > 1000, `only ${decoded} of 2000 random words decoded to their own entry`);
});
