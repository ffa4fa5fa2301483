import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { RegisterSet } from "@gunyah-ts/core/plugin";
import { Harness } from "./cpu/test_asm.ts";
import { R_SP } from "./cpu/state.ts";

Deno.test("reset: EL1h, DAIF masked, registers zero, PC and X0 as given", () => {
  const h = new Harness();
  h.x(5, 99n);
  h.cpu.el = 0;
  h.cpu.nzcv = 0xf0000000;
  h.vcpu.reset(0x40080000n, 0x48000000n);
  const c = h.cpu;
  assertEquals([c.el, c.spsel, c.daif, c.nzcv], [1, 1, 0x3c0, 0]);
  assertEquals([h.getX(0), h.getX(5), c.getPc()], [0x48000000n, 0n, 0x40080000n]);
});

Deno.test("get/setRegister: X0..X30, PC, SP_EL0/SP_EL1 follow PSTATE.SP, bad indices", () => {
  const h = new Harness();
  const v = h.vcpu;
  assert(v.setRegister(RegisterSet.X, 30, -1n));
  assertEquals(v.getRegister(RegisterSet.X, 30), 0xffffffffffffffffn);
  assertEquals(v.setRegister(RegisterSet.X, 31, 1n), false);
  assertThrows(() => v.getRegister(RegisterSet.X, 31), RangeError);
  assert(v.setRegister(RegisterSet.SP_EL, 1, 0x1000n));
  assert(v.setRegister(RegisterSet.SP_EL, 0, 0x2000n));
  assertEquals(h.cpu.xlo[R_SP], 0x1000); // EL1h: SP_EL1 is live
  assertEquals([v.getRegister(RegisterSet.SP_EL, 0), v.getRegister(RegisterSet.SP_EL, 1)], [
    0x2000n,
    0x1000n,
  ]);
  h.cpu.swapStackPointers(); // as exception return to EL0 does
  h.cpu.el = 0;
  assertEquals(h.cpu.xlo[R_SP], 0x2000);
  assertEquals([v.getRegister(RegisterSet.SP_EL, 0), v.getRegister(RegisterSet.SP_EL, 1)], [
    0x2000n,
    0x1000n,
  ]);
  assertEquals(v.setRegister(RegisterSet.SP_EL, 2, 0n), false);
  assert(v.setRegister(RegisterSet.PC, 0, 0xffff000000001000n));
  assertEquals(v.getRegister(RegisterSet.PC, 0), 0xffff000000001000n);
});

Deno.test("translate (MMU off: flat), hasPendingInterrupt, nextDeadline, describe", () => {
  const h = new Harness();
  assertEquals(h.vcpu.translate(0x40008000n, true), 0x40008000);
  assertEquals(h.vcpu.translate(0x50000000n, false), null); // not RAM
  assertEquals(h.vcpu.hasPendingInterrupt(), false);
  h.irq.pending = true;
  assertEquals(h.vcpu.hasPendingInterrupt(), true);
  assertEquals(h.vcpu.nextDeadline(), Infinity);
  const d = h.vcpu.describe();
  assertEquals([d.pc, d.el], ["0x40001000", 1]);
});
