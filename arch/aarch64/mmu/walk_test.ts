import { assertEquals } from "@gunyah-ts/tests/assert";
import { GUEST_EXCEPTION } from "../cpu/state.ts";
import { TestCpu, TestMemory, thrown } from "../sys/test_support.ts";
import { SCTLR_M, SCTLR_WXN } from "../sys/registers.ts";
import { readMem, translateFetch, writeMem } from "./access.ts";
import {
  attrIndx,
  D_AF,
  D_AP_RO_ALL,
  D_AP_RO_EL1,
  D_AP_RW_ALL,
  D_DEFAULT,
  D_NG,
  D_PXN,
  D_UXN,
  TableBuilder,
} from "./test_tables.ts";
import { translateStage1, walkResult } from "./walk.ts";

const RAM = 0x4000_0000;
const TABLES = RAM + 0x80_0000;
const VECTORS = RAM + 0x10_0000;

/** TG0 encodings by granule shift; TG1 encodings by granule shift. */
const TG0: Record<number, number> = { 12: 0, 14: 2, 16: 1 };
const TG1: Record<number, number> = { 12: 2, 14: 1, 16: 3 };

function setup(granule: number, t0sz = 16, t1sz = 16) {
  const mem = new TestMemory();
  mem.addRam(RAM, 0x100_0000);
  const cpu = new TestCpu(mem);
  const tb0 = new TableBuilder(mem, granule, 64 - t0sz, TABLES);
  const tb1 = new TableBuilder(mem, granule, 64 - t1sz, TABLES + 0x40_0000);
  const s = cpu.sys;
  s.mairLo = 0x000000ff; // Attr0 Normal WB, Attr1 Device-nGnRnE
  s.tcrLo = (t0sz | TG0[granule] << 14 | t1sz << 16 | TG1[granule] << 30) >>> 0;
  s.tcrHi = 2; // IPS = 40 bits
  s.ttbr0Lo = tb0.root;
  s.ttbr1Lo = tb1.root;
  s.vbarLo = VECTORS;
  s.sctlr |= SCTLR_M;
  s.tlb.flushAll();
  cpu.pcLo = 0x1000;
  return { cpu, mem, tb0, tb1 };
}

function esr(ec: number, iss: number): number {
  return ((ec << 26) | (1 << 25) | iss) >>> 0;
}

for (const granule of [12, 14, 16]) {
  const g = `${2 ** (granule - 10)}K`;
  const page = 2 ** granule;

  Deno.test(`${g} granule: TTBR0 page mapping, reads and writes land in the right RAM`, () => {
    const { cpu, mem, tb0 } = setup(granule);
    tb0.map(0x1234n * BigInt(page), RAM + 3 * page, 3, D_DEFAULT | D_AP_RW_ALL);
    writeMem(cpu, 0x1234 * page + 0x10, 0, 4, 0xcafef00d, 0, 0);
    assertEquals(mem.read32(RAM + 3 * page + 0x10), 0xcafef00d);
    cpu.el = 0;
    assertEquals(readMem(cpu, 0x1234 * page + 0x10, 0, 4, 0), 0xcafef00d);
    // The last 4 KiB piece of a larger page maps to the matching piece.
    writeMem(cpu, 0x1234 * page + page - 4, 0, 4, 0x55, 0, 0);
    assertEquals(mem.read32(RAM + 3 * page + page - 4), 0x55);
  });

  Deno.test(`${g} granule: TTBR1 (upper VA range) page mapping`, () => {
    const { cpu, mem, tb1 } = setup(granule);
    const va = 0xffff_8000_0000_0000n + 5n * BigInt(page);
    tb1.map(va, RAM + 7 * page, 3, D_DEFAULT);
    writeMem(cpu, 5 * page + 8, 0xffff8000, 8, 1, 2, 0);
    assertEquals(mem.read32(RAM + 7 * page + 8), 1);
    assertEquals(mem.read32(RAM + 7 * page + 12), 2);
  });

  Deno.test(`${g} granule: level-2 block mapping`, () => {
    const { cpu, mem, tb0 } = setup(granule);
    const blockSize = 2 ** (granule + (granule - 3)); // level 2 block
    const va = 3 * blockSize;
    const oa = granule === 16 ? 0 : RAM; // 512 MiB blocks must be 512 MiB aligned
    if (granule === 16) mem.addRam(0, 0x10_0000);
    tb0.map(BigInt(va), oa, 2, D_DEFAULT);
    writeMem(cpu, va + 0x8_0010, 0, 4, 0xabcd, 0, 0);
    assertEquals(mem.read32(oa + 0x8_0010), 0xabcd);
    assertEquals(translateStage1(cpu.sys, va + 0x8_0010, 0, false), true);
    assertEquals(walkResult.level, 2);
    assertEquals(walkResult.blockPages, blockSize / 4096);
  });

  Deno.test(`${g} granule: translation fault at the level of the missing descriptor`, () => {
    const { cpu, tb0 } = setup(granule);
    tb0.map(0x40n * BigInt(page), RAM, 3, D_DEFAULT);
    // Same last-level table, neighbouring page unmapped: level 3.
    assertEquals(thrown(() => readMem(cpu, 0x41 * page, 0, 4, 0)), GUEST_EXCEPTION);
    assertEquals(cpu.sys.esr, esr(0x25, 0x04 | 3));
    assertEquals(cpu.sys.farLo, 0x41 * page);
    assertEquals(cpu.pcLo, VECTORS + 0x200);
    assertEquals(cpu.sys.elrLo, 0x1000);
    // Nothing at the start level for a far-away VA.
    const far = 0xff00_0000_0000n;
    cpu.pcLo = 0x1000;
    assertEquals(thrown(() => readMem(cpu, 0, Number(far >> 32n), 4, 0)), GUEST_EXCEPTION);
    assertEquals(cpu.sys.esr, esr(0x25, 0x04 | tb0.startLevel));
  });
}

