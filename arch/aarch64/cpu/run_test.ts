import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { ExitKind } from "@gunyah-ts/core/plugin";
import {
  addSubImm,
  adr,
  b,
  CODE,
  Harness,
  ldrLit,
  ldstUimm,
  movWide,
  NOP,
  RAM_BASE,
} from "./test_asm.ts";
import { DAIF_I } from "./state.ts";
import { EXCEPTION_LOOP_LIMIT } from "./run.ts";

const HVC = (imm: number) => (0xd4000002 | (imm << 5)) >>> 0;
const VBAR = RAM_BASE + 0x4000;

Deno.test("run: the budget is exact and PC advances; a loop runs across calls", () => {
  const h = new Harness();
  h.load([addSubImm(1, 0, 0, 0, 1, 0, 0), b(0, -4)]); // 1: add x0, x0, #1; b 1b
  assertEquals(h.vcpu.run(100), ExitKind.Budget);
  assertEquals([h.vcpu.retired, h.getX(0)], [100, 50n]);
  h.vcpu.run(7);
  assertEquals([h.vcpu.retired, h.getX(0), h.cpu.retiredTotal], [7, 54n, 107]);
});

Deno.test("run: HVC leaves with its immediate, counted as retired, PC after it", () => {
  const h = new Harness();
  h.load([movWide(1, 2, 0, 7, 0), HVC(0x6001), NOP]);
  assertEquals(h.vcpu.run(100), ExitKind.Hvc);
  assertEquals([h.vcpu.exit.imm, h.vcpu.retired, h.cpu.getPc()], [0x6001, 2, BigInt(CODE + 8)]);
  assertEquals(h.vcpu.run(1), ExitKind.Budget);
});

Deno.test("run: an IRQ line is taken between instructions only while PSTATE.I is clear", () => {
  const h = new Harness();
  h.cpu.sys.vbarLo = VBAR;
  h.ram.writeWords(VBAR + 0x280, [NOP, NOP]);
  h.load([NOP, NOP, NOP, NOP]);
  h.cpu.irqLine = true;
  h.vcpu.run(2); // masked out of reset
  assertEquals(h.cpu.getPc(), BigInt(CODE + 8));
  h.cpu.daif &= ~DAIF_I;
  h.vcpu.run(1);
  assertEquals([h.cpu.getPc(), h.cpu.sys.elrLo], [BigInt(VBAR + 0x284), CODE + 8]);
  assertEquals(h.cpu.daif & DAIF_I, DAIF_I);
});

Deno.test("run: unallocated encodings take UNDEFINED, are logged once, never throw", () => {
  const h = new Harness();
  h.cpu.sys.vbarLo = VBAR;
  h.ram.writeWords(VBAR + 0x200, [b(0, 0)]); // b . at the vector
  h.load([0x00000000, NOP]); // UDF #0
  h.vcpu.run(1);
  assertEquals([h.cpu.getPc(), h.cpu.sys.esr, h.cpu.sys.elrLo], [
    BigInt(VBAR + 0x200),
    0x02000000,
    CODE,
  ]);
  h.load([0x00000000]);
  h.vcpu.run(1);
  assertEquals(h.logs.length, 1);
  assert(h.logs[0].includes("0x00000000"));
});

Deno.test("run: an exception loop ends in a Fault exit with a message", () => {
  const h = new Harness();
  h.cpu.sys.vbarLo = VBAR;
  h.ram.writeWords(VBAR + 0x200, [0xffffffff]); // the vector itself is UNDEFINED
  h.load([0xffffffff]);
  assertEquals(h.vcpu.run(10_000), ExitKind.Fault);
  assert(h.vcpu.exit.message.includes("exception loop"));
  assert(h.vcpu.retired <= EXCEPTION_LOOP_LIMIT + 2);
});

Deno.test("run: a store over decoded code is seen by the next execution (self-modifying code)", () => {
  const h = new Harness();
  const oldWord = movWide(1, 2, 0, 1, 0), newWord = movWide(1, 2, 0, 2, 0);
  h.load([
    ldrLit(0, 0x40, 1), // ldr w1, new word
    adr(0, 8, 2), // adr x2, the patched slot (CODE + 12)
    ldstUimm(2, 0, 0, 2, 1), // str w1, [x2]
    oldWord,
  ]);
  h.ram.writeWords(CODE + 0x40, [newWord]);
  h.vcpu.setRegister(1, 0, BigInt(CODE + 12));
  h.vcpu.run(1); // decode and run the old instruction
  assertEquals(h.getX(0), 1n);
  h.vcpu.setRegister(1, 0, BigInt(CODE));
  h.vcpu.run(4);
  assertEquals(h.getX(0), 2n);
});

