import { assertEquals } from "@gunyah-ts/tests/assert";
import { GUEST_EXCEPTION } from "../../cpu/state.ts";
import { markCodePage } from "../../mmu/code_pages.ts";
import { readMem } from "../../mmu/access.ts";
import {
  D_AF,
  D_AP_RO_ALL,
  D_AP_RW_ALL,
  D_DEFAULT,
  D_NG,
  TableBuilder,
} from "../../mmu/test_tables.ts";
import { SCTLR_DZE, SCTLR_M, SCTLR_UCI } from "../../sys/registers.ts";
import { sysregKey } from "../../sys/sysreg_key.ts";
import { TestCpu, TestMemory, thrown } from "../../sys/test_support.ts";
import { exec, matches, sysWord } from "./test_exec.ts";

const RAM = 0x4000_0000;
const TABLES = RAM + 0x80_0000;
const VBAR = RAM + 0x10_0000;
const K = sysregKey;

const TLBI_VMALLE1 = K(1, 0, 8, 7, 0);
const TLBI_VAE1 = K(1, 0, 8, 7, 1);
const TLBI_ASIDE1 = K(1, 0, 8, 7, 2);
const TLBI_VAAE1IS = K(1, 0, 8, 3, 3);
const TLBI_VMALLE1IS = K(1, 0, 8, 3, 0);
const DC_ZVA = K(1, 3, 7, 4, 1);
const DC_CIVAC = K(1, 3, 7, 14, 1);
const DC_IVAC = K(1, 0, 7, 6, 1);
const IC_IVAU = K(1, 3, 7, 5, 1);
const IC_IALLU = K(1, 0, 7, 5, 0);
const AT_S1E1R = K(1, 0, 7, 8, 0);
const AT_S1E0W = K(1, 0, 7, 8, 3);

function setup(mem = new TestMemory()) {
  if (mem.mappings.length === 0) mem.addRam(RAM, 0x100_0000);
  const cpu = new TestCpu(mem);
  const tb = new TableBuilder(mem, 12, 48, TABLES);
  const s = cpu.sys;
  s.mairLo = 0x000000ff;
  s.tcrLo = (16 | (16 << 16) | (2 << 30)) >>> 0;
  s.tcrHi = 2 | (1 << 4); // IPS 40 bits, 16-bit ASIDs
  s.ttbr0Lo = tb.root;
  s.ttbr0Hi = 7 << 16; // ASID 7
  s.updateAsid();
  s.vbarLo = VBAR;
  s.sctlr |= SCTLR_M;
  cpu.pcLo = 0x1000;
  return { cpu, mem, tb };
}

function run(cpu: TestCpu, key: number, xt: bigint) {
  cpu.setX(5, xt);
  return exec(cpu, sysWord(key, 5));
}

Deno.test("TLBI VAE1 (by VA and ASID), VAAE1IS, ASIDE1, VMALLE1", () => {
  const { cpu, mem, tb } = setup();
  tb.map(0x5000n, RAM, 3, D_DEFAULT | D_NG);
  mem.write32(RAM, 1);
  mem.write32(RAM + 0x1000, 2);
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 1);
  tb.map(0x5000n, RAM + 0x1000, 3, D_DEFAULT | D_NG);
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 1); // stale until invalidated
  // Wrong ASID: no effect.
  run(cpu, TLBI_VAE1, (8n << 48n) | 5n);
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 1);
  run(cpu, TLBI_VAE1, (7n << 48n) | 5n);
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 2);
  tb.map(0x5000n, RAM, 3, D_DEFAULT | D_NG);
  run(cpu, TLBI_ASIDE1, 7n << 48n);
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 1);
  tb.map(0x5000n, RAM + 0x1000, 3, D_DEFAULT | D_NG);
  run(cpu, TLBI_VMALLE1, 0n);
  assertEquals(readMem(cpu, 0x5000, 0, 4, 0), 2);
  // IS forms reach the other vCPU of the VM.
  const { cpu: other } = setup(mem);
  other.sys.ttbr0Lo = cpu.sys.ttbr0Lo;
  assertEquals(readMem(other, 0x5000, 0, 4, 0), 2);
  tb.map(0x5000n, RAM, 3, D_DEFAULT | D_NG);
  run(cpu, TLBI_VAAE1IS, 5n);
  assertEquals(readMem(other, 0x5000, 0, 4, 0), 1);
  tb.map(0x5000n, RAM + 0x1000, 3, D_DEFAULT | D_NG);
  run(cpu, TLBI_VMALLE1IS, 0n);
  assertEquals(readMem(other, 0x5000, 0, 4, 0), 2);
  // TLBI at EL0 is UNDEFINED.
  cpu.el = 0;
  assertEquals(run(cpu, TLBI_VMALLE1, 0n), "exception");
  assertEquals(cpu.sys.esr, 0x02000000);
});

Deno.test("TLBI by VA drops a whole cached block", () => {
  const { cpu, mem, tb } = setup();
  tb.map(0x20_0000n, RAM + 0x20_0000, 2, D_DEFAULT); // 2 MiB block
  mem.write32(RAM + 0x23_4000, 5);
  assertEquals(readMem(cpu, 0x23_4000, 0, 4, 0), 5);
  tb.map(0x20_0000n, RAM + 0x40_0000, 2, D_DEFAULT);
  run(cpu, TLBI_VAE1, 0x200n); // the block's first page
  assertEquals(readMem(cpu, 0x23_4000, 0, 4, 0), 0);
});

