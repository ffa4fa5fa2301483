import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import {
  ThreadState,
  VCPU_OPTION_VCPU_RUN_SCHEDULED,
  VcpuRunState,
} from "../object/thread/thread_types.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";
import { TestSystem } from "./testing/setup.ts";
import { EventTrace } from "./trace.ts";

const HVC = 0x6000;

Deno.test("a higher-priority vCPU powered on by another preempts it at once", () => {
  const sys = new TestSystem({
    0x1000: [{ op: "work", n: 20_000 }],
    0x2000: [{ op: "work", n: 1_000 }, { op: "wfi" }],
  });
  const low = sys.createVcpu({ priority: 20, entry: 0x1000n });
  const high = sys.createVcpu({ priority: 40 });
  const switches: string[] = [];
  sys.hv.events.on("sched.switch", (e) => switches.push(`${e.time}:${e.thread}`));
  assert(sys.hv.runUntil(() => sys.hv.time >= 3_000));
  // Power on the high-priority vCPU from the native caller: it runs at the next round.
  sys.ok(Hypercall.VCPU_POWERON, high.cap, 0x2000n, 0n, 0n);
  assert(sys.hv.runUntil(() => high.thread.isBlocked(SchedulerBlock.VCPU_WFI)));
  assert(sys.hv.runUntil(() => low.thread.sched.runningOn === 0 && sys.hv.time > 20_000));
  const low1 = low.thread.describeName(), high1 = high.thread.describeName();
  // Rounds are 10 µs: the power-on lands at the 10 000 ns boundary.
  assertEquals(switches, [`0:${low1}`, `10000:${high1}`, `11001:${low1}`]);
  // The low vCPU's work is split around the preemption (1000 + 1 WFI instructions).
  assertEquals(sys.arch.log.filter((l) => l.includes("worked")), [
    "11000 vcpu1 worked 1000",
    "21001 vcpu0 worked 20000",
  ]);
});

Deno.test("round-robin within one priority at the configured timeslice", () => {
  const sys = new TestSystem({ 0x1000: [], 0x2000: [] });
  const a = sys.createVcpu({ timeslice: 100_000, entry: 0x1000n });
  const b = sys.createVcpu({ timeslice: 100_000, entry: 0x2000n });
  const switches: [number, string | null][] = [];
  sys.hv.events.on("sched.switch", (e) => switches.push([e.time, e.thread]));
  sys.hv.runUntil(() => sys.hv.time >= 500_000);
  const [na, nb] = [a.thread.describeName(), b.thread.describeName()];
  assertEquals(switches, [[0, na], [100_000, nb], [200_000, na], [300_000, nb], [400_000, na]]);
});

Deno.test("two physical CPUs run two vCPUs in parallel lockstep", () => {
  const sys = new TestSystem({ 0x1000: [{ op: "work", n: 50_000 }, { op: "wfi" }] }, 2);
  const a = sys.createVcpu({ affinity: 0, entry: 0x1000n });
  const b = sys.createVcpu({ affinity: 1, entry: 0x1000n });
  assert(
    sys.hv.runUntil(() =>
      a.thread.isBlocked(SchedulerBlock.VCPU_WFI) && b.thread.isBlocked(SchedulerBlock.VCPU_WFI)
    ),
  );
  assertEquals(sys.arch.log.filter((l) => l.includes("worked")), [
    "50000 vcpu0 worked 50000",
    "50000 vcpu1 worked 50000",
  ]);
  // Everyone idle, nothing pending: nothing more can happen.
  assertEquals(sys.hv.step(), false);
});

Deno.test("WFI parks the vCPU and virtual time jumps to its timer deadline", () => {
  const sys = new TestSystem({
    0x1000: [{ op: "timer", at: 5_000_000 }, { op: "wfi" }, { op: "timer_off" }, {
      op: "work",
      n: 10,
    }, { op: "wfi" }],
  });
  sys.createVcpu({ entry: 0x1000n });
  const jumps: string[] = [];
  sys.hv.events.on("time.jump", (e) => jumps.push(`${e.from}->${e.to}`));
  let rounds = 0;
  sys.hv.runUntil(() => (rounds++, sys.arch.log.some((l) => l.includes("worked 10"))));
  assertEquals(jumps, ["10000->5000000"]);
  assert(rounds < 10, `${rounds} rounds: time must jump, not spin`);
  assertEquals(sys.arch.log.filter((l) => l.includes("worked")), ["5000010 vcpu0 worked 10"]);
});