Deno.test("run: code running across a page boundary", () => {
  const h = new Harness();
  const at = RAM_BASE + 0x2000 - 8;
  h.load([
    addSubImm(1, 0, 0, 0, 1, 0, 0),
    addSubImm(1, 0, 0, 0, 2, 0, 0),
    addSubImm(1, 0, 0, 0, 4, 0, 0),
  ], at);
  h.x(0, 0n);
  h.vcpu.run(3);
  assertEquals([h.getX(0), h.cpu.getPc()], [7n, BigInt(at + 12)]);
});

Deno.test("run: fetching from outside RAM takes an instruction abort", () => {
  const h = new Harness();
  h.cpu.sys.vbarLo = VBAR;
  h.ram.writeWords(VBAR + 0x200, [NOP]);
  h.load([NOP]);
  h.vcpu.setRegister(1, 0, 0x50000000n);
  h.vcpu.run(1);
  assertEquals([h.cpu.sys.esr >>> 26, h.cpu.sys.farLo, h.cpu.getPc()], [
    0x21,
    0x50000000,
    BigInt(VBAR + 0x200),
  ]);
});

Deno.test("run: ERET continues at ELR in the target EL; MSR DAIFClr lets a pending IRQ in at once", () => {
  const h = new Harness();
  h.cpu.sys.vbarLo = VBAR;
  h.ram.writeWords(VBAR + 0x480, [NOP]); // IRQ from EL0 (lower EL, AArch64)
  h.ram.writeWords(CODE + 0x100, [NOP, NOP]);
  h.cpu.sys.spsr = 0; // EL0t, DAIF clear
  h.cpu.sys.elrLo = CODE + 0x100;
  h.load([0xd69f03e0]); // eret
  h.vcpu.run(2);
  assertEquals([h.cpu.el, h.cpu.getPc()], [0, BigInt(CODE + 0x104)]); // eret, then one nop at EL0
  const g = new Harness();
  g.cpu.sys.vbarLo = VBAR;
  g.ram.writeWords(VBAR + 0x280, [NOP]);
  g.cpu.irqLine = true;
  g.load([NOP, 0xd50342ff, NOP, NOP]); // nop; msr daifclr, #2; nop
  g.vcpu.run(3);
  assertEquals([g.cpu.getPc(), g.cpu.sys.elrLo], [BigInt(VBAR + 0x284), CODE + 8]);
});

Deno.test("run: code written behind the CPU's back (DMA) runs after IC IALLU", () => {
  const h = new Harness();
  const ic = 0xd508751f; // ic iallu
  h.load([movWide(1, 2, 0, 1, 0), ic, b(0, -8)]);
  h.vcpu.run(1);
  assertEquals(h.getX(0), 1n);
  h.ram.writeWords(CODE, [movWide(1, 2, 0, 2, 0)]); // not through the CPU: stale decode
  h.vcpu.setRegister(1, 0, BigInt(CODE));
  h.vcpu.run(1);
  assertEquals(h.getX(0), 1n); // the stale decoded instruction (as on hardware without IC)
  h.vcpu.run(3); // ic iallu; b back; the new instruction
  assertEquals(h.getX(0), 2n);
});

Deno.test("run: a store by one vCPU over code another vCPU decoded is seen by the other", () => {
  const a = new Harness();
  const b2 = new Harness(a.ram, 1);
  a.ram.writeWords(CODE + 0x100, [ldstUimm(2, 0, 0, 1, 2)]); // vCPU 1: str w2, [x1]
  a.load([movWide(1, 2, 0, 1, 0)]);
  a.vcpu.run(1);
  assertEquals(a.getX(0), 1n);
  b2.x(1, BigInt(CODE));
  b2.x(2, BigInt(movWide(1, 2, 0, 3, 0)));
  b2.vcpu.setRegister(1, 0, BigInt(CODE + 0x100)); // no decode-cache flush here
  b2.vcpu.run(1);
  a.vcpu.setRegister(1, 0, BigInt(CODE));
  a.vcpu.run(1);
  assertEquals(a.getX(0), 3n);
});
