/**
 * Cost of the memory-access fast path (TLB hit, RAM): `deno bench arch/aarch64/mmu/access_bench.ts`.
 *
 * @module
 */
import { TestCpu, TestMemory } from "../sys/test_support.ts";
import { SCTLR_M } from "../sys/registers.ts";
import { D_DEFAULT, TableBuilder } from "./test_tables.ts";
import { readMem, writeMem } from "./access.ts";

const RAM = 0x4000_0000;
const N = 1_000_000;

function mmuOnCpu(): TestCpu {
  const mem = new TestMemory();
  mem.addRam(RAM, 0x100_0000);
  const cpu = new TestCpu(mem);
  const tb = new TableBuilder(mem, 12, 48, RAM + 0x80_0000);
  tb.map(0x10_0000n, RAM, 2, D_DEFAULT); // one 2 MiB block
  cpu.sys.mairLo = 0xff;
  cpu.sys.tcrLo = 16 | (16 << 16) | (2 << 30);
  cpu.sys.tcrHi = 2;
  cpu.sys.ttbr0Lo = tb.root;
  cpu.sys.sctlr |= SCTLR_M;
  return cpu;
}

const cpu = mmuOnCpu();

Deno.bench("readMem 8 bytes, TLB hit (1M accesses over 64 KiB)", () => {
  let acc = 0;
  for (let i = 0; i < N; i++) acc ^= readMem(cpu, 0x10_0000 + ((i * 8) & 0xfff8), 0, 8, 0);
  if (acc === 0x7fffffff) throw new Error("unreachable");
});

Deno.bench("writeMem 4 bytes, TLB hit (1M accesses over 64 KiB)", () => {
  for (let i = 0; i < N; i++) writeMem(cpu, 0x10_0000 + ((i * 4) & 0xfffc), 0, 4, i, 0, 0);
});
