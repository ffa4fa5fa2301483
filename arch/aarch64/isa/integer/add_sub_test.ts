import { assertEquals } from "@gunyah-ts/tests/assert";
import {
  adcSbc,
  addSubExt,
  addSubImm,
  addSubShift,
  Harness,
  operands,
  refAddWithCarry,
  u64,
} from "../../cpu/test_asm.ts";
import { R_SP } from "../../cpu/state.ts";

const h = new Harness();

Deno.test("ADDS/SUBS (shifted register, LSL #0): NZCV and result match AddWithCarry, 32 and 64 bit", () => {
  const vals = [...operands(60)];
  for (const sf of [0, 1]) {
    const bits = sf ? 64 : 32;
    for (let i = 0; i < vals.length; i++) {
      const a = vals[i], bv = vals[(i * 7 + 3) % vals.length];
      for (const op of [0, 1]) {
        h.x(1, a);
        h.x(2, bv);
        h.x(3, 0xdeadbeefcafef00dn);
        h.exec(addSubShift(sf, op, 1, 0, 2, 0, 1, 3));
        const y = op ? ~bv : bv;
        const [r, f] = refAddWithCarry(a, y, op ? 1n : 0n, bits);
        assertEquals(h.getX(3), r, `${op ? "SUBS" : "ADDS"}${bits} ${a} ${bv}`);
        assertEquals(
          h.flags,
          f,
          `flags ${op ? "SUBS" : "ADDS"}${bits} ${a.toString(16)} ${bv.toString(16)}`,
        );
      }
    }
  }
});

Deno.test("ADDS edge cases: 0x7fffffff+1, 0xffffffff+1, INT64_MAX+1, 0-1", () => {
  h.x(1, 0x7fffffffn);
  h.exec(addSubImm(0, 0, 1, 0, 1, 1, 0)); // adds w0, w1, #1
  assertEquals([h.getX(0), h.flags], [0x80000000n, 0b1001]); // N, V
  h.x(1, 0xffffffffn);
  h.exec(addSubImm(0, 0, 1, 0, 1, 1, 0));
  assertEquals([h.getX(0), h.flags], [0n, 0b0110]); // Z, C
  h.x(1, 0x7fffffffffffffffn);
  h.exec(addSubImm(1, 0, 1, 0, 1, 1, 0));
  assertEquals([h.getX(0), h.flags], [0x8000000000000000n, 0b1001]);
  h.x(1, 0n);
  h.exec(addSubImm(1, 1, 1, 0, 1, 1, 0)); // subs x0, x1, #1
  assertEquals([h.getX(0), h.flags], [0xffffffffffffffffn, 0b1000]); // N, no borrow-free carry
  h.x(1, 5n);
  h.exec(addSubImm(1, 1, 1, 0, 5, 1, 31)); // cmp x1, #5
  assertEquals(h.flags, 0b0110);
  h.x(1, 0x8000000000000000n);
  h.exec(addSubImm(1, 1, 1, 0, 1, 1, 31)); // cmp x1, #1: signed overflow
  assertEquals(h.flags, 0b0011);
});

Deno.test("ADD/SUB (immediate): SP as Rd/Rn, LSL #12, 32-bit zeroes the upper half, XZR for flag forms", () => {
  h.cpu.xlo[R_SP] = 0x1000;
  h.cpu.xhi[R_SP] = 1;
  h.exec(addSubImm(1, 0, 0, 1, 0x3, 31, 31)); // add sp, sp, #3, lsl #12
  assertEquals([h.cpu.xlo[R_SP], h.cpu.xhi[R_SP]], [0x4000, 1]);
  h.exec(addSubImm(1, 0, 0, 0, 0, 31, 5)); // mov x5, sp
  assertEquals(h.getX(5), 0x100004000n);
  h.x(6, 0xffffffff00000010n);
  h.exec(addSubImm(0, 1, 0, 0, 0x20, 6, 7)); // sub w7, w6, #0x20
  assertEquals(h.getX(7), 0xfffffff0n);
  h.x(6, 1n);
  h.exec(addSubImm(1, 0, 1, 0, 1, 6, 31)); // cmn x6, #1: XZR destination discarded
  assertEquals(h.cpu.xlo[31], 0);
  assertEquals(h.flags, 0);
});

