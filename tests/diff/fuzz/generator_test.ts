import { assert, assertEquals } from "../../assert.ts";
import { haveCrossGcc } from "../../guests/toolchain.ts";
import { disassemble } from "./disassemble.ts";
import { CLASSES } from "./classes.ts";
import { generateSequence, link } from "./generator.ts";
import { POOL_REGS, REG_SCRATCH } from "./layout.ts";
import { Prng } from "./prng.ts";

Deno.test("generator: the same seed generates the same words", () => {
  const a = generateSequence(new Prng(5), CLASSES, 60);
  const b = generateSequence(new Prng(5), CLASSES, 60);
  assertEquals(a.words, b.words);
  assert(a.executedAtLeast > 0 && a.executedAtLeast <= a.words.length);
});

Deno.test("generator: branches only go forward, within the sequence or to its end", () => {
  const r = new Prng(11);
  const branchOnly = CLASSES.filter((c) => c.name === "branch");
  for (let n = 0; n < 50; n++) {
    const s = generateSequence(r, [...branchOnly, ...CLASSES.slice(0, 3)], 20);
    let at = 0;
    for (const g of s.groups) {
      if (g.branch) {
        const last = g.words[g.words.length - 1];
        // Direct branches: the immediate is positive and lands inside [start, end].
        if (g.words.length === 1) {
          let off = 0;
          if ((last >>> 26) === 0b000101 || (last >>> 26) === 0b100101) {
            off = (last & 0x3ffffff) * 4;
          } else if ((last >>> 25 & 0x3f) === 0b011011) off = ((last >>> 5) & 0x3fff) * 4;
          else off = ((last >>> 5) & 0x7ffff) * 4;
          assert(off > 0 && at + off <= s.words.length * 4, `branch at ${at} to +${off}`);
        }
      }
      at += g.words.length * 4;
    }
  }
});

Deno.test("generator: link() clamps branch skips at the end of a shortened sequence", () => {
  const s = generateSequence(new Prng(3), CLASSES.filter((c) => c.name === "branch"), 5);
  const prefix = link(s.groups.slice(0, 2).map((g) => ({ ...g, words: [...g.words] })));
  assertEquals(prefix.groups.length, 2);
  assert(prefix.words.length >= 2);
});

Deno.test("generator: random instructions never write SP, X28 or X29 destinations", () => {
  const r = new Prng(99);
  for (let n = 0; n < 30; n++) {
    const s = generateSequence(r, CLASSES.filter((c) => !c.fp && c.name !== "branch"), 50);
    for (const g of s.groups) {
      const w = g.words[g.words.length - 1];
      const rd = w & 31;
      // Stores name a source in bits 4:0; loads/ALU a destination: neither may be X28/X29.
      assert(rd !== REG_SCRATCH && rd !== 29, `${g.cls} word ${w.toString(16)} uses x${rd}`);
      assert(rd < POOL_REGS || rd === 31 || rd === 27, `${g.cls}: Rd ${rd}`);
    }
  }
});

Deno.test({
  name: "generator: every class produces only defined encodings (objdump knows them all)",
  ignore: !await haveCrossGcc(),
  async fn() {
    const r = new Prng(2024);
    for (const cls of CLASSES) {
      const s = generateSequence(r, [cls], 200);
      const text = await disassemble(s.words);
      const bad = text.split("\n").filter((l) => /\.inst|undefined|unallocated/.test(l));
      assertEquals(bad, [], `${cls.name} generated encodings objdump does not know`);
    }
  },
});
