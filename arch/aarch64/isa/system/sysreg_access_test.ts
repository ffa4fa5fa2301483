import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { R_SP } from "../../cpu/state.ts";
import { ICC_IAR1_EL1, ICC_PMR_EL1 } from "../../gic/icc_sysregs.ts";
import { SCTLR_M, SCTLR_RES1, SCTLR_UCT, SCTLR_UMA } from "../../sys/registers.ts";
import { sysregKey } from "../../sys/sysreg_key.ts";
import { TestCpu, TestGic, TestMemory } from "../../sys/test_support.ts";
import { exec, mrsWord, msrImmWord, msrWord } from "./test_exec.ts";

const K = sysregKey;
const RAM = 0x4000_0000;

function cpu0(): TestCpu {
  const mem = new TestMemory();
  mem.addRam(RAM, 0x10_0000);
  const cpu = new TestCpu(mem);
  cpu.pcLo = RAM;
  cpu.sys.vbarLo = RAM + 0x8_0000;
  return cpu;
}

function read(cpu: TestCpu, key: number): bigint {
  assertEquals(exec(cpu, mrsWord(key, 3)), "done");
  return cpu.getX(3);
}

function write(cpu: TestCpu, key: number, v: bigint): void {
  cpu.setX(4, v);
  assertEquals(exec(cpu, msrWord(key, 4)), "done");
}

function ec(cpu: TestCpu): number {
  return cpu.sys.esr >>> 26;
}

Deno.test("ID registers describe an Armv8.0 EL0/EL1 AArch64 core", () => {
  const cpu = cpu0();
  assertEquals(read(cpu, K(3, 0, 0, 0, 0)), 0x000f0000n); // MIDR
  // PFR0: EL0/EL1 AArch64, GIC=1, CSV2=CSV3=1 (no speculation).
  assertEquals(read(cpu, K(3, 0, 0, 4, 0)), 0x1100_0000_0100_0011n);
  assertEquals(read(cpu, K(3, 0, 0, 7, 1)), 0x1000_0000_0000_0000n); // MMFR1: ECBHB
  assertEquals(read(cpu, K(3, 0, 0, 6, 0)), 0x00010000n); // ISAR0: CRC32
  assertEquals(read(cpu, K(3, 0, 0, 7, 0)), 0x00100022n); // MMFR0: 40-bit, 16-bit ASID
  assertEquals((read(cpu, K(3, 0, 0, 5, 0)) >> 8n) & 0xfn, 0n); // DFR0.PMUVer
  assertEquals(read(cpu, K(3, 3, 0, 0, 1)), 0x8444c004n); // CTR_EL0
  assertEquals(read(cpu, K(3, 3, 0, 0, 7)), 4n); // DCZID: 64 bytes
  assertEquals(read(cpu, K(3, 1, 0, 0, 1)), 0x0a200023n); // CLIDR
  write(cpu, K(3, 2, 0, 0, 0), 1n); // CSSELR: L1 I
  assertEquals(read(cpu, K(3, 1, 0, 0, 0)), 0x201fe00an);
  // Reserved ID space and AArch32 ID registers read as zero.
  assertEquals(read(cpu, K(3, 0, 0, 1, 0)), 0n); // ID_PFR0_EL1
  assertEquals(read(cpu, K(3, 0, 0, 4, 4)), 0n); // ID_AA64ZFR0_EL1
  assertEquals(read(cpu, K(3, 0, 0, 6, 2)), 0n); // ID_AA64ISAR2_EL1
  // ... but are not writable.
  cpu.pcLo = RAM;
  assertEquals(exec(cpu, msrWord(K(3, 0, 0, 4, 0), 1)), "exception");
  assertEquals(cpu.sys.esr, 0x02000000);
});

Deno.test("MPIDR_EL1: RES1 bit 31 and the affinity from VcpuInit", () => {
  const mem = new TestMemory();
  mem.addRam(RAM, 0x1000);
  const cpu = new TestCpu(mem, undefined, undefined, undefined, 0x0102);
  assertEquals(read(cpu, K(3, 0, 0, 0, 5)), 0x80000102n);
});

Deno.test("unimplemented registers (PMU, EL2) are UNDEFINED and logged once", () => {
  const logged: string[] = [];
  const mem = new TestMemory();
  mem.addRam(RAM, 0x1000);
  const cpu = new TestCpu(mem, undefined, undefined, undefined, 0, (m) => logged.push(m));
  cpu.sys.vbarLo = RAM + 0x8_0000;
  for (const key of [K(3, 3, 9, 12, 0), K(3, 4, 1, 1, 0), K(3, 0, 4, 2, 3)]) {
    cpu.pcLo = RAM + 0x40;
    assertEquals(exec(cpu, mrsWord(key, 1)), "exception");
    assertEquals(cpu.sys.esr, 0x02000000);
    assertEquals(cpu.sys.elrLo, RAM + 0x40);
  }
  cpu.pcLo = RAM;
  assertEquals(exec(cpu, mrsWord(K(3, 3, 9, 12, 0), 1)), "exception");
  assertEquals(logged.length, 3);
  assert(logged[0].includes("S3_3_C9_C12_0"), logged[0]);
});

