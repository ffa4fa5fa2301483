import { assertEquals } from "@gunyah-ts/tests/assert";
import { dp1, dp2, dp3, Harness, operands, u32, u64 } from "../../cpu/test_asm.ts";

const h = new Harness();
const vals = [...operands(40)];

function run2(sf: number, opcode: number, a: bigint, b: bigint): bigint {
  h.x(1, a);
  h.x(2, b);
  h.exec(dp2(sf, opcode, 2, 1, 0));
  return h.getX(0);
}

Deno.test("UDIV/SDIV: against BigInt, division by zero is 0, INT_MIN / -1 is INT_MIN", () => {
  for (const a of vals) {
    for (const b of vals.slice(0, 30)) {
      const uq = b === 0n ? 0n : a / b;
      assertEquals(run2(1, 2, a, b), uq, `udiv ${a} ${b}`);
      const sa = BigInt.asIntN(64, a), sb = BigInt.asIntN(64, b);
      assertEquals(run2(1, 3, a, b), sb === 0n ? 0n : u64(sa / sb), `sdiv ${sa} ${sb}`);
      const wa = u32(a), wb = u32(b);
      assertEquals(run2(0, 2, a, b), wb === 0n ? 0n : wa / wb);
      const swa = BigInt.asIntN(32, a), swb = BigInt.asIntN(32, b);
      assertEquals(run2(0, 3, a, b), swb === 0n ? 0n : u32(swa / swb), `sdiv32 ${swa} ${swb}`);
    }
  }
  assertEquals(run2(1, 3, 0x8000000000000000n, 0xffffffffffffffffn), 0x8000000000000000n);
  assertEquals(run2(0, 3, 0x80000000n, 0xffffffffn), 0x80000000n);
  assertEquals(run2(1, 2, 0xffffffffffffffffn, 0n), 0n);
});

Deno.test("LSLV/LSRV/ASRV/RORV: amount taken modulo the register size", () => {
  for (const a of vals.slice(0, 25)) {
    for (const amt of [0n, 1n, 31n, 32n, 63n, 64n, 65n, 0xffffffffffffffc1n]) {
      const s = amt & 63n, s32 = amt & 31n;
      assertEquals(run2(1, 8, a, amt), u64(a << s));
      assertEquals(run2(1, 9, a, amt), a >> s);
      assertEquals(run2(1, 10, a, amt), u64(BigInt.asIntN(64, a) >> s));
      assertEquals(run2(1, 11, a, amt), u64((a >> s) | (a << ((64n - s) & 63n))));
      const w = u32(a);
      assertEquals(run2(0, 8, a, amt), u32(w << s32));
      assertEquals(run2(0, 10, a, amt), u32(BigInt.asIntN(32, w) >> s32));
      assertEquals(run2(0, 11, a, amt), u32((w >> s32) | (w << ((32n - s32) & 31n))));
    }
  }
});

Deno.test('CRC32B/H/W/X and CRC32CB/H/W/X: the standard check values of "123456789"', () => {
  const msg = new TextEncoder().encode("123456789");
  for (const [c, check] of [[0, 0xcbf43926n], [1, 0xe3069283n]] as const) {
    // Byte at a time.
    let acc = 0xffffffffn;
    for (const byte of msg) acc = run2(0, 0b010000 | (c << 2), acc, BigInt(byte));
    assertEquals(acc ^ 0xffffffffn, check);
    // 8 bytes with X, then 1 byte with B; and 4+4+1 with W; and 2+2+2+2+1 with H.
    const dv = new DataView(msg.buffer);
    acc = run2(1, 0b010011 | (c << 2), 0xffffffffn, dv.getBigUint64(0, true));
    acc = run2(0, 0b010000 | (c << 2), acc, BigInt(msg[8]));
    assertEquals(acc ^ 0xffffffffn, check);
    acc = run2(0, 0b010010 | (c << 2), 0xffffffffn, BigInt(dv.getUint32(0, true)));
    acc = run2(0, 0b010010 | (c << 2), acc, BigInt(dv.getUint32(4, true)));
    acc = run2(0, 0b010000 | (c << 2), acc, BigInt(msg[8]));
    assertEquals(acc ^ 0xffffffffn, check);
    acc = 0xffffffffn;
    for (let i = 0; i < 8; i += 2) {
      acc = run2(0, 0b010001 | (c << 2), acc, BigInt(dv.getUint16(i, true)));
    }
    acc = run2(0, 0b010000 | (c << 2), acc, BigInt(msg[8]));
    assertEquals(acc ^ 0xffffffffn, check);
  }
  h.cpu.sys.esr = 0;
  h.exec(dp2(1, 0b010000, 2, 1, 0)); // CRC32B with sf = 1: unallocated
  assertEquals(h.cpu.sys.esr, 0x02000000);
});

