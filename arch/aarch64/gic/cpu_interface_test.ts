import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import type { GicSysregInterface } from "../sys/system_cpu.ts";
import type { GicV3 } from "./gicv3.ts";
import { makeGic, write } from "./test_support.ts";
import {
  GICD_CTLR,
  GICR_IGROUPR0,
  GICR_IPRIORITYR0,
  GICR_ISENABLER0,
  GICR_SGI_BASE,
  GICR_STRIDE,
} from "./registers.ts";
import {
  ICC_AP1R0_EL1,
  ICC_ASGI1R_EL1,
  ICC_BPR0_EL1,
  ICC_BPR1_EL1,
  ICC_CTLR_EL1,
  ICC_DIR_EL1,
  ICC_EOIR0_EL1,
  ICC_EOIR1_EL1,
  ICC_HPPIR1_EL1,
  ICC_IAR0_EL1,
  ICC_IAR1_EL1,
  ICC_IGRPEN0_EL1,
  ICC_IGRPEN1_EL1,
  ICC_PMR_EL1,
  ICC_RPR_EL1,
  ICC_SGI0R_EL1,
  ICC_SGI1R_EL1,
  ICC_SRE_EL1,
  isIccRegisterKey,
  sysregKey,
} from "./icc_sysregs.ts";

/** MRS through the CPU interface of vCPU `v`. */
function mrs(gic: GicV3, v: number, key: number): number {
  const cpu = gic.cpus[v];
  assert(cpu.readSysreg(key), `register 0x${key.toString(16)} should be readable`);
  return cpu.dataLo;
}

/** MSR through the CPU interface of vCPU `v`. */
function msr(gic: GicV3, v: number, key: number, lo: number, hi = 0): void {
  assert(gic.cpus[v].writeSysreg(key, lo >>> 0, hi >>> 0), `0x${key.toString(16)} writable`);
}

/** Linux-like bring-up: Group 1 everywhere, distributor and CPU interfaces enabled. */
function bringUp(gic: GicV3): void {
  write(gic.distributor, GICD_CTLR, 0x13);
  for (let v = 0; v < gic.state.vcpus; v++) {
    write(gic.redistributors, v * GICR_STRIDE + GICR_SGI_BASE + GICR_IGROUPR0, 0xffffffff);
    msr(gic, v, ICC_PMR_EL1, 0xf0);
    msr(gic, v, ICC_IGRPEN1_EL1, 1);
  }
}

/** Enable PPI/SGI `intid` of vCPU `v` at `priority`. */
function enablePrivate(gic: GicV3, v: number, intid: number, priority: number): void {
  const sgi = v * GICR_STRIDE + GICR_SGI_BASE;
  write(gic.redistributors, sgi + GICR_IPRIORITYR0 + intid, priority, 1);
  write(gic.redistributors, sgi + GICR_ISENABLER0, 1 << intid);
}

Deno.test("ICC_SRE_EL1 reads SRE|DFB|DIB and ignores writes; ICC_CTLR_EL1 identification fields", () => {
  const { gic } = makeGic(1);
  assertEquals(mrs(gic, 0, ICC_SRE_EL1), 7);
  msr(gic, 0, ICC_SRE_EL1, 0);
  assertEquals(mrs(gic, 0, ICC_SRE_EL1), 7);
  const ctlr = mrs(gic, 0, ICC_CTLR_EL1);
  assertEquals((ctlr >>> 8) & 7, 4, "PRIbits = 5 - 1");
  assertEquals((ctlr >>> 11) & 7, 0, "IDbits: 16-bit INTIDs");
  assertEquals((ctlr >>> 14) & 1, 0, "SEIS");
  assertEquals((ctlr >>> 15) & 1, 1, "A3V");
  msr(gic, 0, ICC_CTLR_EL1, 0xffffffff);
  assertEquals(mrs(gic, 0, ICC_CTLR_EL1), 0x8443, "CBPR, EOImode, PMHE writable");
});

