/**
 * The guest debug architecture where QEMU 7.2 is no reference: the OS lock
 * and OS double lock mask breakpoints, watchpoints and software step
 * (AArch64.GenerateDebugExceptionsFrom); a host breakpoint at the same
 * address stops the vCPU before the guest's breakpoint is taken.
 * (Behaviour QEMU models is compared with it by tests/diff/debug_guests_test.ts.)
 *
 * @module
 */
import { DebugStopReason, ExitKind } from "@gunyah-ts/core/plugin";
import { assertEquals } from "@gunyah-ts/tests/assert";
import { CODE, DATA, Harness, NOP } from "../cpu/test_asm.ts";
import { MDSCR_KDE, MDSCR_MDE, MDSCR_SS, updateDebugState } from "./debug.ts";

const STR_X1_X2 = 0xf9000041; // STR X1, [X2]
const VBAR = 0x40000000;

/** A vCPU at EL1 with PSTATE.D clear, KDE + MDE, the OS lock as given, VBAR at RAM base. */
function armed(osLock: number, osdlr = 0): Harness {
  const h = new Harness();
  const c = h.cpu;
  c.daif = 0x1c0; // D clear
  c.sys.vbarLo = VBAR;
  c.sys.osLock = osLock;
  c.sys.osdlr = osdlr;
  c.sys.mdscr = MDSCR_MDE | MDSCR_KDE;
  h.ram.writeWords(VBAR + 0x200, [NOP, NOP, NOP, NOP]); // current EL, SP_ELx: synchronous
  h.load([NOP, NOP, STR_X1_X2, NOP, NOP]);
  h.x(2, BigInt(DATA));
  return h;
}

function breakpointAt(h: Harness, va: number): void {
  h.cpu.sys.dbgbvr[0] = va;
  h.cpu.sys.dbgbcr[0] = 1 | (1 << 1) | (0xf << 5);
  updateDebugState(h.cpu);
}

Deno.test("OS lock and OS double lock mask breakpoints; unlocked, EC 0x31 at the address", () => {
  for (const [lock, dlk, taken] of [[1, 0, false], [0, 1, false], [0, 0, true]] as const) {
    const h = armed(lock, dlk);
    breakpointAt(h, CODE + 4);
    h.vcpu.run(3);
    if (taken) {
      assertEquals(h.cpu.sys.esr >>> 26, 0x31);
      assertEquals(h.cpu.sys.elrLo, CODE + 4);
      assertEquals(h.cpu.getPc(), BigInt(VBAR + 0x200 + 4)); // vector + 1 instruction retired
    } else {
      assertEquals(h.cpu.getPc(), BigInt(CODE + 12), `lock ${lock} dlk ${dlk}`);
    }
  }
});

Deno.test("OS lock masks watchpoints and software step", () => {
  const h = armed(1);
  h.cpu.sys.dbgwvr[0] = DATA;
  h.cpu.sys.dbgwcr[0] = 1 | (1 << 1) | (3 << 3) | (0xff << 5);
  h.cpu.sys.mdscr |= MDSCR_SS;
  h.cpu.ss = 1;
  updateDebugState(h.cpu);
  h.vcpu.run(5);
  assertEquals(h.cpu.getPc(), BigInt(CODE + 20)); // no exception
  const u = armed(0);
  u.cpu.sys.dbgwvr[0] = DATA;
  u.cpu.sys.dbgwcr[0] = 1 | (1 << 1) | (3 << 3) | (0xff << 5);
  updateDebugState(u.cpu);
  u.vcpu.run(3);
  assertEquals(u.cpu.sys.esr >>> 26, 0x35);
  assertEquals([u.cpu.sys.elrLo, u.cpu.sys.farLo], [CODE + 8, DATA]);
});

Deno.test("a host breakpoint at a guest breakpoint's address stops first, invisibly", () => {
  const h = armed(0);
  breakpointAt(h, CODE + 4);
  h.vcpu.debug.setBreakpoints([BigInt(CODE + 4)]);
  assertEquals(h.vcpu.run(10), ExitKind.Debug);
  assertEquals(h.vcpu.debug.stopReason, DebugStopReason.Breakpoint);
  assertEquals([h.cpu.getPc(), h.cpu.sys.esr], [BigInt(CODE + 4), 0]);
  h.vcpu.debug.setBreakpoints([]);
  h.vcpu.run(1); // resumed: the guest's breakpoint exception is taken now
  assertEquals(h.cpu.sys.esr >>> 26, 0x31);
});