Deno.test("MADD/MSUB/SMADDL/UMADDL/SMSUBL/UMSUBL/SMULH/UMULH against BigInt", () => {
  for (let i = 0; i < vals.length; i++) {
    const a = vals[i], b = vals[(i * 11 + 2) % vals.length], c = vals[(i * 3 + 1) % vals.length];
    const run3 = (sf: number, op31: number, o0: number) => {
      h.x(1, a);
      h.x(2, b);
      h.x(3, c);
      h.exec(dp3(sf, op31, 2, o0, 3, 1, 0));
      return h.getX(0);
    };
    assertEquals(run3(1, 0, 0), u64(c + a * b), "madd");
    assertEquals(run3(1, 0, 1), u64(c - a * b), "msub");
    assertEquals(run3(0, 0, 0), u32(c + a * b), "madd w");
    assertEquals(run3(0, 0, 1), u32(c - a * b), "msub w");
    const sa = BigInt.asIntN(32, a), sb = BigInt.asIntN(32, b);
    assertEquals(run3(1, 1, 0), u64(c + sa * sb), "smaddl");
    assertEquals(run3(1, 1, 1), u64(c - sa * sb), "smsubl");
    assertEquals(run3(1, 5, 0), u64(c + u32(a) * u32(b)), "umaddl");
    assertEquals(run3(1, 5, 1), u64(c - u32(a) * u32(b)), "umsubl");
    assertEquals(
      run3(1, 2, 0),
      u64((BigInt.asIntN(64, a) * BigInt.asIntN(64, b)) >> 64n),
      `smulh ${a} ${b}`,
    );
    assertEquals(run3(1, 6, 0), (a * b) >> 64n, `umulh ${a} ${b}`);
  }
});

Deno.test("RBIT/REV16/REV32/REV/CLZ/CLS", () => {
  const rbit = (v: bigint, bits: number) => {
    let r = 0n;
    for (let i = 0; i < bits; i++) if ((v >> BigInt(i)) & 1n) r |= 1n << BigInt(bits - 1 - i);
    return r;
  };
  const bytes = (v: bigint, n: number) =>
    Array.from({ length: n }, (_, i) => (v >> BigInt(8 * i)) & 0xffn);
  const fromBytes = (b: bigint[]) => b.reduce((acc, x, i) => acc | (x << BigInt(8 * i)), 0n);
  const clz = (v: bigint, bits: number) => {
    let n = 0;
    for (let i = bits - 1; i >= 0 && ((v >> BigInt(i)) & 1n) === 0n; i--) n++;
    return BigInt(n);
  };
  for (const a of vals) {
    const run1 = (sf: number, op: number) => {
      h.x(1, a);
      h.exec(dp1(sf, op, 1, 0));
      return h.getX(0);
    };
    const b8 = bytes(a, 8);
    assertEquals(run1(1, 0), rbit(a, 64));
    assertEquals(run1(0, 0), rbit(u32(a), 32));
    assertEquals(run1(1, 1), fromBytes([b8[1], b8[0], b8[3], b8[2], b8[5], b8[4], b8[7], b8[6]]));
    assertEquals(run1(0, 1), fromBytes([b8[1], b8[0], b8[3], b8[2]]));
    assertEquals(run1(1, 2), fromBytes([b8[3], b8[2], b8[1], b8[0], b8[7], b8[6], b8[5], b8[4]]));
    assertEquals(run1(0, 2), fromBytes([b8[3], b8[2], b8[1], b8[0]]));
    assertEquals(run1(1, 3), fromBytes([...b8].reverse()));
    assertEquals(run1(1, 4), clz(a, 64));
    assertEquals(run1(0, 4), clz(u32(a), 32));
    const s64 = a >> 63n ? u64(~a) : a;
    assertEquals(run1(1, 5), clz(s64, 64) - 1n, `cls ${a.toString(16)}`);
    const w = u32(a), s32 = w >> 31n ? u32(~w) : w;
    assertEquals(run1(0, 5), clz(s32, 32) - 1n);
  }
  h.cpu.sys.esr = 0;
  h.exec(dp1(0, 3, 1, 0)); // REV with sf = 0, opc = 11: unallocated
  assertEquals(h.cpu.sys.esr, 0x02000000);
});