Deno.test("device timers fire at their deadline and wake the machine", () => {
  const sys = new TestSystem({});
  const host = sys.hv.createDeviceHost({}, {
    spiCount: 0,
    setLine() {},
    pulse() {},
    hasPending: () => false,
  });
  const fired: number[] = [];
  host.setTimer(2_000_000, () => fired.push(host.clock.now));
  const cancel = host.setTimer(3_000_000, () => fired.push(-1));
  cancel();
  sys.hv.runUntil(() => fired.length > 0);
  assertEquals(fired, [2_000_000]);
  assertEquals(sys.hv.step(), false);
});

Deno.test("hypercalls from a vCPU go through the dispatcher and results land in X0..", () => {
  const sys = new TestSystem({
    // vcpu_set_priority on an ACTIVE vCPU (its own cap, 2nd cap created) → ERROR_OBJECT_STATE (33);
    // hypervisor_identify (native 0x6000) → api info in X0.
    0x1000: [{ op: "hvc", imm: HVC + 0x00, x: [] }, { op: "wfi" }],
  });
  const { thread } = sys.createVcpu({ entry: 0x1000n });
  sys.hv.runUntil(() => thread.isBlocked(SchedulerBlock.VCPU_WFI));
  const v = sys.arch.vcpus[0];
  // API version 1, 64-bit, variant 0x51 (gunyah-abi.md §1.3).
  assertEquals(v.x[0] & 0xffffn, 0x8001n);
  assertEquals(v.x[0] >> 56n, 0x51n);
});

Deno.test("a vCPU powers on a sibling through HVC vcpu_poweron and powers itself off", () => {
  const sys = new TestSystem({
    0x3000: [{ op: "work", n: 10 }, { op: "wfi" }],
  }, 2);
  const b = sys.createVcpu({ affinity: 1 });
  const a = sys.createVcpu({ affinity: 0 });
  sys.arch.programs.set(0x1000n, [
    { op: "hvc", imm: HVC + Hypercall.VCPU_POWERON, x: [b.cap, 0x3000n, 0x77n, 0n] },
    { op: "hvc", imm: HVC + Hypercall.VCPU_POWEROFF, x: [a.cap, 0n] },
  ]);
  sys.ok(Hypercall.VCPU_POWERON, a.cap, 0x1000n, 0n, 0n);
  assert(sys.hv.runUntil(() => b.thread.isBlocked(SchedulerBlock.VCPU_WFI)));
  assert(a.thread.isBlocked(SchedulerBlock.VCPU_OFF));
  assertEquals(sys.arch.vcpus[0].x[0], 0x77n);
  // Powered on at the HVC's own time (1 ns), and it starts no earlier on CPU 1.
  assert(sys.arch.log.includes("1 vcpu0 reset pc=0x3000 x0=0x77"));
  assert(sys.arch.log.includes("11 vcpu0 worked 10"));
});

