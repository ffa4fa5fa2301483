import { assertEquals } from "@gunyah-ts/tests/assert";
import { ExitKind } from "@gunyah-ts/core/plugin";
import { R_SP } from "../../cpu/state.ts";
import { takeIrq } from "../../sys/exception.ts";
import { SCTLR_NTWI } from "../../sys/registers.ts";
import { TestCpu, TestMemory } from "../../sys/test_support.ts";
import { ERET, excWord, exec, hintWord } from "./test_exec.ts";

const RAM = 0x4000_0000;
const VBAR = RAM + 0x8_0000;

function cpu0(): TestCpu {
  const mem = new TestMemory();
  mem.addRam(RAM, 0x10_0000);
  const cpu = new TestCpu(mem);
  cpu.pcLo = RAM + 0x1000;
  cpu.sys.vbarLo = VBAR;
  return cpu;
}

Deno.test("ERET to EL0 and SVC back: SPSR, ELR, ESR, vectors and SP banking", () => {
  const cpu = cpu0();
  cpu.setX(R_SP, 0x4009_0000n); // SP_EL1
  cpu.otherSpLo = 0x7000; // SP_EL0
  cpu.nzcv = 0;
  cpu.sys.spsr = 0x6000_0000; // EL0t, Z and C set, DAIF clear
  cpu.sys.elrLo = 0x2000;
  assertEquals(exec(cpu, ERET), "done");
  assertEquals([cpu.el, cpu.pcLo, cpu.nzcv, cpu.daif], [0, 0x2000, 0x6000_0000, 0]);
  assertEquals(cpu.getX(R_SP), 0x7000n);
  // SVC #0x42 at EL0: lower-EL vector, ELR = next instruction.
  assertEquals(exec(cpu, excWord("svc", 0x42)), "exception");
  assertEquals(cpu.el, 1);
  assertEquals(cpu.pcLo, VBAR + 0x400);
  assertEquals(cpu.sys.elrLo, 0x2004);
  assertEquals(cpu.sys.esr, ((0x15 << 26) | (1 << 25) | 0x42) >>> 0);
  assertEquals(cpu.sys.spsr, 0x6000_0000);
  assertEquals(cpu.daif, 0x3c0);
  assertEquals(cpu.getX(R_SP), 0x4009_0000n);
  assertEquals(cpu.otherSpLo, 0x7000);
  // Back to EL0 again.
  assertEquals(exec(cpu, ERET), "done");
  assertEquals([cpu.el, cpu.pcLo], [0, 0x2004]);
  assertEquals(cpu.getX(R_SP), 0x7000n);
});

Deno.test("exceptions from EL1 use the SP0 or SPx vector group; SPSR records M", () => {
  const cpu = cpu0();
  cpu.spsel = 0;
  cpu.swapStackPointers();
  assertEquals(exec(cpu, excWord("brk", 7)), "exception");
  assertEquals(cpu.pcLo, VBAR + 0x000);
  assertEquals(cpu.sys.spsr & 0x1f, 0b0100);
  assertEquals(cpu.sys.elrLo, RAM + 0x1000); // BRK returns to itself
  assertEquals(cpu.sys.esr, ((0x3c << 26) | (1 << 25) | 7) >>> 0);
  assertEquals(exec(cpu, excWord("svc", 1)), "exception");
  assertEquals(cpu.pcLo, VBAR + 0x200);
  assertEquals(cpu.sys.spsr & 0x1f, 0b0101);
});

Deno.test("illegal exception returns set PSTATE.IL and take an Illegal Execution state exception", () => {
  for (const m of [0b1001, 0b0001, 0b10000, 0b0110]) {
    const cpu = cpu0();
    cpu.sys.spsr = m;
    cpu.sys.elrLo = 0x3000;
    assertEquals(exec(cpu, ERET), "exception");
    assertEquals(cpu.el, 1);
    assertEquals(cpu.sys.esr, ((0x0e << 26) | (1 << 25)) >>> 0);
    assertEquals(cpu.sys.elrLo, 0x3000);
    assertEquals(cpu.sys.spsr & (1 << 20), 1 << 20); // IL saved
    assertEquals(cpu.il, 0);
  }
  // A legal return to EL0 with SPSR.IL set: the exception is taken from EL0.
  const cpu = cpu0();
  cpu.sys.spsr = 1 << 20;
  cpu.sys.elrLo = 0x3000;
  assertEquals(exec(cpu, ERET), "exception");
  assertEquals(cpu.pcLo, VBAR + 0x400);
  // ERET at EL0 is UNDEFINED.
  cpu.el = 0;
  assertEquals(exec(cpu, ERET), "exception");
  assertEquals(cpu.sys.esr, 0x02000000);
});

