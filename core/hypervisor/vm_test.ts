import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../abi/error.ts";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import {
  type Component,
  type HypercallPort,
  MmioResult,
  PLUGIN_API_VERSION,
} from "../plugin/contracts.ts";
import { VcpuRunState } from "../object/thread/thread_types.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";
import type { ComponentPort } from "./component.ts";
import { PsciAffinityState, PsciReturn } from "../abi/psci.ts";
import { TEST_VM_RAM_BASE, testMpidrOf as mpidrOf, TestSystem } from "./testing/setup.ts";

const ENTRY = BigInt(TEST_VM_RAM_BASE + 0x1000);

Deno.test("PSCI host: CPU_ON by MPIDR, ALREADY_ON, bad MPIDR/entry, AFFINITY_INFO, CPU_OFF", () => {
  const sys = new TestSystem({ [String(ENTRY)]: [{ op: "wfi" }] }, 2);
  const vm = sys.createVm(2);
  const [a, b] = vm.vcpus;
  sys.ok(Hypercall.VCPU_POWERON, a.cap, ENTRY, 0n, 0n);
  const psci = sys.hv.psci;
  const ctx = sys.hv.contextOf(a.thread);
  assertEquals(psci.affinityInfo(ctx, 1n, 0), PsciAffinityState.OFF);
  assertEquals(psci.cpuOn(ctx, 7n, ENTRY, 0n), PsciReturn.INVALID_PARAMETERS);
  assertEquals(psci.cpuOn(ctx, 1n, 0x1000n, 0n), PsciReturn.INVALID_ADDRESS);
  assertEquals(psci.cpuOn(ctx, 1n, ENTRY, 0x42n), PsciReturn.SUCCESS);
  assertEquals(psci.cpuOn(ctx, 1n, ENTRY, 0n), PsciReturn.ALREADY_ON);
  assertEquals(psci.affinityInfo(ctx, 1n, 0), PsciAffinityState.ON);
  assertEquals(psci.affinityInfo(ctx, 1n, 1), PsciReturn.INVALID_PARAMETERS);
  assertEquals(sys.arch.vcpus[1].x[0], 0x42n);
  assertEquals(psci.cpuOff(sys.hv.contextOf(b.thread)), PsciReturn.SUCCESS);
  assert(b.thread.isBlocked(SchedulerBlock.VCPU_OFF));
  // A native caller has no VM.
  assertEquals(psci.cpuOn(sys.ctx, 1n, ENTRY, 0n), PsciReturn.INVALID_PARAMETERS);
});

Deno.test("PSCI host: CPU_SUSPEND parks until the timer fires; SYSTEM_RESET stops the VM", () => {
  const sys = new TestSystem({
    [String(ENTRY)]: [{ op: "timer", at: 1_000_000 }, { op: "work", n: 5 }],
  });
  const vm = sys.createVm(2, 64, 0n);
  const [a, b] = vm.vcpus;
  sys.ok(Hypercall.VCPU_POWERON, a.cap, ENTRY, 0n, 0n);
  sys.ok(Hypercall.VCPU_POWERON, b.cap, ENTRY, 0n, 0n);
  sys.hv.runUntil(() => sys.arch.vcpus[0].timerAt === 1_000_000);
  sys.arch.vcpus[0].timerAt = 1_000_000;
  assertEquals(
    sys.hv.psci.cpuSuspend(sys.hv.contextOf(a.thread), 0x10000, 0n, 0n),
    PsciReturn.SUCCESS,
  );
  assert(a.thread.isBlocked(SchedulerBlock.VCPU_SUSPEND));
  sys.hv.runUntil(() => !a.thread.isBlocked(SchedulerBlock.VCPU_SUSPEND));
  assert(sys.hv.time >= 1_000_000);
  const exits: string[] = [];
  sys.hv.events.on("vm.exit", (e) => exits.push(e.reason));
  sys.hv.psci.systemReset(sys.hv.contextOf(b.thread));
  assert(
    a.thread.isBlocked(SchedulerBlock.VCPU_OFF) && b.thread.isBlocked(SchedulerBlock.VCPU_OFF),
  );
  assertEquals(exits, ["system_reset"]);
  assertEquals(sys.hv.step(), false);
});