Deno.test("unknown and wrong-direction ICC accesses are refused (UNDEFINED)", () => {
  const { gic } = makeGic(1);
  const cpu = gic.cpus[0];
  assertEquals(cpu.readSysreg(ICC_EOIR1_EL1), false);
  assertEquals(cpu.readSysreg(ICC_SGI1R_EL1), false);
  assertEquals(cpu.writeSysreg(ICC_IAR1_EL1, 0, 0), false);
  assertEquals(cpu.writeSysreg(ICC_RPR_EL1, 0, 0), false);
  assertEquals(cpu.readSysreg(sysregKey(3, 0, 12, 9, 5)), false, "ICC_NMIAR1_EL1: no FEAT_NMI");
  assertEquals(isIccRegisterKey(ICC_PMR_EL1), true);
  assertEquals(isIccRegisterKey(ICC_IAR1_EL1), true);
  assertEquals(isIccRegisterKey(sysregKey(3, 0, 12, 0, 0)), false, "VBAR_EL1");
  assertEquals(isIccRegisterKey(sysregKey(3, 0, 12, 1, 0)), false, "ISR_EL1");
});

Deno.test("PMR and BPR keep implemented bits; BPR minimums; CBPR makes BPR1 read BPR0+1", () => {
  const { gic } = makeGic(1);
  msr(gic, 0, ICC_PMR_EL1, 0xff);
  assertEquals(mrs(gic, 0, ICC_PMR_EL1), 0xf8);
  assertEquals(mrs(gic, 0, ICC_BPR0_EL1), 2);
  assertEquals(mrs(gic, 0, ICC_BPR1_EL1), 3);
  msr(gic, 0, ICC_BPR1_EL1, 0);
  assertEquals(mrs(gic, 0, ICC_BPR1_EL1), 3, "clamped to the minimum");
  msr(gic, 0, ICC_BPR0_EL1, 4);
  msr(gic, 0, ICC_CTLR_EL1, 1);
  assertEquals(mrs(gic, 0, ICC_BPR1_EL1), 5);
});

Deno.test("PMR masks: an interrupt is signalled only if its priority is below PMR", () => {
  const { gic, cpus } = makeGic(1);
  bringUp(gic);
  msr(gic, 0, ICC_PMR_EL1, 0x80);
  enablePrivate(gic, 0, 27, 0x80);
  gic.setLine(27, true, 0);
  assertEquals(cpus[0].irqLine, false, "0x80 is not below PMR 0x80");
  assertEquals(gic.hasPending(0), false);
  assertEquals(mrs(gic, 0, ICC_IAR1_EL1), 1023, "masked: spurious");
  assertEquals(mrs(gic, 0, ICC_HPPIR1_EL1), 27, "HPPIR ignores PMR");
  msr(gic, 0, ICC_PMR_EL1, 0x88);
  assertEquals(cpus[0].irqLine, true);
  assertEquals(gic.hasPending(0), true);
});

Deno.test("acknowledge / EOI (EOImode 0): level interrupt returns while its line stays high", () => {
  const { gic, cpus } = makeGic(1);
  bringUp(gic);
  enablePrivate(gic, 0, 27, 0xa0);
  gic.setLine(27, true, 0);
  assert(cpus[0].irqLine);
  assertEquals(mrs(gic, 0, ICC_IAR1_EL1), 27);
  assertEquals(cpus[0].irqLine, false, "active: running priority blocks it");
  assertEquals(mrs(gic, 0, ICC_RPR_EL1), 0xa0);
  assertEquals(mrs(gic, 0, ICC_AP1R0_EL1), 1 << (0xa0 >>> 3));
  assertEquals(gic.state.isActive(27) && gic.state.isPending(27), true, "active and pending");
  msr(gic, 0, ICC_EOIR1_EL1, 27);
  assertEquals(mrs(gic, 0, ICC_RPR_EL1), 0xff);
  assertEquals(gic.state.isActive(27), false);
  assertEquals(cpus[0].irqLine, true, "line still high: pending again");
  gic.setLine(27, false, 0);
  assertEquals(cpus[0].irqLine, false);
  assertEquals(mrs(gic, 0, ICC_IAR1_EL1), 1023);
});