Deno.test("HVC/SMC leave the vCPU at EL1 with PC advanced; UNDEFINED at EL0; HLT UNDEFINED", () => {
  const cpu = cpu0();
  assertEquals(exec(cpu, excWord("hvc", 0x6001)), "exit");
  assertEquals([cpu.exit.kind, cpu.exit.imm, cpu.pcLo], [ExitKind.Hvc, 0x6001, RAM + 0x1004]);
  assertEquals(exec(cpu, excWord("smc", 0)), "exit");
  assertEquals([cpu.exit.kind, cpu.exit.imm, cpu.pcLo], [ExitKind.Smc, 0, RAM + 0x1008]);
  cpu.el = 0;
  assertEquals(exec(cpu, excWord("hvc", 0)), "exception");
  assertEquals(cpu.sys.esr, 0x02000000);
  assertEquals(exec(cpu, excWord("hlt", 0)), "exception");
  assertEquals(cpu.sys.esr, 0x02000000);
});

Deno.test("WFI exits with PC advanced unless an interrupt is pending; EL0 trap with nTWI clear", () => {
  const cpu = cpu0();
  assertEquals(exec(cpu, hintWord(3)), "exit");
  assertEquals([cpu.exit.kind, cpu.pcLo], [ExitKind.Wfi, RAM + 0x1004]);
  cpu.irqLine = true; // pending (and masked by PSTATE.I): WFI completes at once
  assertEquals(exec(cpu, hintWord(3)), "done");
  assertEquals(cpu.pcLo, RAM + 0x1008);
  cpu.irqLine = false;
  cpu.el = 0;
  cpu.irqLine = true; // would not suspend: no trap
  assertEquals(exec(cpu, hintWord(3)), "done");
  cpu.irqLine = false;
  assertEquals(exec(cpu, hintWord(3)), "exception");
  assertEquals(cpu.sys.esr, ((0x01 << 26) | (1 << 25) | (1 << 24) | (0xe << 20)) >>> 0);
  cpu.el = 0;
  cpu.sys.sctlr |= SCTLR_NTWI;
  assertEquals(exec(cpu, hintWord(3)), "exit");
});

Deno.test("WFE consumes the Event Register set by SEVL/SEV (SEV reaches every vCPU of the VM)", () => {
  const cpu = cpu0();
  const other = new TestCpu(cpu.memory);
  assertEquals(exec(cpu, hintWord(5)), "done"); // SEVL
  assertEquals(exec(cpu, hintWord(2)), "done"); // WFE: event consumed
  assertEquals(exec(cpu, hintWord(2)), "exit");
  assertEquals(cpu.exit.kind, ExitKind.Wfe);
  assertEquals(exec(cpu, hintWord(4)), "done"); // SEV
  assertEquals(other.sys.eventRegister, true);
  // An exception return sets the Event Register: a following EL0 WFE does not trap.
  cpu.sys.spsr = 0;
  cpu.sys.elrLo = 0x2000;
  assertEquals(exec(cpu, ERET), "done");
  assertEquals(exec(cpu, hintWord(2)), "done");
  assertEquals(exec(cpu, hintWord(2)), "exception");
  assertEquals(cpu.sys.esr, ((0x01 << 26) | (1 << 25) | (1 << 24) | (0xe << 20) | 1) >>> 0);
  // Unallocated and not-implemented hints are NOPs (YIELD, CSDB, BTI, PAuth).
  for (const n of [1, 7, 20, 32, 34, 0x7f]) assertEquals(exec(cpu, hintWord(n)), "done");
});

Deno.test("IRQ entry: masked by PSTATE.I, else vector +0x80 with ELR = next instruction", () => {
  const cpu = cpu0();
  assertEquals(takeIrq(cpu), false);
  cpu.daif = 0;
  cpu.el = 0;
  cpu.pcLo = 0x5000;
  assertEquals(takeIrq(cpu), true);
  assertEquals(cpu.pcLo, VBAR + 0x400 + 0x80);
  assertEquals(cpu.sys.elrLo, 0x5000);
  assertEquals(cpu.daif, 0x3c0);
  assertEquals(cpu.sys.spsr, 0);
});
