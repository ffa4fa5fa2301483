import { assertEquals } from "@gunyah-ts/tests/assert";
import { DATA, Harness, ldstPair } from "../../cpu/test_asm.ts";
import { R_SP } from "../../cpu/state.ts";

const h = new Harness();

Deno.test("STP/LDP X and W with offset, pre- and post-index; LDPSW; LDNP/STNP", () => {
  h.cpu.xlo[R_SP] = DATA + 0x100;
  h.cpu.xhi[R_SP] = 0;
  h.x(29, 0x1111222233334444n);
  h.x(30, 0x5555666677778888n);
  h.exec(ldstPair(2, 3, 0, -2, 30, 31, 29)); // stp x29, x30, [sp, #-16]!
  assertEquals(h.cpu.xlo[R_SP], DATA + 0xf0);
  assertEquals([h.ram.readU64(DATA + 0xf0), h.ram.readU64(DATA + 0xf8)], [
    0x1111222233334444n,
    0x5555666677778888n,
  ]);
  h.exec(ldstPair(2, 1, 1, 2, 2, 31, 1)); // ldp x1, x2, [sp], #16
  assertEquals([h.getX(1), h.getX(2), h.cpu.xlo[R_SP]], [
    0x1111222233334444n,
    0x5555666677778888n,
    DATA + 0x100,
  ]);
  h.x(3, BigInt(DATA));
  h.x(4, 0x80000001n);
  h.x(5, 0x7ffffffen);
  h.exec(ldstPair(0, 2, 0, 1, 5, 3, 4)); // stp w4, w5, [x3, #4]
  h.exec(ldstPair(1, 2, 1, 1, 7, 3, 6)); // ldpsw x6, x7, [x3, #4]
  assertEquals([h.getX(6), h.getX(7)], [0xffffffff80000001n, 0x7ffffffen]);
  h.exec(ldstPair(0, 2, 1, 1, 7, 3, 6)); // ldp w6, w7, [x3, #4]
  assertEquals([h.getX(6), h.getX(7)], [0x80000001n, 0x7ffffffen]);
  h.exec(ldstPair(2, 0, 0, 4, 30, 3, 29)); // stnp x29, x30, [x3, #32]
  h.exec(ldstPair(2, 0, 1, 4, 9, 3, 8)); // ldnp x8, x9, [x3, #32]
  assertEquals([h.getX(8), h.getX(9)], [0x1111222233334444n, 0x5555666677778888n]);
});

Deno.test("LDP CONSTRAINED UNPREDICTABLE choices (as QEMU) and unallocated forms", () => {
  h.ram.writeU64(DATA, 1n);
  h.ram.writeU64(DATA + 8, 2n);
  h.x(3, BigInt(DATA));
  h.exec(ldstPair(2, 2, 1, 0, 4, 3, 4)); // ldp x4, x4, [x3]: the second value
  assertEquals(h.getX(4), 2n);
  h.exec(ldstPair(2, 1, 1, 2, 5, 3, 3)); // ldp x3, x5, [x3], #16: writeback wins
  assertEquals([h.getX(3), h.getX(5)], [BigInt(DATA + 16), 2n]);
  for (
    const w of [
      ldstPair(3, 2, 1, 0, 1, 3, 2),
      ldstPair(1, 2, 0, 0, 1, 3, 2),
      ldstPair(1, 0, 1, 0, 1, 3, 2),
    ]
  ) {
    h.cpu.sys.esr = 0;
    h.exec(w);
    assertEquals(h.cpu.sys.esr, 0x02000000, `0x${w.toString(16)}`);
  }
});

Deno.test("a fault on the second access of LDP leaves both registers unchanged", () => {
  h.cpu.sys.vbarLo = 0x40004000;
  h.mmio.answer = 1; // Unclaimed: external abort
  h.x(3, BigInt(0x40010000 - 8)); // the second half is past the end of RAM
  h.x(1, 0xaaaan);
  h.x(2, 0xbbbbn);
  h.exec(ldstPair(2, 2, 1, 0, 2, 3, 1));
  assertEquals([h.getX(1), h.getX(2), h.cpu.sys.esr >>> 26, h.cpu.sys.farLo], [
    0xaaaan,
    0xbbbbn,
    0x25,
    0x40010000,
  ]);
  h.mmio.answer = 0;
});
