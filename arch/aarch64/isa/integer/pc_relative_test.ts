import { assertEquals } from "@gunyah-ts/tests/assert";
import { adr, CODE, Harness } from "../../cpu/test_asm.ts";
import { TestRam } from "../../cpu/test_support.ts";

const h = new Harness();

Deno.test("ADR/ADRP: signed offsets, page base, carry into the high half", () => {
  h.exec(adr(0, -4, 1));
  assertEquals(h.getX(1), BigInt(CODE - 4));
  h.exec(adr(0, 0xfffff, 1)); // +1 MiB - 1
  assertEquals(h.getX(1), BigInt(CODE + 0xfffff));
  h.exec(adr(1, 1, 2)); // adrp x2, next page
  assertEquals(h.getX(2), BigInt((CODE & ~0xfff) + 0x1000));
  h.exec(adr(1, -0x100000, 2)); // adrp x2, -4 GiB
  assertEquals(h.getX(2), BigInt.asUintN(64, BigInt(CODE & ~0xfff) - 0x100000000n));
  h.exec(adr(1, 0xfffff, 2)); // adrp x2, +4 GiB - 4 KiB
  assertEquals(h.getX(2), BigInt(CODE & ~0xfff) + 0xfffff000n);
});

Deno.test("ADR/ADRP: a PC at or above 2 GiB stays unsigned (RAM at 0x8000_0000)", () => {
  const high = new Harness(new TestRam(0x8000_0000, 0x10000));
  const pc = 0x8000_0000 + 0x1000;
  high.load([adr(1, 1, 2)], pc); // adrp x2, next page
  high.vcpu.run(1);
  assertEquals(high.getX(2), BigInt(pc + 0x1000));
  high.load([adr(0, 8, 3)], pc); // adr x3, .+8
  high.vcpu.run(1);
  assertEquals(high.getX(3), BigInt(pc + 8));
});
