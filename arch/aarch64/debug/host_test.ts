/**
 * Host debugging ({@link Aarch64VcpuDebug}): breakpoints, watchpoints and
 * single step stop with ExitKind.Debug at the right instruction, with the
 * interpreter and with the translator (after the code was translated), and
 * the registers by GDB number.
 *
 * @module
 */
import { DebugStopReason, ExitKind, RegisterSet, WatchKind } from "@gunyah-ts/core/plugin";
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { testInit, TestRam } from "../cpu/test_support.ts";
import { Aarch64Vcpu } from "../vcpu.ts";
import type { CpuModeOptions } from "../jit/config.ts";
import { GDB_CPSR, GDB_FPCR, GDB_FPSR, GDB_PC, GDB_SP, GDB_V0 } from "./gdb_registers.ts";

const BASE = 0x40000000;
const CODE = BASE + 0x1000;
const DATA = BASE + 0x8000;

const MODES: readonly CpuModeOptions[] = [
  { cpuMode: "interp" },
  { cpuMode: "jit", jitThreshold: 0 },
];

const ADD_X0_1 = 0x91000400; // ADD X0, X0, #1
const SUBS_X2_1 = 0xf1000442; // SUBS X2, X2, #1
const STR_X3_X4 = 0xf9000083; // STR X3, [X4]
const LDR_X5_X4_8 = 0xf9400485; // LDR X5, [X4, #8]
const STP_X3_X3_X4_16 = 0xa9010c83; // STP X3, X3, [X4, #16]
const HVC0 = 0xd4000002;
const bne = (n: number) => (0x54000001 | ((-n & 0x7ffff) << 5)) >>> 0;

/** loop (10 times): add; str x3,[x4]; ldr x5,[x4,#8]; stp x3,x3,[x4,#16]; subs; b.ne; then hvc. */
const LOOP = [ADD_X0_1, STR_X3_X4, LDR_X5_X4_8, STP_X3_X3_X4_16, SUBS_X2_1, bne(5), HVC0];

function vcpu(options: CpuModeOptions): { v: Aarch64Vcpu; ram: TestRam } {
  const ram = new TestRam(BASE, 0x10000);
  ram.writeWords(CODE, LOOP);
  const v = new Aarch64Vcpu(testInit(ram), undefined, options);
  v.reset(BigInt(CODE), 0n);
  v.setRegister(RegisterSet.X, 2, 10n);
  v.setRegister(RegisterSet.X, 3, 0x1122334455667788n);
  v.setRegister(RegisterSet.X, 4, BigInt(DATA));
  return { v, ram };
}

/** Run the loop once to the HVC so its blocks are translated (jit), then rewind. */
function warm(v: Aarch64Vcpu): void {
  assertEquals(v.run(1000), ExitKind.Hvc);
  if (v.cpuMode === "jit") assert(v.translatorStats!.blockEntries > 0);
  v.setRegister(RegisterSet.PC, 0, BigInt(CODE));
  v.setRegister(RegisterSet.X, 0, 0n);
  v.setRegister(RegisterSet.X, 2, 10n);
}

Deno.test("host breakpoint: stops before the instruction, every iteration, resumes past it", () => {
  for (const mode of MODES) {
    const { v } = vcpu(mode);
    warm(v);
    const at = BigInt(CODE + 4 * 4); // the SUBS
    v.debug.setBreakpoints([at]);
    for (let iter = 1; iter <= 10; iter++) {
      assertEquals(v.run(1000), ExitKind.Debug, mode.cpuMode);
      assertEquals(v.debug.stopReason, DebugStopReason.Breakpoint);
      assertEquals(v.getRegister(RegisterSet.PC, 0), at);
      assertEquals(v.getRegister(RegisterSet.X, 2), BigInt(11 - iter)); // SUBS not executed yet
      assertEquals(v.getRegister(RegisterSet.X, 0), BigInt(iter));
    }
    v.debug.setBreakpoints([]);
    assertEquals(v.run(1000), ExitKind.Hvc, mode.cpuMode);
    assertEquals(v.getRegister(RegisterSet.X, 0), 10n);
  }
});