Deno.test("DC ZVA zeroes the aligned 64-byte block; permission, Device and EL0 rules", () => {
  const { cpu, mem, tb } = setup();
  tb.map(0x5000n, RAM, 3, D_DEFAULT | D_AP_RW_ALL);
  tb.map(0x6000n, RAM + 0x1000, 3, D_DEFAULT | D_AP_RO_ALL);
  tb.map(0x7000n, RAM + 0x2000, 3, D_AF | (1n << 2n)); // AttrIndx 1: Device
  for (let i = 0; i < 0x100; i += 4) mem.write32(RAM + i, 0xffffffff);
  assertEquals(run(cpu, DC_ZVA, 0x5050n), "done");
  for (let i = 0; i < 0x100; i += 4) {
    assertEquals(mem.read32(RAM + i), i >= 0x40 && i < 0x80 ? 0 : 0xffffffff);
  }
  cpu.pcLo = 0x1000;
  assertEquals(run(cpu, DC_ZVA, 0x6010n), "exception");
  assertEquals(cpu.sys.esr, ((0x25 << 26) | (1 << 25) | 0x40 | 0x0c | 3) >>> 0);
  assertEquals(cpu.sys.farLo, 0x6010);
  assertEquals(run(cpu, DC_ZVA, 0x7000n), "exception");
  assertEquals(cpu.sys.esr & 0x3f, 0x21);
  cpu.el = 0;
  assertEquals(run(cpu, DC_ZVA, 0x5000n), "exception");
  assertEquals(cpu.sys.esr >>> 26, 0x18);
  cpu.el = 0;
  cpu.sys.sctlr |= SCTLR_DZE;
  assertEquals(run(cpu, DC_ZVA, 0x5000n), "done");
  assertEquals(mem.read32(RAM), 0);
});

Deno.test("DC by VA checks translation (CM=1, WnR=1), IVAC needs write; EL0 via UCI", () => {
  const { cpu, tb } = setup();
  tb.map(0x6000n, RAM + 0x1000, 3, D_DEFAULT | D_AP_RO_ALL);
  assertEquals(run(cpu, DC_CIVAC, 0x6000n), "done");
  assertEquals(run(cpu, DC_CIVAC, 0x9000n), "exception");
  assertEquals(cpu.sys.esr, ((0x25 << 26) | (1 << 25) | 0x100 | 0x40 | 0x04 | 3) >>> 0);
  assertEquals(run(cpu, DC_IVAC, 0x6000n), "exception");
  assertEquals(cpu.sys.esr & 0x3f, 0x0c | 3);
  cpu.el = 0;
  assertEquals(run(cpu, DC_CIVAC, 0x6000n), "exception");
  assertEquals(cpu.sys.esr >>> 26, 0x18);
  cpu.el = 0;
  cpu.sys.sctlr |= SCTLR_UCI;
  assertEquals(run(cpu, DC_CIVAC, 0x6000n), "done");
  cpu.el = 0;
  assertEquals(run(cpu, DC_IVAC, 0x6000n), "exception"); // EL1 only
  assertEquals(cpu.sys.esr, 0x02000000);
});

Deno.test("IC IVAU drops the decoded page; IC IALLU flushes the decode cache", () => {
  const { cpu, tb } = setup();
  tb.map(0x5000n, RAM + 0x3000, 3, D_DEFAULT);
  markCodePage(cpu.memory.lookup(RAM)!, RAM + 0x3000);
  assertEquals(run(cpu, IC_IVAU, 0x5040n), "done");
  assertEquals(cpu.codeWrites, [RAM + 0x3000]);
  // The mark is consumed: the next lines of the same page cost nothing.
  assertEquals(run(cpu, IC_IVAU, 0x5080n), "done");
  assertEquals(cpu.codeWrites, [RAM + 0x3000]);
  // An address without a translation faults like a data access with CM = 1.
  assertEquals(run(cpu, IC_IVAU, 0x9000n), "exception");
  assertEquals(cpu.sys.esr & 0x1ff, 0x100 | 0x40 | 0x04 | 3);
  assertEquals(run(cpu, IC_IALLU, 0n), "done");
  assertEquals(cpu.decodeFlushes, 1);
});

Deno.test("AT S1E1R / S1E0W write PAR_EL1 (success with PA and ATTR, fault with FST)", () => {
  const { cpu, tb } = setup();
  tb.map(0x5000n, RAM + 0x3000, 3, D_DEFAULT);
  assertEquals(run(cpu, AT_S1E1R, 0x5123n), "done");
  assertEquals(cpu.sys.parLo, (RAM + 0x3000) | (1 << 11) | (3 << 7));
  assertEquals(cpu.sys.parHi, 0xff000000);
  run(cpu, AT_S1E0W, 0x5123n); // EL1-only page: permission fault level 3
  assertEquals(cpu.sys.parLo, (1 << 11) | ((0x0c | 3) << 1) | 1);
  run(cpu, AT_S1E1R, 0x9000n);
  assertEquals(cpu.sys.parLo, (1 << 11) | ((0x04 | 3) << 1) | 1);
});

Deno.test("SYSL and unallocated SYS encodings are UNDEFINED", () => {
  const { cpu } = setup();
  assertEquals(exec(cpu, (0xd5280000 | (7 << 12) | 5) >>> 0), "exception");
  assertEquals(cpu.sys.esr, 0x02000000);
  assertEquals(run(cpu, K(1, 0, 8, 7, 4), 0n), "exception"); // reserved TLBI op2
  assertEquals(matches(0xd503309f), true); // DSB SY
  assertEquals(thrown(() => readMem(cpu, 0x9000, 0, 4, 0)), GUEST_EXCEPTION);
});