Deno.test("a vic's vGIC frames appear on its VM's bus; DISABLE_DEFAULT_ADDR + attach_vdevice relocates them", () => {
  const sys = new TestSystem({});
  const vm = sys.createVm(2);
  const bus = sys.hv.vmOf(vm.vcpus[0].thread).bus;
  const gic = sys.arch.controllers[0];
  assertEquals(bus.regions.map((r) => r.base), [0x0800_0000, 0x080a_0000]);
  assertEquals(gic.attached.length, 2);
  assertEquals(bus.write(0x0800_0100, 4, 0x5a, 0, 0), MmioResult.Handled);
  assertEquals(bus.read(0x0800_0100, 4, 0), MmioResult.Handled);
  assertEquals(bus.dataLo, 0x5a);

  const sys2 = new TestSystem({});
  const vm2 = sys2.createVm(2, 64, 2n /* VIC_OPTION_DISABLE_DEFAULT_ADDR */);
  const bus2 = sys2.hv.vmOf(vm2.vcpus[0].thread).bus;
  assertEquals(bus2.regions.length, 0);
  // GICR frames of vCPU 1 (vdevice index 2) at 0x1000_0000.
  sys2.ok(
    Hypercall.ADDRSPACE_ATTACH_VDEVICE,
    vm2.addrspaceCap,
    vm2.vicCap,
    2n,
    0x1000_0000n,
    0x20000n,
    0n,
  );
  assertEquals(bus2.write(0x1000_0010, 4, 7, 0, 1), MmioResult.Handled);
  // It is the controller's redistributor region at vCPU 1's offset.
  const gicr = sys2.arch.controllers[0].regions[1];
  const out = { lo: 0, hi: 0 };
  gicr.read(0x20010, 4, 1, out);
  assertEquals(out.lo, 7);
});

class Vmm implements Component {
  readonly kind = "component";
  readonly apiVersion = PLUGIN_API_VERSION;
  readonly name = "vmm";
  port!: ComponentPort;
  runs: bigint[][] = [];
  wakeups = 0;
  vcpuCap = 0n;
  start(port: HypercallPort): void {
    this.port = port as ComponentPort;
  }
  onVirq(_virq?: number): void {
    this.wakeups++;
    this.runs.push(this.port.call(Hypercall.VCPU_RUN, this.vcpuCap, 0n, 0n, 0n));
  }
}

Deno.test("proxy scheduling end to end: wakeup VIRQ to a component, which calls vcpu_run", async () => {
  const VMMIO = 0x2000_0000;
  const sys = new TestSystem({
    [String(ENTRY)]: [{ op: "work", n: 50 }, { op: "load", ipa: VMMIO, size: 4, reg: 1 }, {
      op: "wfi",
    }],
  });
  const vm = sys.createVm(1);
  const v = vm.vcpus[0];
  sys.ok(Hypercall.ADDRSPACE_CONFIGURE_VMMIO, vm.addrspaceCap, BigInt(VMMIO), 0x1000n, 0n, 0n);
  const vmm = new Vmm();
  vmm.vcpuCap = v.cap;
  await sys.hv.addComponent(vmm);
  // Binding the VCPU_RUN_WAKEUP VIRQ (SPI 40 of the component's vic) makes the vCPU proxy scheduled.
  const bad = sys.call(Hypercall.VCPU_BIND_VIRQ, v.cap, vmm.port.env.vicCap, 20n, 1n);
  assertEquals(bad.err, HypError.ERROR_ARGUMENT_INVALID); // not an SPI
  sys.ok(Hypercall.VCPU_BIND_VIRQ, v.cap, vmm.port.env.vicCap, 40n, 1n);
  assertEquals(
    sys.call(Hypercall.VCPU_BIND_VIRQ, v.cap, vmm.port.env.vicCap, 41n, 1n).err,
    HypError.ERROR_VIRQ_BOUND,
  );
  assert(v.thread.vcpuRunEnabled);
  sys.ok(Hypercall.VCPU_POWERON, v.cap, ENTRY, 0n, 0n);
  sys.hv.runUntil(() => vmm.runs.length > 0);
  assertEquals(vmm.wakeups, 1);
  assertEquals(vmm.runs[0].slice(1), [
    BigInt(VcpuRunState.ADDRSPACE_VMMIO_READ),
    BigInt(VMMIO),
    4n,
    0n,
  ]);
  const r = vmm.port.call(Hypercall.VCPU_RUN, v.cap, 0x99n, 0n, 0n);
  assertEquals(r.slice(1), [BigInt(VcpuRunState.EXPECTS_WAKEUP), 0n, 1n, 0n]);
  assertEquals(sys.arch.vcpus[0].x[1], 0x99n);
  // An interrupt for the parked vCPU makes it runnable: the wakeup VIRQ fires again.
  sys.arch.controllers[0].pulse(33, 0);
  sys.hv.runUntil(() => vmm.wakeups === 2);
  assertEquals(vmm.runs[1][1], BigInt(VcpuRunState.READY));
});

