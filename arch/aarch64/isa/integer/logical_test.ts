import { assertEquals } from "@gunyah-ts/tests/assert";
import { Harness, logImm, logShift, u64 } from "../../cpu/test_asm.ts";
import { R_SP } from "../../cpu/state.ts";
import { BITMASK_HI, BITMASK_LO, BITMASK_VALID, BITMASK_VALID32 } from "./bitmask_immediate.ts";

const h = new Harness();

Deno.test("DecodeBitMasks table: 5334 distinct 64-bit immediates, 1302 for 32-bit", () => {
  const all = new Set<bigint>(), w = new Set<number>();
  for (let i = 0; i < 8192; i++) {
    if (BITMASK_VALID[i] === 0) continue;
    all.add((BigInt(BITMASK_HI[i]) << 32n) | BigInt(BITMASK_LO[i]));
    if ((BITMASK_VALID[i] & BITMASK_VALID32) !== 0) w.add(BITMASK_LO[i]);
  }
  assertEquals(all.size, 5334);
  assertEquals(w.size, 1302);
});

Deno.test("ORR/AND/EOR/ANDS (immediate): known encodings, SP destination, ANDS flags", () => {
  const cases: [number, number, number, bigint][] = [
    [0, 0, 0b111100, 0x5555555555555555n],
    [0, 8, 0b100111, 0xff00ff00ff00ff00n],
    [0, 0, 0b001111, 0x0000ffff0000ffffn],
    [1, 0, 0, 1n],
    [1, 1, 0, 0x8000000000000000n],
    [1, 63, 62, 0xfffffffffffffffen],
    [1, 32, 31, 0xffffffff00000000n],
  ];
  for (const [n, immr, imms, v] of cases) {
    h.exec(logImm(1, 1, n, immr, imms, 31, 0)); // orr x0, xzr, #imm
    assertEquals(h.getX(0), v, `N=${n} immr=${immr} imms=${imms}`);
  }
  h.exec(logImm(0, 1, 0, 0, 0b111100, 31, 0)); // orr w0, wzr, #0x55555555
  assertEquals(h.getX(0), 0x55555555n);
  h.x(1, 0xffffffffffffffffn);
  h.exec(logImm(1, 0, 0, 0, 0b111100, 1, 31)); // and sp, x1, #0x5555...
  assertEquals(h.vcpu.getRegister(2, 1), 0x5555555555555555n);
  assertEquals(h.cpu.xlo[R_SP], 0x55555555);
  h.x(1, 0x8000000000000000n);
  h.exec(logImm(1, 3, 1, 1, 0, 1, 31)); // tst x1, #0x8000000000000000
  assertEquals(h.flags, 0b1000);
  h.flags = 0b0011;
  h.exec(logImm(1, 3, 1, 0, 0, 1, 31)); // tst x1, #1: Z, C and V cleared
  assertEquals(h.flags, 0b0100);
  h.x(1, 0x123456789abcdef0n);
  h.exec(logImm(1, 2, 0, 0, 0b111100, 1, 2)); // eor x2, x1, #0x5555...
  assertEquals(h.getX(2), 0x123456789abcdef0n ^ 0x5555555555555555n);
});

Deno.test("logical (immediate): reserved bitmasks and N=1 in 32-bit are UNDEFINED", () => {
  for (
    const w of [
      logImm(1, 1, 1, 0, 0b111111, 31, 0),
      logImm(0, 1, 1, 0, 0, 31, 0),
      logImm(1, 0, 0, 0, 0b111111, 31, 0),
    ]
  ) {
    h.cpu.sys.esr = 0;
    h.exec(w);
    assertEquals(h.cpu.sys.esr, 0x02000000, `0x${w.toString(16)}`);
  }
});

Deno.test("logical (shifted register): all eight opcodes, ROR, 32-bit zero-extension", () => {
  const a = 0xf0f0f0f00ff00ff0n, b = 0x0123456789abcdefn;
  const ops: [number, number, (x: bigint, y: bigint) => bigint][] = [
    [0, 0, (x, y) => x & y],
    [0, 1, (x, y) => x & ~y],
    [1, 0, (x, y) => x | y],
    [1, 1, (x, y) => x | ~y],
    [2, 0, (x, y) => x ^ y],
    [2, 1, (x, y) => x ^ ~y],
    [3, 0, (x, y) => x & y],
    [3, 1, (x, y) => x & ~y],
  ];
  for (const [opc, n, f] of ops) {
    for (const [shift, amount] of [[0, 0], [1, 7], [2, 63], [3, 13], [3, 32]]) {
      h.x(1, a);
      h.x(2, b);
      h.exec(logShift(1, opc, shift, n, 2, amount, 1, 0));
      const sb = BigInt(amount);
      const y = shift === 0
        ? u64(b << sb)
        : shift === 1
        ? b >> sb
        : shift === 2
        ? u64(BigInt.asIntN(64, b) >> sb)
        : u64((b >> sb) | (b << (64n - sb)));
      assertEquals(h.getX(0), u64(f(a, y)), `opc ${opc} N ${n} shift ${shift} #${amount}`);
    }
  }
  h.x(1, 0xffffffff80000001n);
  h.exec(logShift(0, 3, 3, 0, 1, 1, 1, 0)); // ands w0, w1, w1, ror #1
  assertEquals([h.getX(0), h.flags], [0xc0000000n & 0x80000001n, 0b1000]);
  h.x(1, 0x1234n);
  h.exec(logShift(0, 1, 0, 1, 1, 0, 31, 3)); // mvn w3, w1
  assertEquals(h.getX(3), 0xffffedcbn);
  h.cpu.sys.esr = 0;
  h.exec(logShift(0, 1, 0, 0, 1, 32, 31, 3)); // 32-bit, imm6 = 32: reserved
  assertEquals(h.cpu.sys.esr, 0x02000000);
});