Deno.test("EOImode 1: EOIR drops priority only, DIR deactivates", () => {
  const { gic, cpus } = makeGic(1);
  bringUp(gic);
  msr(gic, 0, ICC_CTLR_EL1, 2);
  enablePrivate(gic, 0, 30, 0x80);
  gic.pulse(30, 0);
  assertEquals(mrs(gic, 0, ICC_IAR1_EL1), 30);
  msr(gic, 0, ICC_EOIR1_EL1, 30);
  assertEquals(mrs(gic, 0, ICC_RPR_EL1), 0xff, "priority dropped");
  assertEquals(gic.state.isActive(30), true, "still active");
  gic.pulse(30, 0);
  assertEquals(cpus[0].irqLine, false, "an active interrupt is not signalled again");
  msr(gic, 0, ICC_DIR_EL1, 30);
  assertEquals(gic.state.isActive(30), false);
  assertEquals(cpus[0].irqLine, true, "the new edge is delivered after deactivation");
  msr(gic, 0, ICC_CTLR_EL1, 0);
  assertEquals(mrs(gic, 0, ICC_IAR1_EL1), 30);
  msr(gic, 0, ICC_DIR_EL1, 30);
  assertEquals(gic.state.isActive(30), true, "DIR is ignored with EOImode 0");
});

Deno.test("preemption: a higher group priority preempts, the same group priority does not", () => {
  const { gic, cpus } = makeGic(1);
  bringUp(gic);
  enablePrivate(gic, 0, 20, 0x80);
  enablePrivate(gic, 0, 21, 0x90);
  enablePrivate(gic, 0, 22, 0x40);
  gic.pulse(20, 0);
  assertEquals(mrs(gic, 0, ICC_IAR1_EL1), 20);
  gic.pulse(21, 0);
  assertEquals(cpus[0].irqLine, false, "0x90 cannot preempt 0x80");
  gic.pulse(22, 0);
  assertEquals(cpus[0].irqLine, true, "0x40 preempts 0x80");
  assertEquals(mrs(gic, 0, ICC_IAR1_EL1), 22);
  assertEquals(mrs(gic, 0, ICC_RPR_EL1), 0x40);
  msr(gic, 0, ICC_EOIR1_EL1, 22);
  assertEquals(mrs(gic, 0, ICC_RPR_EL1), 0x80, "back to the preempted priority");
  assertEquals(cpus[0].irqLine, false);
  msr(gic, 0, ICC_EOIR1_EL1, 20);
  assertEquals(cpus[0].irqLine, true);
  assertEquals(mrs(gic, 0, ICC_IAR1_EL1), 21);
  msr(gic, 0, ICC_EOIR1_EL1, 21);
  // With BPR1 = 7 the group priority is bit 7 only: 0x40 and 0x00 share it.
  msr(gic, 0, ICC_BPR1_EL1, 7);
  enablePrivate(gic, 0, 23, 0x00);
  gic.pulse(22, 0);
  assertEquals(mrs(gic, 0, ICC_IAR1_EL1), 22);
  gic.pulse(23, 0);
  assertEquals(cpus[0].irqLine, false, "same group priority under BPR1 = 7");
});

Deno.test("highest priority wins, lowest INTID on a tie", () => {
  const { gic } = makeGic(1);
  bringUp(gic);
  enablePrivate(gic, 0, 25, 0x60);
  enablePrivate(gic, 0, 24, 0x60);
  enablePrivate(gic, 0, 19, 0x70);
  gic.pulse(19, 0);
  gic.pulse(25, 0);
  gic.pulse(24, 0);
  assertEquals(mrs(gic, 0, ICC_HPPIR1_EL1), 24);
});

Deno.test("Group 0 interrupts signal FIQ and are taken through IAR0/EOIR0", () => {
  const { gic, cpus } = makeGic(1);
  bringUp(gic);
  write(gic.redistributors, GICR_SGI_BASE + GICR_IGROUPR0, ~(1 << 26));
  enablePrivate(gic, 0, 26, 0x50);
  gic.pulse(26, 0);
  assertEquals(cpus[0].fiqLine, false, "IGRPEN0 off");
  msr(gic, 0, ICC_IGRPEN0_EL1, 1);
  assertEquals(cpus[0].fiqLine, true);
  assertEquals(cpus[0].irqLine, false);
  assertEquals(mrs(gic, 0, ICC_IAR1_EL1), 1023, "IAR1 does not take Group 0");
  assertEquals(mrs(gic, 0, ICC_IAR0_EL1), 26);
  msr(gic, 0, ICC_EOIR1_EL1, 26);
  assertEquals(gic.state.isActive(26), true, "EOIR1 does not end a Group 0 interrupt");
  msr(gic, 0, ICC_EOIR0_EL1, 26);
  assertEquals(gic.state.isActive(26), false);
});