Deno.test("a vCPU's hypercall buffers go through its stage 1 and its address space", () => {
  const sys = new TestSystem({});
  const vm = sys.createVm(1);
  const t = vm.vcpus[0].thread;
  const ctx = sys.hv.contextOf(t);
  assertEquals(
    ctx.writeUser(BigInt(TEST_VM_RAM_BASE + 0xffe), new Uint8Array([1, 2, 3, 4])),
    HypError.OK,
  );
  assertEquals(ctx.readUser(BigInt(TEST_VM_RAM_BASE + 0xffe), 4), new Uint8Array([1, 2, 3, 4]));
  assertEquals(ctx.readUser(0x1000n, 4), HypError.ERROR_ADDR_INVALID);
  // A copy that runs off the end of RAM writes nothing.
  const end = BigInt(TEST_VM_RAM_BASE + 0x10_0000 - 2);
  assertEquals(ctx.writeUser(end, new Uint8Array([9, 9, 9, 9])), HypError.ERROR_ADDR_INVALID);
  assertEquals(ctx.readUser(end, 2), new Uint8Array([0, 0]));
  assertEquals(ctx.cspace, sys.hv.rootCspace);
});

Deno.test("vcpu_run reports PSCI_SYSTEM_RESET when a proxy vCPU resets its VM (SMC conduit)", async () => {
  const PSCI_SYSTEM_RESET = 0x84000009n;
  const sys = new TestSystem({
    [String(ENTRY)]: [{ op: "work", n: 20 }, { op: "smc", imm: 0, x: [PSCI_SYSTEM_RESET] }],
  });
  // A stand-in for the arch's PSCI service (SMCCC owner STANDARD = 4): SYSTEM_RESET only.
  sys.hv.dispatcher.registerSmcccService(4, (ctx, fn) => {
    if (fn !== Number(PSCI_SYSTEM_RESET)) return false;
    sys.hv.psci.systemReset(ctx);
    return true;
  });
  const vm = sys.createVm(1);
  const v = vm.vcpus[0];
  // Binding the wakeup VIRQ makes the (already active) vCPU proxy scheduled.
  const vmm = new Vmm();
  await sys.hv.addComponent(vmm);
  sys.ok(Hypercall.VCPU_BIND_VIRQ, v.cap, vmm.port.env.vicCap, 40n, 1n);
  sys.ok(Hypercall.VCPU_POWERON, v.cap, ENTRY, 0n, 0n);
  const r = sys.ok(Hypercall.VCPU_RUN, v.cap, 0n, 0n, 0n);
  assertEquals(r.slice(1), [BigInt(VcpuRunState.PSCI_SYSTEM_RESET), 1n << 63n, 0n, 0n]);
  assertEquals(sys.ok(Hypercall.VCPU_RUN_CHECK, v.cap).slice(1), r.slice(1));
});

