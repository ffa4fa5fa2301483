import { assertEquals } from "@gunyah-ts/tests/assert";
import { Harness, movWide } from "../../cpu/test_asm.ts";

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
