import { assertEquals, assertThrows } from "../../assert.ts";
import { fields, signed } from "./encode.ts";

Deno.test("fields: ADD X1, X2, #3 encodes as the Arm ARM says", () => {
  // sf=1 op=0 S=0 100010 sh=0 imm12=3 Rn=2 Rd=1 -> 0x91000c41
  const w = fields([1, 1], [0, 1], [0, 1], [0b100010, 6], [0, 1], [3, 12], [2, 5], [1, 5]);
  assertEquals(w, 0x91000c41);
});

Deno.test("fields: rejects overflowing fields and wrong total width", () => {
  assertThrows(() => fields([4, 2], [0, 30]), RangeError);
  assertThrows(() => fields([0, 31]), RangeError);
});

Deno.test("signed: two's complement within the width", () => {
  assertEquals(signed(-1, 9), 0x1ff);
  assertEquals(signed(5, 9), 5);
  assertThrows(() => signed(256, 9), RangeError);
});