Deno.test("translation registers round-trip; SCTLR keeps RES1 bits; VBAR drops bits 10:0", () => {
  const cpu = cpu0();
  write(cpu, K(3, 0, 2, 0, 0), 0x0005_0000_4000_1000n);
  assertEquals(read(cpu, K(3, 0, 2, 0, 0)), 0x0005_0000_4000_1000n);
  write(cpu, K(3, 0, 2, 0, 2), 0x0000_0035_b510_3510n);
  assertEquals(read(cpu, K(3, 0, 2, 0, 2)), 0x0000_0035_b510_3510n);
  write(cpu, K(3, 0, 10, 2, 0), 0x0000_04ff_0044_0c00n);
  assertEquals(read(cpu, K(3, 0, 10, 2, 0)), 0x0000_04ff_0044_0c00n);
  write(cpu, K(3, 0, 1, 0, 0), 0n);
  assertEquals(read(cpu, K(3, 0, 1, 0, 0)), BigInt(SCTLR_RES1));
  write(cpu, K(3, 0, 12, 0, 0), 0xffff_8000_1000_07ffn);
  assertEquals(read(cpu, K(3, 0, 12, 0, 0)), 0xffff_8000_1000_0000n);
  // TTBR1 ASID with TCR.A1 = 1 (bit 22) and AS = 1 (bit 36) becomes the current ASID.
  write(cpu, K(3, 0, 2, 0, 2), (1n << 22n) | (1n << 36n));
  write(cpu, K(3, 0, 2, 0, 1), 0x1234_0000_0000_0000n);
  assertEquals(cpu.sys.tlb.curAsid, 0x1234);
  assert(cpu.fetchInvalidations > 0);
  write(cpu, K(3, 0, 1, 0, 0), BigInt(SCTLR_M));
  assertEquals(cpu.sys.sctlr & SCTLR_M, SCTLR_M);
});

Deno.test("PSTATE registers: NZCV, DAIF, CurrentEL, SPSel with SP banking, SP_EL0", () => {
  const cpu = cpu0();
  write(cpu, K(3, 3, 4, 2, 0), 0xa000_0000n);
  assertEquals(cpu.nzcv, 0xa0000000);
  assertEquals(read(cpu, K(3, 3, 4, 2, 1)), 0x3c0n);
  write(cpu, K(3, 3, 4, 2, 1), 0n);
  assertEquals(cpu.daif, 0);
  assertEquals(exec(cpu, msrImmWord(3, 6, 0b0010)), "done"); // DAIFSet #2 (I)
  assertEquals(cpu.daif, 0x80);
  assertEquals(exec(cpu, msrImmWord(3, 7, 0b0010)), "done"); // DAIFClr #2
  assertEquals(cpu.daif, 0);
  assertEquals(read(cpu, K(3, 0, 4, 2, 2)), 4n); // CurrentEL = EL1
  // SP_EL1 live; write SP_EL0 through MSR, then switch with SPSel.
  cpu.setX(R_SP, 0x4008_0000n);
  write(cpu, K(3, 0, 4, 1, 0), 0x4007_0000n);
  assertEquals(cpu.getX(R_SP), 0x4008_0000n);
  write(cpu, K(3, 0, 4, 2, 0), 0n); // SPSel = 0
  assertEquals(cpu.getX(R_SP), 0x4007_0000n);
  assertEquals(read(cpu, K(3, 0, 4, 2, 0)), 0n);
  // SP_EL0 is UNDEFINED while SP_EL0 is the live stack pointer.
  assertEquals(exec(cpu, mrsWord(K(3, 0, 4, 1, 0), 1)), "exception");
  assertEquals(cpu.sys.esr, 0x02000000);
  assertEquals(cpu.spsel, 1); // exception entry selected SP_EL1 again
  assertEquals(cpu.getX(R_SP), 0x4008_0000n);
  assertEquals(exec(cpu, msrImmWord(0, 5, 0)), "done"); // MSR SPSel, #0
  assertEquals(cpu.getX(R_SP), 0x4007_0000n);
});