Deno.test("4K granule: level-1 (1 GiB) block; level-0 block is a translation fault", () => {
  const { cpu, mem, tb0 } = setup(12);
  tb0.map(0x80_0000_0000n, RAM, 1, D_DEFAULT);
  writeMem(cpu, 0x123450, 0x80, 4, 9, 0, 0);
  assertEquals(mem.read32(RAM + 0x123450), 9);
  tb0.setRaw(0x0100_0000_0000n, 0, BigInt(RAM) | D_DEFAULT | 1n);
  assertEquals(thrown(() => readMem(cpu, 0, 0x100, 4, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x25, 0x04));
});

Deno.test("16K and 64K granules: a level-1 block is a translation fault", () => {
  for (const granule of [14, 16]) {
    const { cpu, tb0 } = setup(granule);
    tb0.map(0x1000_0000_0000n, RAM, 2, D_DEFAULT); // creates the level-1 table entry path
    tb0.setRaw(0x1000_0000_0000n, 1, BigInt(RAM) | D_DEFAULT | 1n);
    assertEquals(thrown(() => readMem(cpu, 0, 0x1000, 4, 0)), GUEST_EXCEPTION);
    assertEquals(cpu.sys.esr, esr(0x25, 0x04 | 1));
  }
});

Deno.test("access flag fault when AF is 0 (no hardware update), reported at the leaf level", () => {
  const { cpu, tb0 } = setup(12);
  tb0.map(0x5000n, RAM, 3, D_DEFAULT & ~D_AF);
  assertEquals(thrown(() => writeMem(cpu, 0x5008, 0, 4, 1, 0, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x25, 0x40 | 0x08 | 3));
  assertEquals(cpu.sys.farLo, 0x5008);
});

Deno.test("permission faults: read-only, EL1-only from EL0, LDTR, instruction aborts", () => {
  const { cpu, tb0 } = setup(12);
  tb0.map(0x5000n, RAM, 3, D_DEFAULT | D_AP_RO_EL1);
  tb0.map(0x6000n, RAM + 0x1000, 3, D_DEFAULT | D_AP_RO_ALL | D_UXN);
  tb0.map(0x7000n, RAM + 0x2000, 3, D_DEFAULT | D_AP_RW_ALL);
  tb0.map(0x8000n, RAM + 0x3000, 3, D_DEFAULT | D_PXN);
  // EL1 write to read-only: permission fault level 3, WnR.
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 0);
  assertEquals(thrown(() => writeMem(cpu, 0x5000, 0, 4, 1, 0, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x25, 0x40 | 0x0c | 3));
  // LDTR at EL1 to an EL1-only page: EL0 permissions apply (EC stays "current EL").
  assertEquals(thrown(() => readMem(cpu, 0x5000, 0, 4, 1)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x25, 0x0c | 3));
  // EL0 read of an EL1-only page: data abort from a lower EL, vector 0x400.
  cpu.el = 0;
  cpu.pcLo = 0x2000;
  assertEquals(thrown(() => readMem(cpu, 0x5000, 0, 4, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x24, 0x0c | 3));
  assertEquals(cpu.pcLo, VECTORS + 0x400);
  assertEquals(cpu.sys.spsr & 0x1f, 0);
  // EL0 fetch from a UXN page: instruction abort from a lower EL.
  cpu.el = 0;
  cpu.pcLo = 0x6000;
  assertEquals(readMem(cpu, 0x6000, 0, 4, 0), 0);
  assertEquals(thrown(() => translateFetch(cpu, 0x6000, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x20, 0x0c | 3));
  assertEquals(cpu.sys.farLo, 0x6000);
  // EL1 fetch from EL0-writable memory: implicitly PXN.
  cpu.pcLo = 0x7000;
  assertEquals(thrown(() => translateFetch(cpu, 0x7000, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x21, 0x0c | 3));
  // EL1 fetch from a PXN page; EL0 may execute it.
  cpu.pcLo = 0x8000;
  assertEquals(thrown(() => translateFetch(cpu, 0x8000, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x21, 0x0c | 3));
  cpu.el = 0;
  translateFetch(cpu, 0x8000, 0);
});

Deno.test("SCTLR.WXN makes writable memory execute-never; APTable limits lower levels", () => {
  const { cpu, tb0 } = setup(12);
  tb0.map(0x5000n, RAM, 3, D_DEFAULT);
  translateFetch(cpu, 0x5000, 0);
  cpu.sys.sctlr |= SCTLR_WXN;
  cpu.sys.tlb.flushAll();
  cpu.pcLo = 0x5000;
  assertEquals(thrown(() => translateFetch(cpu, 0x5000, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x21, 0x0c | 3));
  // APTable[1] (bit 62): read-only below this table.
  const { cpu: c2, tb0: t2 } = setup(12);
  t2.map(0x2_0000_0000n, RAM, 3, D_DEFAULT, 1n << 62n);
  assertEquals(thrown(() => writeMem(c2, 0, 2, 4, 1, 0, 0)), GUEST_EXCEPTION);
  assertEquals(c2.sys.esr, esr(0x25, 0x40 | 0x0c | 3));
});

Deno.test("walk through a table outside RAM: synchronous external abort on the walk", () => {
  const { cpu, tb0 } = setup(12);
  tb0.map(0x5000n, RAM, 3, D_DEFAULT);
  tb0.setRaw(0x5000n, 2, 0x0900_0000n | 3n); // level-2 entry points at MMIO
  assertEquals(thrown(() => readMem(cpu, 0x5000, 0, 4, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x25, 0x14 | 3));
});

Deno.test("address size fault when an output address exceeds the 40-bit IPA", () => {
  const { cpu, tb0 } = setup(12);
  tb0.map(0x5000n, 0, 3, D_DEFAULT);
  tb0.setRaw(0x5000n, 3, (1n << 41n) | D_DEFAULT | 3n);
  assertEquals(thrown(() => readMem(cpu, 0x5000, 0, 4, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x25, 0x00 | 3));
});

Deno.test("VA range checks: bits above T0SZ, TBI0, EPD0", () => {
  const { cpu, mem, tb0 } = setup(12, 25); // 39-bit VA
  tb0.map(0x5000n, RAM, 3, D_DEFAULT);
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 0);
  // Bit 39 set in a TTBR0 address: translation fault level 0.
  assertEquals(thrown(() => readMem(cpu, 0x5000, 0x80, 4, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x25, 0x04));
  // A tag in the top byte faults without TBI0 and is ignored with it.
  assertEquals(thrown(() => readMem(cpu, 0x5000, 0x5a000000, 4, 0)), GUEST_EXCEPTION);
  cpu.sys.tcrHi |= 1 << 5;
  mem.write32(RAM, 77);
  assertEquals(readMem(cpu, 0x5000, 0x5a000000, 4, 0), 77);
  assertEquals(cpu.sys.farHi, 0x5a000000);
  cpu.sys.tcrLo |= 1 << 7; // EPD0
  cpu.sys.tlb.flushAll();
  assertEquals(thrown(() => readMem(cpu, 0x5000, 0, 4, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x25, 0x04));
});

Deno.test("MAIR attributes: Device memory faults unaligned accesses, Normal allows them", () => {
  const { cpu, mem, tb0 } = setup(12);
  tb0.map(0x5000n, RAM, 3, D_DEFAULT | attrIndx(0));
  tb0.map(0x6000n, RAM + 0x1000, 3, D_DEFAULT | attrIndx(1));
  mem.write32(RAM + 4, 0x44332211);
  mem.write32(RAM + 8, 0x88776655);
  assertEquals(readMem(cpu, 0x5005, 0, 4, 0), 0x55443322);
  assertEquals(thrown(() => readMem(cpu, 0x6001, 0, 2, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.esr, esr(0x25, 0x21));
  // Unaligned access spanning two Normal pages.
  tb0.map(0x7000n, RAM + 0x2000, 3, D_DEFAULT);
  tb0.map(0x8000n, RAM + 0x5000, 3, D_DEFAULT);
  writeMem(cpu, 0x7ffe, 0, 4, 0xddccbbaa, 0, 0);
  assertEquals(mem.read32(RAM + 0x2ffc) >>> 16, 0xbbaa);
  assertEquals(mem.read32(RAM + 0x5000) & 0xffff, 0xddcc);
  assertEquals(readMem(cpu, 0x7ffe, 0, 4, 0), 0xddccbbaa);
  // Second page unmapped: the fault names that page's address, nothing written.
  tb0.map(0x9000n, RAM + 0x6000, 3, D_DEFAULT);
  assertEquals(thrown(() => writeMem(cpu, 0x9ffc, 0, 8, 1, 1, 0)), GUEST_EXCEPTION);
  assertEquals(cpu.sys.farLo, 0xa000);
  assertEquals(mem.read32(RAM + 0x6ffc), 0);
});

Deno.test("TLB: nG entries are per ASID, global ones are shared", () => {
  const { cpu, mem, tb0 } = setup(12);
  const s = cpu.sys;
  tb0.map(0x5000n, RAM, 3, D_DEFAULT | D_NG);
  tb0.map(0x6000n, RAM + 0x1000, 3, D_DEFAULT);
  mem.write32(RAM, 1);
  mem.write32(RAM + 0x1000, 2);
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 1);
  assertEquals(readMem(cpu, 0x6000, 0, 4, 0), 2);
  // Remap both in the tables without TLB maintenance: cached entries still hit.
  tb0.map(0x5000n, RAM + 0x2000, 3, D_DEFAULT | D_NG);
  tb0.map(0x6000n, RAM + 0x2000, 3, D_DEFAULT);
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 1);
  // Switch ASID: the nG entry misses and re-walks; the global one still hits.
  s.ttbr0Hi = 5 << 16;
  s.updateAsid();
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 0);
  assertEquals(readMem(cpu, 0x6000, 0, 4, 0), 2);
});

Deno.test("translateForHypervisor: IPA of an EL1 access, -1 on faults, no exception", async () => {
  const { translateForHypervisor } = await import("./translate.ts");
  const { cpu, tb0 } = setup(12);
  tb0.map(0x5000n, RAM + 0x2000, 3, D_DEFAULT | D_AP_RO_EL1);
  assertEquals(translateForHypervisor(cpu.sys, 0x5010, 0, false), RAM + 0x2010);
  assertEquals(translateForHypervisor(cpu.sys, 0x5010, 0, true), -1);
  assertEquals(translateForHypervisor(cpu.sys, 0x9000, 0, false), -1);
  assertEquals(cpu.sys.esr, 0);
});
