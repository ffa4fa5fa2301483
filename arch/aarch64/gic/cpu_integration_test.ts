/**
 * The vGIC wired to a real vCPU: guest code programs the CPU interface with
 * MSR, sends itself an SGI, takes the IRQ through VBAR_EL1 and acknowledges
 * it with MRS ICC_IAR1_EL1 — the path Linux's IPIs take.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { ExitKind, RegisterSet, type VcpuInit } from "@gunyah-ts/core/plugin";
import { aarch64Plugin } from "../plugin.ts";
import { TestMmio, TestRam } from "../cpu/test_support.ts";
import type { GicV3 } from "./gicv3.ts";
import { write } from "./test_support.ts";
import {
  GICD_CTLR,
  GICR_IGROUPR0,
  GICR_IPRIORITYR0,
  GICR_ISENABLER0,
  GICR_SGI_BASE,
} from "./registers.ts";
import {
  ICC_EOIR1_EL1,
  ICC_IAR1_EL1,
  ICC_IGRPEN1_EL1,
  ICC_PMR_EL1,
  ICC_RPR_EL1,
  ICC_SGI1R_EL1,
  sysregKey,
} from "./icc_sysregs.ts";

const RAM_BASE = 0x4000_0000;
const VBAR = RAM_BASE + 0x1000;
/** VBAR_EL1 offset of an IRQ taken from the current EL with SP_ELx. */
const IRQ_CURRENT_SPX = 0x280;

// Hand-encoded A64 (Arm ARM C6.2): MSR/MRS (register) put the system-register
// key in bits 20:5.
const msr = (key: number, rt: number) => (0xd5000000 | (key << 5) | rt) >>> 0;
const mrs = (key: number, rt: number) => (0xd5200000 | (key << 5) | rt) >>> 0;
const movz = (rd: number, imm: number, hw = 0) => (0xd2800000 | (hw << 21) | (imm << 5) | rd) >>> 0;
const movk = (rd: number, imm: number, hw: number) =>
  (0xf2800000 | (hw << 21) | (imm << 5) | rd) >>> 0;
const hvc = (imm: number) => (0xd4000002 | (imm << 5)) >>> 0;
const MSR_DAIFCLR_I = 0xd50342ff; // msr daifclr, #2
const WFI = 0xd503207f;
const VBAR_EL1 = sysregKey(3, 0, 12, 0, 0);

Deno.test("guest sends itself an SGI, takes the IRQ, acknowledges and ends it", () => {
  const ram = new TestRam(RAM_BASE, 0x4000);
  const gic = aarch64Plugin.createInterruptController({ vcpus: 1, spis: 32 }, {
    distributorBase: 0x0800_0000,
    redistributorBase: 0x080a_0000,
  }) as GicV3;
  const init: VcpuInit = {
    index: 0,
    mpidr: 0,
    memory: ram,
    mmio: new TestMmio(),
    irq: gic,
    clock: { now: 0, nsPerInstruction: 1 },
    wake: () => {},
  };
  const vcpu = aarch64Plugin.createVcpu(init);
  gic.attachVcpu(0, vcpu);
  // Distributor and redistributor set up by the host: Group 1, SGI 5 enabled at 0x80.
  write(gic.distributor, GICD_CTLR, 0x12);
  write(gic.redistributors, GICR_SGI_BASE + GICR_IGROUPR0, 0xffffffff);
  write(gic.redistributors, GICR_SGI_BASE + GICR_IPRIORITYR0 + 5, 0x80, 1);
  write(gic.redistributors, GICR_SGI_BASE + GICR_ISENABLER0, 1 << 5);

  ram.writeWords(RAM_BASE, [
    movz(0, 0x1000),
    movk(0, 0x4000, 1),
    msr(VBAR_EL1, 0),
    movz(1, 0xf0),
    msr(ICC_PMR_EL1, 1),
    movz(1, 1),
    msr(ICC_IGRPEN1_EL1, 1),
    MSR_DAIFCLR_I,
    movz(1, 1), // TargetList = {Aff0 0}
    movk(1, 0x0500, 1), // INTID 5
    msr(ICC_SGI1R_EL1, 1),
    WFI,
    hvc(2), // not reached: the IRQ is taken first
  ]);
  ram.writeWords(VBAR + IRQ_CURRENT_SPX, [
    mrs(ICC_IAR1_EL1, 2),
    mrs(ICC_RPR_EL1, 3),
    msr(ICC_EOIR1_EL1, 2),
    mrs(ICC_RPR_EL1, 4),
    hvc(1),
  ]);
  vcpu.reset(BigInt(RAM_BASE), 0n);
  const exit = vcpu.run(1000);
  assertEquals(exit, ExitKind.Hvc);
  assertEquals(vcpu.exit.imm, 1);
  assertEquals(vcpu.getRegister(RegisterSet.X, 2), 5n, "ICC_IAR1_EL1 returned the SGI");
  assertEquals(vcpu.getRegister(RegisterSet.X, 3), 0x80n, "running priority while active");
  assertEquals(vcpu.getRegister(RegisterSet.X, 4), 0xffn, "idle after EOI");
  assertEquals(gic.hasPending(0), false);
});