Deno.test("host watchpoints: write, read and access stop before the access; stopAddress", () => {
  for (const mode of MODES) {
    const { v, ram } = vcpu(mode);
    warm(v);
    ram.writeWords(DATA, new Array(8).fill(0));
    // A read watch on the STR's bytes does not stop the store; the LDR at DATA+8 stops.
    v.debug.setWatchpoints([{ va: BigInt(DATA + 8), length: 8, kind: WatchKind.Read }]);
    assertEquals(v.run(1000), ExitKind.Debug, mode.cpuMode);
    assertEquals(v.debug.stopReason, DebugStopReason.Watchpoint);
    assertEquals(v.getRegister(RegisterSet.PC, 0), BigInt(CODE + 8));
    assertEquals(v.debug.stopAddress, BigInt(DATA + 8));
    assertEquals(ram.mapping.view.getBigUint64(DATA - BASE, true), 0x1122334455667788n); // STR ran
    // A write watch on the second register of the STP: stops before the STP, at its
    // second half's first watched byte.
    v.debug.setWatchpoints([{ va: BigInt(DATA + 28), length: 2, kind: WatchKind.Write }]);
    assertEquals(v.run(1000), ExitKind.Debug, mode.cpuMode);
    assertEquals(v.getRegister(RegisterSet.PC, 0), BigInt(CODE + 12));
    assertEquals(v.debug.stopAddress, BigInt(DATA + 28));
    assertEquals(ram.mapping.view.getBigUint64(DATA + 24 - BASE, true), 0n); // second half not written
    // Resuming executes the STP once, then the next iteration stops there again.
    assertEquals(v.run(1000), ExitKind.Debug, mode.cpuMode);
    assertEquals(v.getRegister(RegisterSet.PC, 0), BigInt(CODE + 12));
    assertEquals(v.getRegister(RegisterSet.X, 0), 2n);
    assertEquals(ram.mapping.view.getBigUint64(DATA + 24 - BASE, true), 0x1122334455667788n);
    // An access watch stops the STR (a store) and the LDR (a load) in turn.
    v.debug.setWatchpoints([
      { va: BigInt(DATA), length: 1, kind: WatchKind.Access },
      { va: BigInt(DATA + 15), length: 1, kind: WatchKind.Access },
    ]);
    const stops: number[] = [];
    for (let k = 0; k < 4; k++) {
      assertEquals(v.run(1000), ExitKind.Debug, mode.cpuMode);
      stops.push(Number(v.getRegister(RegisterSet.PC, 0)) - CODE);
    }
    assertEquals(stops, [4, 8, 4, 8]);
    v.debug.setWatchpoints([]);
    assertEquals(v.run(1000), ExitKind.Hvc, mode.cpuMode);
    assertEquals(v.getRegister(RegisterSet.X, 0), 10n);
  }
});

Deno.test("host single step: one instruction per run; an exception entry is one step", () => {
  for (const mode of MODES) {
    const { v, ram } = vcpu(mode);
    warm(v);
    v.debug.singleStep = true;
    const pcs: number[] = [];
    for (let k = 0; k < 8; k++) {
      assertEquals(v.run(1000), ExitKind.Debug, mode.cpuMode);
      assertEquals(v.retired, 1);
      assertEquals(v.debug.stopReason, DebugStopReason.Step);
      pcs.push(Number(v.getRegister(RegisterSet.PC, 0)) - CODE);
    }
    assertEquals(pcs, [4, 8, 12, 16, 20, 0, 4, 8]);
    // An SVC: the step ends at the vector (VBAR_EL1 = 0, current EL with SP_ELx: 0x200).
    ram.writeWords(CODE + 0x100, [0xd4000001]); // SVC #0
    v.cpu.flushDecodeCache();
    v.setRegister(RegisterSet.PC, 0, BigInt(CODE + 0x100));
    assertEquals(v.run(1000), ExitKind.Debug);
    assertEquals(v.getRegister(RegisterSet.PC, 0), 0x200n);
    v.debug.singleStep = false;
  }
});

Deno.test("registers by GDB number: x, sp, pc, cpsr, v (128-bit), fpsr, fpcr; target.xml", () => {
  const { v } = vcpu({ cpuMode: "interp" });
  const d = v.debug;
  assert(d.writeRegister(7, 0xfedcba9876543210n));
  assertEquals(v.getRegister(RegisterSet.X, 7), 0xfedcba9876543210n);
  assertEquals(d.readRegister(4), BigInt(DATA));
  assert(d.writeRegister(GDB_SP, 0x4000fff0n));
  assertEquals(v.getRegister(RegisterSet.SP_EL, 1), 0x4000fff0n); // EL1h: SP_EL1
  assertEquals(d.readRegister(GDB_PC), BigInt(CODE));
  assert(d.writeRegister(GDB_PC, BigInt(CODE + 8)));
  assertEquals(v.getRegister(RegisterSet.PC, 0), BigInt(CODE + 8));
  assertEquals(d.readRegister(GDB_CPSR), 0x3c5n); // reset: EL1h, DAIF masked
  assert(d.writeRegister(GDB_CPSR, 0x600003c4n)); // Z C, EL1t
  assertEquals([v.cpu.nzcv >>> 28, v.cpu.el, v.cpu.spsel], [6, 1, 0]);
  assertEquals(d.readRegister(GDB_CPSR), 0x600003c4n);
  assertEquals(d.writeRegister(GDB_CPSR, 0x3c9n), false); // EL2h: not this vCPU
  const q = 0x00112233445566778899aabbccddeeffn;
  assert(d.writeRegister(GDB_V0 + 31, q));
  assertEquals(d.readRegister(GDB_V0 + 31), q);
  assertEquals(v.cpu.v[31 * 4], 0xccddeeff);
  assert(d.writeRegister(GDB_FPSR, 0x8000009fn));
  assert(d.writeRegister(GDB_FPCR, 0x03c00000n));
  assertEquals([d.readRegister(GDB_FPSR), d.readRegister(GDB_FPCR)], [0x8000009fn, 0x03c00000n]);
  assertEquals([d.readRegister(68), d.readRegister(-1), d.writeRegister(68, 0n)], [
    null,
    null,
    false,
  ]);
  const xml = d.targetXml;
  assert(xml.includes('<feature name="org.gnu.gdb.aarch64.core">'));
  assert(xml.includes('<feature name="org.gnu.gdb.aarch64.fpu">'));
  assertEquals((xml.match(/<reg /g) ?? []).length, 68);
  assert(xml.includes('<reg name="v0" bitsize="128" type="vreg" regnum="34"'));
});
