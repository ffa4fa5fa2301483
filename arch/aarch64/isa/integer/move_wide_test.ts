import { assertEquals } from "../../../../tests/assert.ts";
import { adr, CODE, Harness, movWide } from "../../cpu/test_asm.ts";

const h = new Harness();

Deno.test("MOVZ/MOVN/MOVK in every halfword, 32-bit forms zero the upper half", () => {
  h.exec(movWide(1, 2, 3, 0xabcd, 0));
  assertEquals(h.getX(0), 0xabcd000000000000n);
  h.exec(movWide(1, 3, 1, 0x1234, 0)); // movk x0, #0x1234, lsl #16
  assertEquals(h.getX(0), 0xabcd000012340000n);
  h.exec(movWide(1, 3, 2, 0x5678, 0));
  assertEquals(h.getX(0), 0xabcd567812340000n);
  h.exec(movWide(1, 0, 1, 0x1, 0)); // movn x0, #1, lsl #16
  assertEquals(h.getX(0), 0xfffffffffffeffffn);
  h.exec(movWide(0, 0, 0, 0, 0)); // movn w0, #0
  assertEquals(h.getX(0), 0xffffffffn);
  h.x(0, 0xffffffffffffffffn);
  h.exec(movWide(0, 3, 0, 0, 0)); // movk w0, #0
  assertEquals(h.getX(0), 0xffff0000n);
  h.cpu.sys.esr = 0;
  h.exec(movWide(0, 2, 2, 1, 0)); // 32-bit with hw = 2: reserved
  assertEquals(h.cpu.sys.esr, 0x02000000);
  h.cpu.sys.esr = 0;
  h.exec(movWide(1, 1, 0, 1, 0)); // opc = 01: unallocated
  assertEquals(h.cpu.sys.esr, 0x02000000);
});

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
