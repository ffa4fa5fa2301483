import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { ExitKind, S2_ACCESS_R, S2_ACCESS_X } from "@gunyah-ts/core/plugin";
import { CPU_EXIT, GUEST_EXCEPTION } from "../cpu/state.ts";
import { TestBus, TestCpu, TestMemory, thrown } from "../sys/test_support.ts";
import { markCodePage } from "./code_pages.ts";
import { ACC_EXCLUSIVE, fetchWord, readMem, translateFetch, writeMem } from "./access.ts";
import { SCTLR_A } from "../sys/registers.ts";

const RAM = 0x4000_0000;

function setup(): TestCpu {
  const mem = new TestMemory();
  mem.addRam(RAM, 0x10_0000);
  const cpu = new TestCpu(mem);
  cpu.sys.vbarLo = 0x4008_0000;
  cpu.pcLo = RAM + 0x100;
  return cpu;
}

Deno.test("MMU off: reads and writes of every size, little-endian, 64-bit halves", () => {
  const cpu = setup();
  writeMem(cpu, RAM + 0x1000, 0, 8, 0x44332211, 0x88776655, 0);
  assertEquals(readMem(cpu, RAM + 0x1000, 0, 1, 0), 0x11);
  assertEquals(readMem(cpu, RAM + 0x1000, 0, 2, 0), 0x2211);
  assertEquals(readMem(cpu, RAM + 0x1000, 0, 4, 0), 0x44332211);
  assertEquals(readMem(cpu, RAM + 0x1004, 0, 4, 0), 0x88776655);
  assertEquals(readMem(cpu, RAM + 0x1000, 0, 8, 0), 0x44332211);
  assertEquals(cpu.memHi, 0x88776655);
  writeMem(cpu, RAM + 0x1002, 0, 2, 0xbeef, 0, 0);
  assertEquals(cpu.memory.read32(RAM + 0x1000), 0xbeef2211);
  writeMem(cpu, RAM + 0x1000, 0, 4, 0xffffffff, 0, 0);
  assertEquals(readMem(cpu, RAM + 0x1000, 0, 4, 0), 0xffffffff);
});

