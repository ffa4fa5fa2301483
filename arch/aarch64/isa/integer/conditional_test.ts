import { assertEquals } from "@gunyah-ts/tests/assert";
import { ccmp, csel, Harness } from "../../cpu/test_asm.ts";

const h = new Harness();

/** ConditionHolds reference on a 4-bit NZCV. */
function holds(cond: number, f: number): boolean {
  const n = (f >> 3) & 1, z = (f >> 2) & 1, c = (f >> 1) & 1, v = f & 1;
  const base = [
    z === 1,
    c === 1,
    n === 1,
    v === 1,
    c === 1 && z === 0,
    n === v,
    n === v && z === 0,
    true,
  ][cond >> 1];
  return (cond & 1) === 1 && cond !== 15 ? !base : base;
}

Deno.test("CSEL/CSINC/CSINV/CSNEG for all 16 conditions and all NZCV values", () => {
  for (let f = 0; f < 16; f++) {
    for (let cond = 0; cond < 16; cond++) {
      for (const [op, o2] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
        h.x(1, 0x1111n);
        h.x(2, 0xffffffffffffffffn);
        h.flags = f;
        h.exec(csel(1, op, o2, 2, cond, 1, 0));
        const m = 0xffffffffffffffffn;
        const other = op === 0 ? (o2 ? 0n : m) : (o2 ? 1n : 0n);
        assertEquals(
          h.getX(0),
          holds(cond, f) ? 0x1111n : other,
          `f ${f} cond ${cond} op ${op} o2 ${o2}`,
        );
        assertEquals(h.flags, f);
      }
    }
  }
  h.flags = 0;
  h.x(2, 0xffffffffn);
  h.exec(csel(0, 0, 1, 2, 0, 1, 0)); // csinc w0, w1, w2, eq (false): 0xffffffff + 1 wraps to 0
  assertEquals(h.getX(0), 0n);
  h.exec(csel(1, 0, 1, 31, 1, 31, 0)); // cset x0, eq (== csinc x0, xzr, xzr, ne), Z clear
  assertEquals(h.getX(0), 0n);
  h.flags = 0b0100;
  h.exec(csel(1, 0, 1, 31, 1, 31, 0)); // Z set
  assertEquals(h.getX(0), 1n);
});

Deno.test("CCMP/CCMN (immediate and register): compare when the condition holds, else #nzcv", () => {
  h.x(1, 5n);
  h.x(2, 5n);
  h.flags = 0b0100; // Z: EQ holds
  h.exec(ccmp(1, 1, 0, 2, 0, 1, 0b1011)); // ccmp x1, x2, #0b1011, eq
  assertEquals(h.flags, 0b0110);
  h.flags = 0; // EQ fails
  h.exec(ccmp(1, 1, 0, 2, 0, 1, 0b1011));
  assertEquals(h.flags, 0b1011);
  h.x(1, 0x7fffffffn);
  h.flags = 0;
  h.exec(ccmp(0, 0, 1, 1, 14, 1, 0)); // ccmn w1, #1, #0, al
  assertEquals(h.flags, 0b1001);
  h.x(1, 0n);
  h.exec(ccmp(1, 1, 1, 31, 14, 1, 0)); // ccmp x1, #31, #0, al
  assertEquals(h.flags, 0b1000);
});
