import { assertEquals } from "@gunyah-ts/tests/assert";
import { sysregKey } from "./sysreg_key.ts";
import { beginSlice, nextTimerDeadline, updateTimers } from "./slice.ts";
import { TestClock, TestCpu, TestIrq, TestMemory } from "./test_support.ts";
import { exec, mrsWord, msrWord } from "../isa/system/test_exec.ts";
import { CNTFRQ_HZ, NS_PER_TICK } from "./timer.ts";

const K = sysregKey;
const CNTFRQ = K(3, 3, 14, 0, 0);
const CNTVCT = K(3, 3, 14, 0, 2);
const CNTPCT = K(3, 3, 14, 0, 1);
const CNTV_TVAL = K(3, 3, 14, 3, 0);
const CNTV_CTL = K(3, 3, 14, 3, 1);
const CNTV_CVAL = K(3, 3, 14, 3, 2);
const CNTP_CTL = K(3, 3, 14, 2, 1);
const CNTP_CVAL = K(3, 3, 14, 2, 2);

function setup() {
  const mem = new TestMemory();
  mem.addRam(0x4000_0000, 0x1000);
  const irq = new TestIrq();
  const clock = new TestClock();
  clock.now = 1_000_000; // 1 ms
  clock.nsPerInstruction = 2;
  const cpu = new TestCpu(mem, undefined, irq, clock, 1);
  cpu.pcLo = 0x4000_0000;
  beginSlice(cpu);
  return { cpu, irq, clock };
}

function read(cpu: TestCpu, key: number): bigint {
  assertEquals(exec(cpu, mrsWord(key, 3)), "done");
  return cpu.getX(3);
}
function write(cpu: TestCpu, key: number, v: bigint): void {
  cpu.setX(4, v);
  assertEquals(exec(cpu, msrWord(key, 4)), "done");
}

Deno.test("counter: 62.5 MHz from virtual time plus retired instructions, deterministic", () => {
  const { cpu } = setup();
  assertEquals(read(cpu, CNTFRQ), BigInt(CNTFRQ_HZ));
  assertEquals(NS_PER_TICK, 16);
  assertEquals(read(cpu, CNTVCT), 1_000_000n / 16n);
  cpu.retiredTotal += 800; // 1600 ns later
  assertEquals(read(cpu, CNTVCT), (1_000_000n + 1600n) / 16n);
  assertEquals(read(cpu, CNTPCT), read(cpu, CNTVCT)); // CNTVOFF = 0
});

Deno.test("virtual timer: TVAL sets CVAL, ISTATUS and the PPI 27 level follow the counter", () => {
  const { cpu, irq, clock } = setup();
  const now = 1_000_000n / 16n;
  write(cpu, CNTV_TVAL, 100n);
  assertEquals(read(cpu, CNTV_CVAL), now + 100n);
  assertEquals(read(cpu, CNTV_TVAL), 100n);
  write(cpu, CNTV_CTL, 1n); // ENABLE
  assertEquals(read(cpu, CNTV_CTL), 1n);
  assertEquals(irq.lines.get("27:1") ?? false, false);
  assertEquals(nextTimerDeadline(cpu), Number(now + 100n) * 16);
  cpu.retiredTotal += 800; // 100 ticks at 2 ns per instruction
  assertEquals(read(cpu, CNTV_CTL), 5n); // ENABLE | ISTATUS
  updateTimers(cpu);
  assertEquals(irq.lines.get("27:1"), true);
  assertEquals(nextTimerDeadline(cpu), Infinity);
  // TVAL counts down past zero as a signed 32-bit value.
  cpu.retiredTotal += 80; // 10 more ticks
  assertEquals(read(cpu, CNTV_TVAL), 0xfffffff6n);
  // IMASK drops the line but keeps ISTATUS.
  write(cpu, CNTV_CTL, 3n);
  assertEquals(read(cpu, CNTV_CTL), 7n);
  assertEquals(irq.lines.get("27:1"), false);
  // A new slice starting at a later core time: re-anchored on clock.now.
  write(cpu, CNTV_CTL, 1n);
  write(cpu, CNTV_CVAL, 0xffff_ffff_ffff_ffffn);
  assertEquals(irq.lines.get("27:1"), false);
  clock.now = 5_000_000;
  beginSlice(cpu);
  assertEquals(read(cpu, CNTVCT), 5_000_000n / 16n);
  // Negative TVAL writes put CVAL in the past: fires at once.
  write(cpu, CNTV_TVAL, 0xffff_fff0n);
  assertEquals(read(cpu, CNTV_CVAL), 5_000_000n / 16n - 16n);
  assertEquals(irq.lines.get("27:1"), true);
});

Deno.test("physical timer drives PPI 30; disabling drops the line", () => {
  const { cpu, irq } = setup();
  write(cpu, CNTP_CVAL, 10n);
  write(cpu, CNTP_CTL, 1n);
  assertEquals(irq.lines.get("30:1"), true);
  write(cpu, CNTP_CTL, 0n);
  assertEquals(irq.lines.get("30:1"), false);
  assertEquals(read(cpu, CNTP_CTL), 0n);
});