Deno.test("an SGI from one vCPU wakes another parked in WFI, which then takes it", () => {
  const ram = new TestRam(RAM_BASE, 0x8000);
  const gic = aarch64Plugin.createInterruptController({ vcpus: 2, spis: 32 }, {
    distributorBase: 0x0800_0000,
    redistributorBase: 0x080a_0000,
  }) as GicV3;
  const woken: number[] = [];
  const vcpus = [0, 1].map((index) => {
    const vcpu = aarch64Plugin.createVcpu({
      index,
      mpidr: index,
      memory: ram,
      mmio: new TestMmio(),
      irq: gic,
      clock: { now: 0, nsPerInstruction: 1 },
      wake: (i) => woken.push(i),
    });
    gic.attachVcpu(index, vcpu);
    return vcpu;
  });
  write(gic.distributor, GICD_CTLR, 0x12);
  for (const v of [0, 1]) {
    const sgiBase = v * 0x20000 + GICR_SGI_BASE;
    write(gic.redistributors, sgiBase + GICR_IGROUPR0, 0xffffffff);
    write(gic.redistributors, sgiBase + GICR_IPRIORITYR0 + 1, 0xa0, 1);
    write(gic.redistributors, sgiBase + GICR_ISENABLER0, 1 << 1);
  }
  // vCPU 1: open its CPU interface, unmask IRQs, wait; its handler reports the INTID.
  const parked = RAM_BASE + 0x2000;
  ram.writeWords(parked, [
    movz(0, 0x1000),
    movk(0, 0x4000, 1),
    msr(VBAR_EL1, 0),
    movz(1, 0xf0),
    msr(ICC_PMR_EL1, 1),
    movz(1, 1),
    msr(ICC_IGRPEN1_EL1, 1),
    MSR_DAIFCLR_I,
    WFI,
    hvc(2),
  ]);
  ram.writeWords(VBAR + IRQ_CURRENT_SPX, [mrs(ICC_IAR1_EL1, 2), msr(ICC_EOIR1_EL1, 2), hvc(1)]);
  // vCPU 0: SGI 1 to Aff0 = 1.
  const sender = RAM_BASE + 0x3000;
  ram.writeWords(sender, [movz(1, 0b10), movk(1, 0x0100, 1), msr(ICC_SGI1R_EL1, 1), hvc(3)]);

  vcpus[1].reset(BigInt(parked), 0n);
  assertEquals(vcpus[1].run(1000), ExitKind.Wfi, "nothing pending: vCPU 1 parks");
  assertEquals(gic.hasPending(1), false);
  vcpus[0].reset(BigInt(sender), 0n);
  assertEquals(vcpus[0].run(1000), ExitKind.Hvc);
  assertEquals(vcpus[0].exit.imm, 3);
  assertEquals(woken, [1], "the vGIC woke vCPU 1");
  assertEquals(gic.hasPending(1) && vcpus[1].hasPendingInterrupt(), true);
  assertEquals(vcpus[1].run(1000), ExitKind.Hvc);
  assertEquals(vcpus[1].exit.imm, 1, "IRQ taken after WFI");
  assertEquals(vcpus[1].getRegister(RegisterSet.X, 2), 1n);
});
