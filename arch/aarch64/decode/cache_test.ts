import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { TestRam } from "../cpu/test_support.ts";
import { codePageMarks } from "../mmu/code_pages.ts";
import { DecodeCache, NOT_DECODED } from "./cache.ts";
import { compileDecoder } from "./compile.ts";
import type { Handler } from "./entry.ts";

const nop: Handler = () => {};
const unalloc: Handler = () => {};
const decoder = compileDecoder(
  [{
    name: "t",
    entries: [{ pattern: "1101 0101 0000 0011 0010 0000 0001 1111", name: "NOP", exec: nop }],
  }],
  unalloc,
);

Deno.test("decode cache: lazy slot decode, per-slot invalidation, code-page marks", () => {
  const ram = new TestRam(0x40000000, 0x4000);
  ram.writeWords(0x40001000, [0xd503201f, 0]);
  const c = new DecodeCache(ram, decoder);
  assertEquals(c.page(0x3fff0000), null);
  const p = c.page(0x40001004)!;
  assertEquals(p.ipa, 0x40001000);
  assertEquals(p.viewOffset, 0x1000);
  assert(c.page(0x40001ffc) === p);
  assert(p.handlers[0] === NOT_DECODED);
  assert(c.decodeSlot(p, 0) === nop);
  assertEquals(p.words[0] >>> 0, 0xd503201f);
  assert(c.decodeSlot(p, 1) === unalloc);
  assertEquals([...codePageMarks(ram.mapping)], [0, 1, 0, 0]);
  // A 2-byte store into slot 1 resets only slot 1.
  c.invalidateRange(0x40001006, 2);
  assert(p.handlers[0] === nop);
  assert(p.handlers[1] === NOT_DECODED);
  // An unaligned 8-byte store crossing slots 0..2.
  c.decodeSlot(p, 1);
  c.invalidateRange(0x40001002, 8);
  assert(p.handlers[0] === NOT_DECODED && p.handlers[1] === NOT_DECODED);
  assert(p.handlers[2] === NOT_DECODED);
});

Deno.test("decode cache: stage-2 generation change drops pages", () => {
  const ram = new TestRam(0x40000000, 0x2000);
  const c = new DecodeCache(ram, decoder);
  const p = c.page(0x40000000)!;
  c.decodeSlot(p, 0);
  ram.generation++;
  const q = c.page(0x40000000)!;
  assert(p !== q);
  assert(!p.valid && q.valid);
  assert(p.handlers[0] === NOT_DECODED);
  assertEquals(c.pageCount, 1);
  c.invalidateAll();
  assertEquals(c.pageCount, 0);
  assertEquals([...codePageMarks(ram.mapping)], [0, 0]);
});