Deno.test("EL0: EL1 registers UNDEFINED; UCT/UMA/CNTKCTL gate with EC 0x18 traps", () => {
  const cpu = cpu0();
  cpu.el = 0;
  cpu.pcLo = 0x1000;
  assertEquals(exec(cpu, mrsWord(K(3, 0, 1, 0, 0), 2)), "exception"); // SCTLR_EL1
  assertEquals(cpu.sys.esr, 0x02000000);
  assertEquals(cpu.pcLo, RAM + 0x8_0000 + 0x400);
  // CTR_EL0 with UCT = 0: trapped, ISS describes the MRS.
  cpu.el = 0;
  cpu.pcLo = 0x1000;
  assertEquals(exec(cpu, mrsWord(K(3, 3, 0, 0, 1), 2)), "exception");
  assertEquals(ec(cpu), 0x18);
  const iss = cpu.sys.esr & 0x1ffffff;
  assertEquals(iss, (3 << 20) | (1 << 17) | (3 << 14) | (0 << 10) | (2 << 5) | (0 << 1) | 1);
  cpu.sys.sctlr |= SCTLR_UCT;
  cpu.el = 0;
  assertEquals(read(cpu, K(3, 3, 0, 0, 1)), 0x8444c004n);
  // DAIF at EL0 needs UMA.
  assertEquals(exec(cpu, mrsWord(K(3, 3, 4, 2, 1), 2)), "exception");
  assertEquals(ec(cpu), 0x18);
  cpu.el = 0;
  assertEquals(exec(cpu, msrImmWord(3, 6, 2)), "exception");
  assertEquals(ec(cpu), 0x18);
  cpu.el = 0;
  cpu.sys.sctlr |= SCTLR_UMA;
  assertEquals(exec(cpu, msrImmWord(3, 6, 2)), "done");
  // TPIDR_EL0 read/write at EL0; TPIDRRO_EL0 read-only at EL0.
  write(cpu, K(3, 3, 13, 0, 2), 0x1122_3344_5566_7788n);
  assertEquals(read(cpu, K(3, 3, 13, 0, 2)), 0x1122_3344_5566_7788n);
  assertEquals(exec(cpu, msrWord(K(3, 3, 13, 0, 3), 2)), "exception");
  assertEquals(cpu.sys.esr, 0x02000000);
  // CNTVCT_EL0 needs CNTKCTL_EL1.EL0VCTEN.
  cpu.el = 0;
  assertEquals(exec(cpu, mrsWord(K(3, 3, 14, 0, 2), 2)), "exception");
  assertEquals(ec(cpu), 0x18);
  cpu.sys.timer.cntkctl = 2;
  cpu.el = 0;
  assertEquals(exec(cpu, mrsWord(K(3, 3, 14, 0, 2), 2)), "done");
  // MSR SPSel at EL0 is UNDEFINED.
  assertEquals(exec(cpu, msrImmWord(0, 5, 1)), "exception");
  assertEquals(cpu.sys.esr, 0x02000000);
});

Deno.test("FPCR/FPSR honour the CPACR_EL1.FPEN trap (EC 0x07)", () => {
  const cpu = cpu0();
  assertEquals(exec(cpu, mrsWord(K(3, 3, 4, 4, 0), 1)), "exception");
  assertEquals(cpu.sys.esr, ((0x07 << 26) | (1 << 25) | (1 << 24) | (0xe << 20)) >>> 0);
  cpu.pcLo = RAM;
  write(cpu, K(3, 0, 1, 0, 2), 1n << 20n); // FPEN = 01: EL0 trapped only
  write(cpu, K(3, 3, 4, 4, 0), 0x0340_0000n);
  assertEquals(read(cpu, K(3, 3, 4, 4, 0)), 0x0340_0000n);
  cpu.el = 0;
  assertEquals(exec(cpu, mrsWord(K(3, 3, 4, 4, 1), 1)), "exception");
  assertEquals(ec(cpu), 0x07);
  write(cpu, K(3, 0, 1, 0, 2), 3n << 20n);
  cpu.el = 0;
  assertEquals(exec(cpu, mrsWord(K(3, 3, 4, 4, 1), 1)), "done");
});

Deno.test("ICC_* registers go to the GIC CPU interface; unknown ones are UNDEFINED", () => {
  const cpu = cpu0();
  const gic = new TestGic();
  gic.regs.set(ICC_IAR1_EL1, 27);
  gic.regs.set(ICC_PMR_EL1, 0);
  cpu.gic = gic;
  assertEquals(read(cpu, ICC_IAR1_EL1), 27n);
  write(cpu, ICC_PMR_EL1, 0xf0n);
  assertEquals(gic.regs.get(ICC_PMR_EL1), 0xf0);
  assertEquals(exec(cpu, mrsWord(K(3, 0, 12, 12, 2), 1)), "exception");
  assertEquals(cpu.sys.esr, 0x02000000);
  cpu.el = 0;
  assertEquals(exec(cpu, mrsWord(ICC_IAR1_EL1, 1)), "exception");
});

Deno.test("debug registers Linux resets are plain storage; OS lock via OSLAR/OSLSR", () => {
  const cpu = cpu0();
  assertEquals(read(cpu, K(2, 0, 1, 1, 4)), 0b1010n); // OSLSR: OSLM=0b10, locked
  write(cpu, K(2, 0, 1, 0, 4), 0n); // OSLAR
  assertEquals(read(cpu, K(2, 0, 1, 1, 4)), 0b1000n);
  write(cpu, K(2, 0, 0, 1, 4), 0xffff_0000_1234_5678n); // DBGBVR1
  assertEquals(read(cpu, K(2, 0, 0, 1, 4)), 0xffff_0000_1234_5678n);
  write(cpu, K(2, 0, 0, 2, 2), 0x8000n); // MDSCR
  assertEquals(read(cpu, K(2, 0, 0, 2, 2)), 0x8000n);
  assertEquals(read(cpu, K(2, 3, 0, 1, 0)), 0n); // MDCCSR_EL0
});
