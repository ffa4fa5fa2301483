import { assertEquals } from "@gunyah-ts/tests/assert";
import { CpuState } from "./cpu/state.ts";
import { differingQuads, getVQuads, setVQuads, vQuadName } from "./test_diff_state.ts";

Deno.test("setVQuads puts quad 2n in Vn bits 63:0 and quad 2n+1 in bits 127:64", () => {
  const cpu = new CpuState();
  setVQuads(cpu, [0x1111111122222222n, 0x3333333344444444n, 0xfedcba9876543210n]);
  // V0: words 0..3 little-endian; V1 starts at word 4.
  assertEquals(Array.from(cpu.v.subarray(0, 6)), [
    0x22222222,
    0x11111111,
    0x44444444,
    0x33333333,
    0x76543210,
    0xfedcba98,
  ]);
  assertEquals(cpu.v[6], 0); // V1 high half untouched
});

Deno.test("getVQuads reads back what setVQuads wrote, for every V register", () => {
  const cpu = new CpuState();
  const quads = Array.from({ length: 64 }, (_, k) => (BigInt(k) << 56n) | BigInt(k * 0x01010101));
  setVQuads(cpu, quads);
  assertEquals(getVQuads(cpu, 64), quads);
  assertEquals(getVQuads(cpu, 3), quads.slice(0, 3));
});

Deno.test("vQuadName and differingQuads name and locate mismatches", () => {
  assertEquals([vQuadName(0), vQuadName(1), vQuadName(23)], ["V0.lo", "V0.hi", "V11.hi"]);
  assertEquals(differingQuads([1n, 2n, 3n, 4n], [1n, 0n, 3n, 5n, 9n]), [1, 3]);
  assertEquals(differingQuads([1n, 2n], [1n]), [1]);
  assertEquals(differingQuads([], [1n]), []);
});
