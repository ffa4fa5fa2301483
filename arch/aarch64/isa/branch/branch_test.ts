import { assertEquals } from "@gunyah-ts/tests/assert";
import { b, bcond, br, cbz, CODE, Harness, NOP, tbz } from "../../cpu/test_asm.ts";

const h = new Harness();
const pc = () => h.cpu.getPc();

Deno.test("B/BL: forward, backward, BL links PC+4", () => {
  h.exec(b(0, 0x100));
  assertEquals(pc(), BigInt(CODE + 0x100));
  h.exec(b(0, -0x1000));
  assertEquals(pc(), BigInt(CODE - 0x1000));
  h.exec(b(1, 8));
  assertEquals([pc(), h.getX(30)], [BigInt(CODE + 8), BigInt(CODE + 4)]);
  h.exec(b(0, 0)); // b . (branch to self stays put)
  assertEquals(pc(), BigInt(CODE));
});

Deno.test("B.cond: all 16 conditions against all NZCV values (AL and NV always branch)", () => {
  const holds = (cond: number, f: number) => {
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
  };
  for (let f = 0; f < 16; f++) {
    for (let cond = 0; cond < 16; cond++) {
      h.flags = f;
      h.exec(bcond(cond, -8));
      assertEquals(pc(), BigInt(holds(cond, f) ? CODE - 8 : CODE + 4), `cond ${cond} nzcv ${f}`);
    }
  }
});

Deno.test("CBZ/CBNZ on W and X; TBZ/TBNZ on bits 0, 31, 32, 63", () => {
  h.x(3, 0x100000000n);
  h.exec(cbz(0, 0, 16, 3)); // cbz w3: low word is zero
  assertEquals(pc(), BigInt(CODE + 16));
  h.exec(cbz(1, 0, 16, 3)); // cbz x3: not zero
  assertEquals(pc(), BigInt(CODE + 4));
  h.exec(cbz(1, 1, -4, 3)); // cbnz x3
  assertEquals(pc(), BigInt(CODE - 4));
  h.exec(cbz(1, 0, 12, 31)); // cbz xzr
  assertEquals(pc(), BigInt(CODE + 12));
  h.x(4, 0x8000000180000001n);
  for (
    const [bit, set] of [[0, true], [1, false], [31, true], [32, true], [33, false], [
      63,
      true,
    ]] as const
  ) {
    h.exec(tbz(1, bit, 0x20, 4)); // tbnz
    assertEquals(pc(), BigInt(set ? CODE + 0x20 : CODE + 4), `tbnz bit ${bit}`);
    h.exec(tbz(0, bit, -0x20, 4)); // tbz
    assertEquals(pc(), BigInt(set ? CODE + 4 : CODE - 0x20), `tbz bit ${bit}`);
  }
});

Deno.test("BR/BLR/RET, BLR X30 reads the target before linking", () => {
  h.x(5, 0x40002000n);
  h.exec(br(0, 5));
  assertEquals(pc(), 0x40002000n);
  h.x(30, 0x40003000n);
  h.exec(br(1, 30)); // blr x30
  assertEquals([pc(), h.getX(30)], [0x40003000n, BigInt(CODE + 4)]);
  h.exec(br(2, 30)); // ret
  assertEquals(pc(), BigInt(CODE + 4));
});

Deno.test("a misaligned branch target takes a PC alignment fault (EC 0x22) at the next fetch", () => {
  h.cpu.sys.vbarLo = 0x40004000;
  h.ram.writeWords(0x40004200, [NOP, NOP]);
  h.x(5, BigInt(CODE + 2));
  h.load([br(0, 5)]);
  h.vcpu.run(2);
  assertEquals(h.cpu.sys.esr >>> 26, 0x22);
  assertEquals([h.cpu.sys.farLo, h.cpu.sys.elrLo], [CODE + 2, CODE + 2]);
  assertEquals(pc(), 0x40004200n);
});

Deno.test("BR to a tagged address: bits 63:56 follow bit 55 when TCR_EL1.TBI0/TBI1 is set", () => {
  const x = new Harness();
  x.x(5, 0x5a00000040002000n);
  x.exec(br(0, 5));
  assertEquals(x.cpu.getPc(), 0x5a00000040002000n); // TBI0 = 0: kept (and faults at fetch)
  x.cpu.sys.tcrHi = 1 << 5; // TBI0
  x.exec(br(0, 5));
  assertEquals(x.cpu.getPc(), 0x0000000040002000n);
  x.x(5, 0x12ff800000001000n);
  x.cpu.sys.tcrHi = 1 << 6; // TBI1
  x.exec(br(1, 5));
  assertEquals(x.cpu.getPc(), 0xffff800000001000n);
});
