import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import type { ArchVcpu } from "@gunyah-ts/core/plugin";
import { CpuState } from "../cpu/state.ts";
import { createGicV3, type GicV3 } from "./gicv3.ts";
import { makeGic, VIRT_PLACEMENT, write, write64 } from "./test_support.ts";
import {
  GICD_CTLR,
  GICD_ICFGR,
  GICD_IGROUPR,
  GICD_IPRIORITYR,
  GICD_IROUTER,
  GICD_ISENABLER,
} from "./registers.ts";
import { ICC_EOIR1_EL1, ICC_IAR1_EL1, ICC_IGRPEN1_EL1, ICC_PMR_EL1 } from "./icc_sysregs.ts";

function iar1(gic: GicV3, v: number): number {
  gic.cpus[v].readSysreg(ICC_IAR1_EL1);
  return gic.cpus[v].dataLo;
}

/** Group 1, enabled, priority 0xa0 for every SPI; every CPU interface open. */
function setupSpis(gic: GicV3): void {
  const d = gic.distributor;
  write(d, GICD_CTLR, 0x12);
  for (let w = 1; w <= gic.state.spiWords; w++) {
    write(d, GICD_IGROUPR + 4 * w, 0xffffffff);
    write(d, GICD_ISENABLER + 4 * w, 0xffffffff);
  }
  for (let i = 32; i < 32 + gic.spiCount; i += 4) write(d, GICD_IPRIORITYR + i, 0xa0a0a0a0);
  for (const cpu of gic.cpus) {
    cpu.writeSysreg(ICC_PMR_EL1, 0xf0, 0);
    cpu.writeSysreg(ICC_IGRPEN1_EL1, 1, 0);
  }
}

Deno.test("level SPI: pending follows the line; acknowledge + line drop leaves it idle", () => {
  const { gic, cpus } = makeGic(1);
  setupSpis(gic);
  gic.setLine(33, true);
  assert(cpus[0].irqLine);
  gic.setLine(33, false);
  assertEquals(cpus[0].irqLine, false, "level: deasserting removes the pending state");
  gic.setLine(33, true);
  assertEquals(iar1(gic, 0), 33);
  gic.setLine(33, false);
  gic.cpus[0].writeSysreg(ICC_EOIR1_EL1, 33, 0);
  assertEquals(cpus[0].irqLine, false);
  assertEquals(gic.state.isPending(gic.state.slotOf(33, 0)), false);
});

Deno.test("edge SPI: a rising edge latches; holding the line does not re-trigger", () => {
  const { gic, cpus } = makeGic(1);
  setupSpis(gic);
  write(gic.distributor, GICD_ICFGR + 8, 0x8); // INTID 33 edge
  gic.setLine(33, true);
  gic.setLine(33, false);
  assertEquals(cpus[0].irqLine, true, "latched after the line fell");
  assertEquals(iar1(gic, 0), 33);
  gic.cpus[0].writeSysreg(ICC_EOIR1_EL1, 33, 0);
  assertEquals(cpus[0].irqLine, false);
  gic.setLine(33, true);
  assertEquals(iar1(gic, 0), 33);
  gic.cpus[0].writeSysreg(ICC_EOIR1_EL1, 33, 0);
  gic.setLine(33, true); // no change of level: no new edge
  assertEquals(cpus[0].irqLine, false);
  gic.pulse(33);
  assertEquals(cpus[0].irqLine, true, "pulse always latches");
});

Deno.test("SPI routing by IROUTER affinity; unknown affinity goes nowhere", () => {
  const { gic, cpus } = makeGic(2);
  setupSpis(gic);
  gic.setLine(40, true);
  assertEquals(cpus.map((c) => c.irqLine), [true, false], "reset route Aff 0.0.0.0 = vCPU 0");
  write64(gic.distributor, GICD_IROUTER + 8 * 40, 1n);
  assertEquals(cpus.map((c) => c.irqLine), [false, true]);
  assertEquals(iar1(gic, 0), 1023);
  assertEquals(iar1(gic, 1), 40);
  gic.cpus[1].writeSysreg(ICC_EOIR1_EL1, 40, 0);
  write64(gic.distributor, GICD_IROUTER + 8 * 40, 0x1_0000_0000n); // Aff3 = 1: nobody
  assertEquals(cpus.map((c) => c.irqLine), [false, false]);
});