Deno.test("SGIs: target list by affinity, RS, IRM broadcast to all but self, group must match", () => {
  const { gic, cpus } = makeGic(4);
  bringUp(gic);
  for (let v = 0; v < 4; v++) enablePrivate(gic, v, 3, 0xa0);
  // TargetList bits 1 and 3 (Aff0 = 1, 3), Aff1 = 0, INTID 3.
  msr(gic, 0, ICC_SGI1R_EL1, (3 << 24) | 0b1010);
  assertEquals(cpus.map((c) => c.irqLine), [false, true, false, true]);
  assertEquals(mrs(gic, 1, ICC_IAR1_EL1), 3);
  msr(gic, 1, ICC_EOIR1_EL1, 3);
  assertEquals(mrs(gic, 3, ICC_IAR1_EL1), 3);
  msr(gic, 3, ICC_EOIR1_EL1, 3);
  // Aff1 = 1 names nobody here.
  msr(gic, 0, ICC_SGI1R_EL1, (3 << 24) | (1 << 16) | 0xffff);
  assertEquals(cpus.map((c) => c.irqLine), [false, false, false, false]);
  // RS = 1 covers Aff0 16..31: nobody.
  msr(gic, 0, ICC_SGI1R_EL1, (3 << 24) | 0xffff, 1 << 12);
  assertEquals(cpus.map((c) => c.irqLine), [false, false, false, false]);
  // IRM: everyone but the sender (vCPU 2).
  msr(gic, 2, ICC_SGI1R_EL1, 3 << 24, 1 << 8);
  assertEquals(cpus.map((c) => c.irqLine), [true, true, false, true]);
  // SGI0R generates Group 0 only: these SGIs are Group 1, so nothing.
  msr(gic, 0, ICC_SGI0R_EL1, (4 << 24) | 0xf);
  assertEquals(gic.state.isPending(2 * 32 + 4), false);
});

Deno.test("SGI to self wakes the vCPU once", () => {
  const { gic, cpus } = makeGic(2);
  bringUp(gic);
  enablePrivate(gic, 1, 0, 0x80);
  const before = cpus[1].wakes;
  msr(gic, 1, ICC_SGI1R_EL1, 0b10); // Aff0 = 1 is vCPU 1 itself
  assertEquals(cpus[1].wakes, before + 1);
  msr(gic, 1, ICC_SGI1R_EL1, 0b10);
  assertEquals(cpus[1].wakes, before + 1, "already signalled: no second wake");
  assertEquals(mrs(gic, 1, ICC_IAR1_EL1), 0);
});

Deno.test("the CPU interface fits the system-register layer's GicSysregInterface", () => {
  const { gic, cpus } = makeGic(1);
  const iface: GicSysregInterface = gic.cpus[0];
  assert(cpus[0].gic === iface, "connectCpu installs it in cpu.gic");
  assertEquals(iface.readSysreg(ICC_SRE_EL1), true);
  assertEquals(iface.dataLo, 7);
  assertEquals(iface.dataHi, 0);
});

Deno.test("SGI0R reaches Group 0 SGIs; ASGI1R (other Security state) does too with DS = 1, as QEMU", () => {
  const { gic, cpus } = makeGic(2);
  bringUp(gic);
  msr(gic, 1, ICC_IGRPEN0_EL1, 1);
  write(gic.redistributors, GICR_STRIDE + GICR_SGI_BASE + GICR_IGROUPR0, ~0b110000); // SGIs 4, 5: G0
  enablePrivate(gic, 1, 4, 0x80);
  enablePrivate(gic, 1, 5, 0x80);
  msr(gic, 0, ICC_SGI1R_EL1, (4 << 24) | 0b10);
  assertEquals(cpus[1].fiqLine, false, "SGI1R does not make a Group 0 SGI pending");
  msr(gic, 0, ICC_SGI0R_EL1, (4 << 24) | 0b10);
  assertEquals(cpus[1].fiqLine, true);
  assertEquals(mrs(gic, 1, ICC_IAR0_EL1), 4);
  msr(gic, 1, ICC_EOIR0_EL1, 4);
  msr(gic, 0, ICC_ASGI1R_EL1, (5 << 24) | 0b10);
  assertEquals(mrs(gic, 1, ICC_IAR0_EL1), 5);
});
