import { assertEquals } from "@gunyah-ts/tests/assert";
import { CODE, DATA, Harness, ldstExcl } from "../../cpu/test_asm.ts";

/** LDXR/LDAXR (o0 = acquire). */
const ldxr = (size: number, rn: number, rt: number, acquire = 0) =>
  ldstExcl(size, 0, 1, 0, 31, acquire, 31, rn, rt);
/** STXR/STLXR. */
const stxr = (size: number, rs: number, rn: number, rt: number, release = 0) =>
  ldstExcl(size, 0, 0, 0, rs, release, 31, rn, rt);

Deno.test("LDXR/STXR: success stores and returns 0; a second STXR fails with 1 and stores nothing", () => {
  const h = new Harness();
  h.ram.writeU64(DATA, 41n);
  h.x(1, BigInt(DATA));
  h.exec(ldxr(3, 1, 0));
  assertEquals(h.getX(0), 41n);
  h.x(2, 42n);
  h.exec(stxr(3, 4, 1, 2));
  assertEquals([h.getX(4), h.ram.readU64(DATA)], [0n, 42n]);
  h.x(2, 43n);
  h.exec(stxr(3, 4, 1, 2));
  assertEquals([h.getX(4), h.ram.readU64(DATA)], [1n, 42n]);
});

Deno.test("STXR needs the same address and size as the LDXR; B/H/W sizes", () => {
  const h = new Harness();
  h.x(1, BigInt(DATA));
  h.x(5, BigInt(DATA + 8));
  h.exec(ldxr(2, 1, 0));
  h.exec(stxr(2, 4, 5, 2)); // other address
  assertEquals(h.getX(4), 1n);
  h.exec(ldxr(2, 1, 0));
  h.exec(stxr(3, 4, 1, 2)); // other size
  assertEquals(h.getX(4), 1n);
  for (const size of [0, 1, 2]) {
    h.x(2, 0x1122334455667788n);
    h.ram.writeU64(DATA, 0n);
    h.exec(ldxr(size, 1, 0, 1));
    h.exec(stxr(size, 4, 1, 2, 1));
    assertEquals(h.getX(4), 0n);
    assertEquals(h.ram.readU64(DATA), 0x1122334455667788n & ((1n << BigInt(8 << size)) - 1n));
  }
});

Deno.test("global monitor: another vCPU's store to the reserved location makes STXR fail", () => {
  const a = new Harness();
  const b = new Harness(a.ram, 1);
  a.x(1, BigInt(DATA));
  b.x(1, BigInt(DATA));
  a.exec(ldxr(3, 1, 0));
  b.x(2, 7n);
  b.exec(ldstExcl(3, 1, 0, 0, 31, 1, 31, 1, 2)); // stlr x2, [x1] on vCPU 1
  a.x(2, 9n);
  a.exec(stxr(3, 4, 1, 2));
  assertEquals([a.getX(4), a.ram.readU64(DATA)], [1n, 7n]);
  // Without the interfering store it succeeds.
  a.exec(ldxr(3, 1, 0));
  a.exec(stxr(3, 4, 1, 2));
  assertEquals([a.getX(4), a.ram.readU64(DATA)], [0n, 9n]);
  // Both reserve; the first STXR wins, the second fails.
  a.exec(ldxr(3, 1, 0));
  b.exec(ldxr(3, 1, 0));
  b.x(2, 10n);
  b.exec(stxr(3, 4, 1, 2));
  a.exec(stxr(3, 4, 1, 2));
  assertEquals([b.getX(4), a.getX(4), a.ram.readU64(DATA)], [0n, 1n, 10n]);
});

Deno.test("LDXP/STXP (W and X pairs), LDAR/STLR, misaligned exclusive faults", () => {
  const h = new Harness();
  h.x(1, BigInt(DATA + 0x10));
  h.x(2, 0x1111n);
  h.x(3, 0x2222n);
  h.exec(ldstExcl(3, 0, 1, 1, 31, 0, 7, 1, 6)); // ldxp x6, x7, [x1]
  h.exec(ldstExcl(3, 0, 0, 1, 4, 1, 3, 1, 2)); // stlxp w4, x2, x3, [x1]
  assertEquals([h.getX(4), h.ram.readU64(DATA + 0x10), h.ram.readU64(DATA + 0x18)], [
    0n,
    0x1111n,
    0x2222n,
  ]);
  h.exec(ldstExcl(2, 0, 1, 1, 31, 1, 7, 1, 6)); // ldaxp w6, w7, [x1]
  assertEquals([h.getX(6), h.getX(7)], [0x1111n, 0n]);
  h.exec(ldstExcl(2, 0, 0, 1, 4, 0, 3, 1, 2)); // stxp w4, w2, w3, [x1]
  assertEquals([h.getX(4), h.ram.readU64(DATA + 0x10)], [0n, 0x0000222200001111n]);
  h.x(2, 0xffn);
  h.exec(ldstExcl(0, 1, 0, 0, 31, 1, 31, 1, 2)); // stlrb w2, [x1]
  h.exec(ldstExcl(1, 1, 1, 0, 31, 1, 31, 1, 8)); // ldarh w8, [x1]
  assertEquals(h.getX(8), 0x11ffn);
  h.cpu.sys.vbarLo = 0x40004000;
  h.x(1, BigInt(DATA + 4));
  h.exec(ldxr(3, 1, 0)); // misaligned exclusive: alignment fault
  assertEquals([h.cpu.sys.esr >>> 26, h.cpu.sys.esr & 0x3f, h.cpu.sys.elrLo], [0x25, 0x21, CODE]);
});

Deno.test("LSE atomics (CAS, LDADD) and LDAPR are not advertised: UNDEFINED", () => {
  const h = new Harness();
  h.x(1, BigInt(DATA));
  const cas = ldstExcl(3, 1, 0, 1, 2, 0, 31, 1, 3); // cas x2, x3, [x1]
  const ldadd = 0xf8200020 | (1 << 5); // ldadd x0, x0, [x1]
  const ldapr = 0xf8bfc020; // ldapr x0, [x1]
  for (const w of [cas, ldadd >>> 0, ldapr]) {
    h.cpu.sys.esr = 0;
    h.exec(w);
    assertEquals(h.cpu.sys.esr, 0x02000000, `0x${w.toString(16)}`);
  }
  assertEquals(h.logs.length, 3);
});