Deno.test("a VM reset while a vCPU waits on MMIO: power-on starts it afresh", () => {
  const VMMIO = 0x2000_0000;
  const sys = new TestSystem({
    [String(ENTRY)]: [{ op: "load", ipa: VMMIO, size: 4, reg: 1 }, { op: "work", n: 7 }, {
      op: "wfi",
    }],
  });
  const vm = sys.createVm(2);
  const [a, b] = vm.vcpus;
  sys.ok(Hypercall.ADDRSPACE_CONFIGURE_VMMIO, vm.addrspaceCap, BigInt(VMMIO), 0x1000n, 0n, 0n);
  const waits: string[] = [];
  sys.hv.events.on("vcpu.vmmio", (e) => waits.push(`${e.thread} 0x${e.ipa.toString(16)}`));
  sys.ok(Hypercall.VCPU_POWERON, a.cap, ENTRY, 0n, 0n);
  sys.hv.runUntil(() => a.thread.isBlocked(SchedulerBlock.ADDRSPACE_VMMIO_ACCESS));
  assertEquals(waits, [`${a.thread.describeName()} 0x20000000`]);
  sys.hv.psci.systemReset(sys.hv.contextOf(b.thread));
  // The owner restarts the VM: the vCPU no longer waits for the old access.
  assertEquals(sys.hv.step(), false);
  sys.ok(Hypercall.VCPU_POWERON, a.cap, ENTRY, 0n, 0n);
  assert(!a.thread.isBlocked(SchedulerBlock.ADDRSPACE_VMMIO_ACCESS));
  sys.hv.runUntil(() => a.thread.isBlocked(SchedulerBlock.ADDRSPACE_VMMIO_ACCESS));
  // A device completes the access asynchronously: the load gets its value and the vCPU goes on.
  sys.hv.completeVmmioAccess(a.thread, 0x1234n);
  sys.hv.runUntil(() => a.thread.isBlocked(SchedulerBlock.VCPU_WFI));
  assertEquals(sys.arch.vcpus[0].x[1], 0x1234n);
});

Deno.test("vcpu_bind_virq with a real vic: bad VIRQ type after the caps, HALT VIRQ on a fault", async () => {
  const sys = new TestSystem({ [String(ENTRY)]: [{ op: "fault", message: "boom" }] });
  const vm = sys.createVm(1);
  const v = vm.vcpus[0];
  const vmm = new Vmm();
  await sys.hv.addComponent(vmm);
  const vic = vmm.port.env.vicCap;
  assertEquals(
    sys.call(Hypercall.VCPU_BIND_VIRQ, v.cap, vic, 40n, 7n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  sys.ok(Hypercall.VCPU_BIND_VIRQ, v.cap, vic, 44n, 0n); // HALT
  // Another source already holds SPI 44 of that vic.
  assertEquals(
    sys.call(Hypercall.VCPU_BIND_VIRQ, vm.vcpus[0].cap, vic, 44n, 1n).err,
    HypError.ERROR_BUSY,
  );
  sys.ok(Hypercall.VCPU_POWERON, v.cap, ENTRY, 0n, 0n);
  const got: number[] = [];
  vmm.onVirq = (virq?: number) => void got.push(virq ?? -1);
  sys.hv.runUntil(() => v.thread.isBlocked(SchedulerBlock.VCPU_FAULT));
  assertEquals(v.thread.faultMessage, "boom");
  // The HALT VIRQ reaches the component at the next round.
  sys.hv.step();
  assertEquals(got, [44]);
  sys.ok(Hypercall.VCPU_UNBIND_VIRQ, v.cap, 0n);
});

Deno.test("MPIDRs follow QEMU virt (16 per cluster) unless the platform gives its own layout", () => {
  assertEquals([0, 15, 16, 17].map(mpidrOf), [0, 15, 0x100, 0x101]);
  const sys = new TestSystem({ [String(ENTRY)]: [{ op: "wfi" }] });
  const vm = sys.createVm(2);
  sys.ok(Hypercall.VCPU_POWERON, vm.vcpus[0].cap, ENTRY, 0n, 0n);
  const ctx = sys.hv.contextOf(vm.vcpus[0].thread);
  assertEquals(sys.hv.psci.cpuOn(ctx, 1n, ENTRY, 0n), PsciReturn.SUCCESS);
});