Deno.test("SPI with IRM = 1 is offered to every vCPU; the first acknowledge takes it", () => {
  const { gic, cpus } = makeGic(3);
  setupSpis(gic);
  write64(gic.distributor, GICD_IROUTER + 8 * 50, 0x8000_0000n);
  gic.pulse(50);
  assertEquals(cpus.map((c) => c.irqLine), [true, true, true]);
  assertEquals(iar1(gic, 2), 50);
  assertEquals(cpus.map((c) => c.irqLine), [false, false, false]);
  assertEquals(iar1(gic, 0), 1023);
});

Deno.test("wake is called when a vCPU gains a signalled interrupt, not while masked", () => {
  const { gic, cpus } = makeGic(2);
  setupSpis(gic);
  gic.cpus[1].writeSysreg(ICC_IGRPEN1_EL1, 0, 0);
  write64(gic.distributor, GICD_IROUTER + 8 * 34, 1n);
  const w1 = cpus[1].wakes;
  gic.setLine(34, true);
  assertEquals(cpus[1].wakes, w1, "group disabled at the CPU interface");
  assertEquals(gic.hasPending(1), false);
  gic.cpus[1].writeSysreg(ICC_IGRPEN1_EL1, 1, 0);
  assertEquals(cpus[1].wakes, w1 + 1);
  assertEquals(gic.hasPending(1), true);
  assertEquals(gic.hasPending(0), false);
});

Deno.test("distributor group enable gates delivery", () => {
  const { gic, cpus } = makeGic(1);
  setupSpis(gic);
  write(gic.distributor, GICD_CTLR, 0);
  gic.pulse(35);
  assertEquals(cpus[0].irqLine, false);
  write(gic.distributor, GICD_CTLR, 2);
  assertEquals(cpus[0].irqLine, true);
});

Deno.test("attachVcpu connects a vCPU that exposes its CPU (irq line, gic slot, MPIDR, wake)", () => {
  const gic = createGicV3({ vcpus: 2, spis: 32 }, VIRT_PLACEMENT);
  const woke: number[] = [];
  const cpu = Object.assign(new CpuState(), {
    gic: null as object | null,
    init: { mpidr: 0x100, wake: (i: number) => woke.push(i) },
  });
  gic.attachVcpu(1, { cpu } as unknown as ArchVcpu);
  assert(cpu.gic === gic.cpus[1], "CPU interface installed");
  assertEquals(gic.state.affLo[1], 0x100);
  setupSpis(gic);
  write64(gic.distributor, GICD_IROUTER + 8 * 32, 0x100n);
  gic.setLine(32, true);
  assertEquals(cpu.irqLine, true);
  assertEquals(woke, [1]);
  // A vCPU without a CPU to connect is accepted; hasPending still answers.
  gic.attachVcpu(0, {} as ArchVcpu);
});

Deno.test("bad INTIDs and vCPU indexes are refused with a clear error", () => {
  const { gic } = makeGic(2, 32);
  assertThrows(() => gic.setLine(64, true), RangeError, "INTID 64 is not implemented");
  assertThrows(() => gic.setLine(27, true), RangeError, "needs a vCPU index");
  assertThrows(() => gic.pulse(27, 5), RangeError, "vCPU index 5 out of range");
  assertThrows(() => createGicV3({ vcpus: 0, spis: 32 }, VIRT_PLACEMENT), RangeError, "vcpus");
  assertThrows(() => createGicV3({ vcpus: 1, spis: 989 }, VIRT_PLACEMENT), RangeError, "spis");
});

Deno.test("reset returns to the power-on state", () => {
  const { gic, cpus } = makeGic(1);
  setupSpis(gic);
  gic.pulse(33);
  assert(cpus[0].irqLine);
  gic.reset();
  assertEquals(cpus[0].irqLine, false);
  assertEquals(gic.groupEnables, 0);
  assertEquals(gic.cpus[0].pmr, 0);
});

Deno.test("resetCpuInterface clears ICC state but keeps the redistributor's interrupts", () => {
  const { gic, cpus } = makeGic(1);
  setupSpis(gic);
  gic.pulse(33);
  assertEquals(iar1(gic, 0), 33);
  gic.resetCpuInterface(0);
  assertEquals(gic.cpus[0].runningPriority(), 0xff);
  assertEquals(gic.cpus[0].igrpen1, 0);
  assertEquals(gic.state.isActive(gic.state.slotOf(33, 0)), true);
  assertEquals(cpus[0].irqLine, false);
});

Deno.test("a CPU whose irqLine was cleared behind the vGIC's back gets it again on the next update", () => {
  const { gic, cpus } = makeGic(1);
  setupSpis(gic);
  gic.pulse(33);
  cpus[0].irqLine = false; // e.g. the vCPU's state was re-initialised
  gic.pulse(34); // any event that re-evaluates vCPU 0
  assertEquals(cpus[0].irqLine, true);
});
