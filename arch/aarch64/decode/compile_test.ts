import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { compileDecoder, DecoderBuildError } from "./compile.ts";
import type { EncodingEntry, Handler } from "./entry.ts";
import { parsePattern } from "./pattern.ts";

const h = (): Handler => () => {};
const unalloc: Handler = () => {};

Deno.test("parsePattern: mask, value, fixed bits; separators ignored", () => {
  const p = parsePattern("1101 0101 0000 0011 0010 0000 0001 1111");
  assertEquals(p.mask, 0xffffffff);
  assertEquals(p.value, 0xd503201f);
  assertEquals(p.fixedBits, 32);
  const q = parsePattern("x00_100010_x_xxxxxxxxxxxx_xxxxx_xxxxx");
  assertEquals(q.mask, 0x7f800000);
  assertEquals(q.value, 0x11000000);
  assertEquals(q.fixedBits, 8);
});

Deno.test("parsePattern: bad length or character is a clear error", () => {
  assertThrows(() => parsePattern("0101"), Error, "has 4 bits");
  assertThrows(() => parsePattern("2".repeat(32)), Error, "bad character");
});

Deno.test("decoder: more specific pattern wins, others fall through", () => {
  const nop = h(), hint = h(), other = h();
  const entries: EncodingEntry[] = [
    { pattern: "1101 0101 0000 0011 0010 xxxx xxx1 1111", name: "HINT", exec: hint },
    { pattern: "1101 0101 0000 0011 0010 0000 0001 1111", name: "NOP", exec: nop },
    { pattern: "0xxx xxxx xxxx xxxx xxxx xxxx xxxx xxxx", name: "OTHER", exec: other },
  ];
  const d = compileDecoder([{ name: "t", entries }], unalloc);
  assertEquals(d.size, 3);
  assert(d.decode(0xd503201f) === nop);
  assert(d.decode(0xd503203f) === hint);
  assert(d.decode(0x12345678) === other);
  assert(d.decode(0xffffffff) === unalloc);
  assert(d.isUnallocated(d.decode(0xffffffff)));
  assertEquals(d.nameOf(0xd503205f), "HINT");
  assertEquals(d.nameOf(0xf0000000), "UNALLOCATED");
});

Deno.test("decoder: partial overlap and duplicates are rejected at build time", () => {
  const a: EncodingEntry = { pattern: "1x" + "x".repeat(30), name: "A", exec: h() };
  const b: EncodingEntry = { pattern: "x1" + "x".repeat(30), name: "B", exec: h() };
  assertThrows(
    () => compileDecoder([{ name: "g", entries: [a, b] }], unalloc),
    DecoderBuildError,
    "A",
  );
  assertThrows(
    () => compileDecoder([{ name: "g", entries: [a] }, { name: "g2", entries: [a] }], unalloc),
    DecoderBuildError,
    "neither is more specific",
  );
  assertThrows(
    () => compileDecoder([{ name: "g", entries: [{ ...a, pattern: "10" }] }], unalloc),
    DecoderBuildError,
    "g: A",
  );
});

Deno.test("decoder: entries free in the bucket bits land in every bucket", () => {
  const any = h();
  const d = compileDecoder(
    [{ name: "t", entries: [{ pattern: "x".repeat(31) + "1", name: "ODD", exec: any }] }],
    unalloc,
  );
  for (const w of [1, 0x80000001, 0xfff00001, 0x00200001]) assert(d.decode(w) === any);
  assert(d.decode(0x80000000) === unalloc);
});