Deno.test("proxy scheduling: vcpu_run reports VMMIO read/write, wakeup, power off, fault", () => {
  const IPA = 0x1000_0000;
  const sys = new TestSystem({
    0x1000: [
      { op: "work", n: 100 },
      { op: "load", ipa: IPA + 8, size: 4, reg: 5 },
      { op: "store", ipa: IPA + 16, size: 8, value: 0x1122334455667788n },
      { op: "wfi" },
      { op: "fault", message: "scripted fault" },
    ],
  });
  const { cap, thread } = sys.createVcpu({
    priority: 0,
    timeslice: 100_000,
    options: VCPU_OPTION_VCPU_RUN_SCHEDULED,
    affinity: -1,
  });
  sys.hv.vmOf(thread).bus.addVmmioRange(IPA, 0x1000);
  // Powered off: vcpu_run says so.
  let r = sys.ok(Hypercall.VCPU_RUN, cap, 0n, 0n, 0n);
  assertEquals(r.slice(1), [BigInt(VcpuRunState.POWERED_OFF), 0n, 0n, 0n]);
  sys.ok(Hypercall.VCPU_POWERON, cap, 0x1000n, 0n, 0n);
  // A proxy vCPU never runs on its own.
  sys.hv.runUntil(() => sys.hv.time > 50_000);
  assertEquals(sys.arch.log.filter((l) => l.includes("worked")), []);
  r = sys.ok(Hypercall.VCPU_RUN, cap, 0n, 0n, 0n);
  assertEquals(r.slice(1), [BigInt(VcpuRunState.ADDRSPACE_VMMIO_READ), BigInt(IPA + 8), 4n, 0n]);
  // vcpu_run_check reports the same state without running.
  assertEquals(sys.ok(Hypercall.VCPU_RUN_CHECK, cap).slice(1), r.slice(1));
  r = sys.ok(Hypercall.VCPU_RUN, cap, 0xabcdn, 0n, 0n);
  assertEquals(sys.arch.vcpus[0].x[5], 0xabcdn);
  assertEquals(r.slice(1), [
    BigInt(VcpuRunState.ADDRSPACE_VMMIO_WRITE),
    BigInt(IPA + 16),
    8n,
    0x1122334455667788n,
  ]);
  r = sys.ok(Hypercall.VCPU_RUN, cap, 0n, 0n, 0n);
  assertEquals(r.slice(1), [BigInt(VcpuRunState.EXPECTS_WAKEUP), 0n, 1n, 0n]);
  // Wake it (as an interrupt would), then it faults.
  thread.unblock(SchedulerBlock.VCPU_WFI);
  r = sys.ok(Hypercall.VCPU_RUN, cap, 0n, 0n, 0n);
  assertEquals(r[1], BigInt(VcpuRunState.FAULT));
  // Kill: BLOCKED while it unwinds, then POWERED_OFF with the exited flag.
  sys.ok(Hypercall.VCPU_KILL, cap);
  r = sys.ok(Hypercall.VCPU_RUN, cap, 0n, 0n, 0n);
  assertEquals(r.slice(1), [BigInt(VcpuRunState.POWERED_OFF), 1n, 0n, 0n]);
  assertEquals(thread.threadState, ThreadState.EXITED);
});

Deno.test("vcpu_run of a busy vCPU runs out the caller's time and reports READY", () => {
  const sys = new TestSystem({ 0x1000: [] });
  const { cap } = sys.createVcpu({
    priority: 0,
    timeslice: 100_000,
    options: VCPU_OPTION_VCPU_RUN_SCHEDULED,
    entry: 0x1000n,
  });
  const t0 = sys.hv.time;
  const r = sys.ok(Hypercall.VCPU_RUN, cap, 0n, 0n, 0n);
  assertEquals(r.slice(1), [BigInt(VcpuRunState.READY), 0n, 0n, 0n]);
  // A native caller lends the vCPU one timeslice of virtual time.
  assertEquals(sys.hv.time - t0, 100_000);
});

Deno.test("determinism: the same scenario gives the same full event trace", () => {
  function scenario(): string[] {
    const sys = new TestSystem({
      0x1000: [{ op: "work", n: 30_000 }, { op: "timer", at: 400_000 }, { op: "wfi" }, {
        op: "timer_off",
      }, { op: "goto", to: 0 }],
      0x2000: [{ op: "work", n: 7_000 }, {
        op: "hvc",
        imm: HVC + Hypercall.SCHEDULER_YIELD,
        x: [0n],
      }, { op: "goto", to: 0 }],
    }, 2);
    const trace = new EventTrace(sys.hv.events);
    sys.createVcpu({ affinity: 0, entry: 0x1000n, timeslice: 200_000 });
    sys.createVcpu({ affinity: 0, entry: 0x2000n, timeslice: 200_000 });
    sys.createVcpu({ affinity: 1, entry: 0x2000n, priority: 40 });
    sys.hv.runUntil(() => sys.hv.time >= 2_000_000);
    trace.stop();
    return [...trace.lines, ...sys.arch.log];
  }
  const first = scenario();
  assert(first.length > 100, `trace too short: ${first.length}`);
  assertEquals(scenario(), first);
});

Deno.test("run() yields to the event loop and stops on request", async () => {
  const sys = new TestSystem({ 0x1000: [] });
  sys.createVcpu({ entry: 0x1000n });
  // The guest never stops on its own: only timers that fire while run() is
  // running can end it, so returning at all shows that it yields (and a load
  // spike on the host cannot fail the test, which counts ticks, not time).
  let ticks = 0;
  const timer = setInterval(() => {
    if (++ticks === 3) sys.hv.stop();
  }, 1);
  const reason = await sys.hv.run();
  clearInterval(timer);
  assertEquals(reason, "stopped");
  assertEquals(ticks, 3);
  assert(sys.hv.time > 0);
});