Deno.test("ADD/SUB (shifted register): LSL/LSR/ASR by 0, 31, 63; reserved forms are UNDEFINED", () => {
  const a = 0x8000000000000001n;
  const cases: [number, number, number, bigint][] = [
    [1, 0, 63, u64(a << 63n)],
    [1, 1, 63, a >> 63n],
    [1, 2, 63, 0xffffffffffffffffn],
    [1, 2, 0, a],
    [0, 0, 31, 0x80000000n],
    [0, 2, 31, 0n],
    [0, 1, 0, 1n],
  ];
  for (const [sf, shift, amount, expect] of cases) {
    h.x(1, 0n);
    h.x(2, a);
    h.exec(addSubShift(sf, 0, 0, shift, 2, amount, 1, 0));
    assertEquals(h.getX(0), expect, `sf ${sf} shift ${shift} #${amount}`);
  }
  h.cpu.sys.vbarLo = 0x40004000;
  h.exec(addSubShift(1, 0, 0, 3, 2, 1, 1, 0)); // shift = ROR: reserved
  assertEquals([h.cpu.getPc(), h.cpu.sys.esr], [0x40004200n, 0x02000000]);
  h.cpu.el = 1;
  h.exec(addSubShift(0, 0, 0, 0, 2, 32, 1, 0)); // 32-bit with imm6 >= 32: reserved
  assertEquals(h.cpu.sys.esr, 0x02000000);
});

Deno.test("ADD/SUB (extended register): UXTB..SXTX with shifts, SP operands", () => {
  const m = 0xfedcba9887654321n;
  const ext = [
    m & 0xffn,
    m & 0xffffn,
    m & 0xffffffffn,
    m,
    u64(BigInt.asIntN(8, m)),
    u64(BigInt.asIntN(16, m)),
    u64(BigInt.asIntN(32, m)),
    m,
  ];
  for (let option = 0; option < 8; option++) {
    for (let sh = 0; sh <= 4; sh++) {
      h.x(2, m);
      h.cpu.xlo[R_SP] = 0x100;
      h.cpu.xhi[R_SP] = 0;
      h.exec(addSubExt(1, 0, 0, 2, option, sh, 31, 31)); // add sp, sp, x2, <ext> #sh
      assertEquals(
        h.vcpu.getRegister(2, 1),
        u64(0x100n + (ext[option] << BigInt(sh))),
        `opt ${option} #${sh}`,
      );
    }
  }
  h.x(1, 10n);
  h.x(2, 0xfffffffffffffff6n); // W2 = -10
  h.exec(addSubExt(1, 1, 1, 2, 6, 0, 1, 3)); // subs x3, x1, w2, sxtw
  assertEquals([h.getX(3), h.flags], [20n, 0b0000]);
  h.cpu.sys.esr = 0;
  h.exec(addSubExt(1, 0, 0, 2, 0, 5, 1, 3)); // shift 5: reserved
  assertEquals(h.cpu.sys.esr, 0x02000000);
});

Deno.test("ADC/ADCS/SBC/SBCS use and set the carry", () => {
  const vals = [...operands(20)];
  for (const sf of [0, 1]) {
    const bits = sf ? 64 : 32;
    for (let i = 0; i < vals.length; i++) {
      for (const op of [0, 1]) {
        for (const c of [0, 1]) {
          const a = vals[i], bv = vals[(i * 5 + 1) % vals.length];
          h.x(1, a);
          h.x(2, bv);
          h.flags = c << 1;
          h.exec(adcSbc(sf, op, 1, 2, 1, 0));
          const [r, f] = refAddWithCarry(a, op ? ~bv : bv, BigInt(c), bits);
          assertEquals([h.getX(0), h.flags], [r, f]);
        }
      }
    }
  }
  h.flags = 0b0010;
  h.x(1, 1n);
  h.x(2, 2n);
  h.exec(adcSbc(1, 0, 0, 2, 1, 0)); // adc: flags untouched
  assertEquals([h.getX(0), h.flags], [4n, 0b0010]);
});