Deno.test("MMU off: data accesses are Device memory, so unaligned ones take an alignment fault", () => {
  const cpu = setup();
  assertEquals(thrown(() => readMem(cpu, RAM + 0x1001, 0, 4, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, (0x25 << 26 | 1 << 25 | 0x21) >>> 0);
  assertEquals(cpu.sys.farLo, RAM + 0x1001);
  assertEquals(cpu.sys.elrLo, RAM + 0x100);
  assertEquals(cpu.pcLo, 0x4008_0000 + 0x200 + 0);
});

Deno.test("MMU off: a page filled by an instruction fetch still faults unaligned data stores", () => {
  // The TLB entry made for the fetch (Normal memory) serves the data access (Device memory).
  const cpu = setup();
  translateFetch(cpu, RAM + 0x100, 0);
  assertEquals(thrown(() => writeMem(cpu, RAM + 0x7c, 0, 8, 1, 2, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, (0x25 << 26 | 1 << 25 | 0x40 | 0x21) >>> 0);
  assertEquals(cpu.sys.farLo, RAM + 0x7c);
});

Deno.test("exclusive access demands alignment before translation and records the IPA", () => {
  const cpu = setup();
  readMem(cpu, RAM + 0x2008, 0, 8, ACC_EXCLUSIVE);
  assertEquals(cpu.sys.lastIpa, RAM + 0x2008);
  cpu.sys.sctlr |= SCTLR_A;
  assertEquals(
    thrown(() => writeMem(cpu, RAM + 0x2004, 0, 8, 1, 2, ACC_EXCLUSIVE)),
    GUEST_EXCEPTION,
  );
  assertEquals(cpu.sys.esr & 0x7f, 0x40 | 0x21); // WnR + alignment
});

Deno.test("MMIO: handled, unclaimed (external abort) and exit (PC kept, exit record filled)", () => {
  const mem = new TestMemory();
  mem.addRam(RAM, 0x10_0000);
  const bus = new TestBus(0x0900_0000, 0x1000);
  const cpu = new TestCpu(mem, bus);
  cpu.pcLo = RAM;
  assertEquals(readMem(cpu, 0x0900_0018, 0, 4, 0), 0x12345678);
  assertEquals(readMem(cpu, 0x0900_0018, 0, 8, 0), 0x12345678);
  assertEquals(cpu.memHi, 0x9abcdef0);
  writeMem(cpu, 0x0900_0000, 0, 1, 0x41, 0, 0);
  assertEquals(bus.log.at(-1), [0x0900_0000, 1, true, 0x41, 0]);
  assertEquals(thrown(() => readMem(cpu, 0x0a00_0000, 0, 4, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, (0x25 << 26 | 1 << 25 | 0x10) >>> 0);
  assertEquals(cpu.sys.farLo, 0x0a00_0000);

  const cpu2 = new TestCpu(mem, new TestBus(0x0900_0000, 0x1000, true));
  cpu2.pcLo = RAM + 0x40;
  assertEquals(thrown(() => writeMem(cpu2, 0x0900_0004, 0, 4, 7, 0, 0)), CPU_EXIT);
  assertEquals(cpu2.exit.kind, ExitKind.Mmio);
  assertEquals(cpu2.exit.ipa, 0x0900_0004);
  assertEquals(cpu2.exit.write, true);
  assertEquals(cpu2.exit.valueLo, 7);
  assertEquals(cpu2.pcLo, RAM + 0x40);
});

Deno.test("stores into a marked code page notify the decode cache once", () => {
  const cpu = setup();
  const m = cpu.memory.lookup(RAM)!;
  markCodePage(m, RAM + 0x3000);
  writeMem(cpu, RAM + 0x3010, 0, 4, 1, 0, 0);
  writeMem(cpu, RAM + 0x3014, 0, 4, 1, 0, 0);
  writeMem(cpu, RAM + 0x4000, 0, 4, 1, 0, 0);
  assertEquals(cpu.codeWrites, [RAM + 0x3000]);
});

Deno.test("instruction fetch: RAM word, PC alignment fault, abort outside RAM", () => {
  const cpu = setup();
  cpu.memory.write32(RAM + 0x500, 0xd503201f);
  assertEquals(fetchWord(cpu, RAM + 0x500, 0), 0xd503201f);
  assertEquals(cpu.sys.fetchIpa, RAM + 0x500);
  const m = translateFetch(cpu, RAM + 0x504, 0);
  assertEquals(m.ipaBase, RAM);
  cpu.pcLo = RAM + 0x502;
  assertEquals(thrown(() => translateFetch(cpu, RAM + 0x502, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr >>> 26, 0x22);
  assertEquals(cpu.sys.farLo, RAM + 0x502);
  cpu.pcLo = 0x100;
  assertEquals(thrown(() => translateFetch(cpu, 0x100, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, (0x21 << 26 | 1 << 25 | 0x10) >>> 0);
});

Deno.test("stage-2 rights: a write to read-only RAM is an external abort", () => {
  const mem = new TestMemory();
  mem.addRam(RAM, 0x1000, S2_ACCESS_R | S2_ACCESS_X);
  const cpu = new TestCpu(mem);
  assertEquals(readMem(cpu, RAM, 0, 4, 0), 0);
  assert(thrown(() => writeMem(cpu, RAM, 0, 4, 1, 0, 0)) === GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr & 0x7f, 0x40 | 0x10);
});

Deno.test("RAM mapped after an IPA was cached as MMIO is used (no stale external abort)", () => {
  const mem = new TestMemory();
  mem.addRam(RAM, 0x1000);
  const cpu = new TestCpu(mem);
  cpu.pcLo = RAM;
  assertEquals(thrown(() => readMem(cpu, 0x5000_0000, 0, 4, 0)), GUEST_EXCEPTION);
  const m = mem.addRam(0x5000_0000, 0x1000);
  m.view.setUint32(0x10, 0xabcd, true);
  assertEquals(readMem(cpu, 0x5000_0010, 0, 4, 0), 0xabcd);
  writeMem(cpu, 0x5000_0020, 0, 4, 7, 0, 0);
  assertEquals(m.view.getUint32(0x20, true), 7);
});