Deno.test("deleting a vCPU's last cap destroys it and removes it from the run loop", () => {
  const sys = new TestSystem({ 0x1000: [{ op: "work", n: 100 }, { op: "wfi" }] });
  const { cap, thread } = sys.createVcpu({ entry: 0x1000n });
  sys.hv.runUntil(() => thread.isBlocked(SchedulerBlock.VCPU_WFI));
  const destroyed: string[] = [];
  sys.hv.events.on("object.destroyed", (e) => destroyed.push(e.type));
  sys.ok(Hypercall.CSPACE_DELETE_CAP_FROM, sys.hv.rootCspaceCap, cap);
  assertEquals(destroyed, ["thread"]);
  assertEquals(sys.hv.threads.length, 0);
  assertEquals(thread.threadState, ThreadState.EXITED);
  assertEquals(sys.hv.step(), false);
});

Deno.test("vcpu_run from a guest vCPU: the proxy runs on the caller's CPU and the result lands in X0..X4", () => {
  const sys = new TestSystem({ 0x2000: [{ op: "work", n: 100 }, { op: "wfi" }] });
  const proxy = sys.createVcpu({
    priority: 0,
    timeslice: 100_000,
    options: VCPU_OPTION_VCPU_RUN_SCHEDULED,
    affinity: -1,
    entry: 0x2000n,
  });
  sys.arch.programs.set(0x1000n, [
    { op: "hvc", imm: HVC + Hypercall.VCPU_RUN, x: [proxy.cap, 0n, 0n, 0n] },
    { op: "wfi" },
  ]);
  const owner = sys.createVcpu({ entry: 0x1000n });
  sys.hv.runUntil(() => owner.thread.isBlocked(SchedulerBlock.VCPU_WFI));
  const x = sys.arch.vcpus[1].x;
  assertEquals(x.slice(0, 5), [0n, BigInt(VcpuRunState.EXPECTS_WAKEUP), 0n, 1n, 0n]);
  // The proxy's 100 instructions + WFI ran inside the owner's call, on CPU 0.
  assertEquals(sys.arch.log.filter((l) => l.includes("worked")), ["101 vcpu0 worked 100"]);
  assert(proxy.thread.isBlocked(SchedulerBlock.VCPU_RUN));
});

Deno.test("realtime pacing: an idle guest's timer fires no earlier than host time allows", async () => {
  const program = [{ op: "timer", at: 300_000_000 }, { op: "wfi" }, { op: "timer_off" }, {
    op: "work",
    n: 1,
  }, { op: "wfi" }] as const;
  for (const pacing of ["virtual", "realtime"] as const) {
    const sys = new TestSystem({ 0x1000: program }, 1, undefined, pacing);
    sys.createVcpu({ entry: 0x1000n });
    const t0 = performance.now();
    assertEquals(await sys.hv.run({ untilIdle: true }), "idle");
    const ms = performance.now() - t0;
    assert(sys.hv.time >= 300_000_000);
    if (pacing === "realtime") assert(ms >= 290, `realtime run took only ${ms} ms`);
    else assert(ms < 200, `virtual run took ${ms} ms`);
  }
});

Deno.test("a proxy vCPU's scheduler_yield ends its vcpu_run with READY", () => {
  const sys = new TestSystem({
    0x1000: [{ op: "work", n: 30 }, { op: "hvc", imm: HVC + Hypercall.SCHEDULER_YIELD, x: [0n] }, {
      op: "work",
      n: 30,
    }, { op: "wfi" }],
  });
  const { cap } = sys.createVcpu({
    priority: 0,
    timeslice: 100_000,
    options: VCPU_OPTION_VCPU_RUN_SCHEDULED,
    entry: 0x1000n,
  });
  const t0 = sys.hv.time;
  assertEquals(sys.ok(Hypercall.VCPU_RUN, cap, 0n, 0n, 0n)[1], BigInt(VcpuRunState.READY));
  assertEquals(sys.hv.time - t0, 31);
  assertEquals(sys.ok(Hypercall.VCPU_RUN, cap, 0n, 0n, 0n)[1], BigInt(VcpuRunState.EXPECTS_WAKEUP));
});
