import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import type { Addrspace } from "../object/addrspace/addrspace.ts";
import { WatchKind } from "../plugin/contracts.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";
import type { HostDebugStop } from "./host_debug.ts";
import type { FakeStep, FakeVcpu } from "./testing/fake_arch.ts";
import { TestSystem } from "./testing/setup.ts";

const ENTRY = 0x1000n;
const HVC = 0x6000;

/** Two vCPUs of one VM on two CPUs, both running `program`; a debugger attached. */
function debugged(program: readonly FakeStep[]) {
  const sys = new TestSystem({ [String(ENTRY)]: program }, 2);
  const vm = sys.createVm(2);
  for (const v of vm.vcpus) sys.ok(Hypercall.VCPU_POWERON, v.cap, ENTRY, 0n, 0n);
  const stops: HostDebugStop[] = [];
  const session = sys.hv.debug.attach(sys.hv.vmOf(vm.vcpus[0].thread), (s) => stops.push(s));
  const fake = (i: number) => sys.arch.vcpus[i] as FakeVcpu;
  return { sys, vm, session, stops, fake };
}

Deno.test("host debug: a breakpoint stops every vCPU of the VM and time stands still", () => {
  const { sys, vm, session, stops, fake } = debugged([
    { op: "work", n: 5_000 },
    { op: "work", n: 5_000 },
    { op: "work", n: 1_000_000 },
  ]);
  session.setBreakpoints([ENTRY + 8n]); // before step 2
  assert(sys.hv.runUntil(() => session.stopped, 1e6));
  assertEquals(stops[0].kind, "breakpoint");
  for (const v of vm.vcpus) assert(v.thread.isBlocked(SchedulerBlock.HOST_DEBUG));
  assert(sys.hv.debugHeld);
  const t = sys.hv.time;
  // Held: no round runs, so neither vCPU nor time moves.
  assertEquals(sys.hv.step(), false);
  assertEquals(sys.hv.runUntil(() => false, 1e6), false);
  assertEquals(sys.hv.time, t);
  const steps = [fake(0).step, fake(1).step];
  // Continue with the breakpoint removed: both run on.
  session.setBreakpoints([]);
  assert(session.resume(() => "continue"));
  assertEquals(sys.hv.debugHeld, false);
  sys.hv.runUntil(() => sys.hv.time > t + 50_000);
  assert(fake(0).retired > 0);
  assertEquals(steps, [2, 2]);
  assert(!vm.vcpus[0].thread.isBlocked(SchedulerBlock.HOST_DEBUG));
});

Deno.test("host debug: single step retires one instruction of one vCPU while the other stays held", () => {
  const { sys, session, stops, fake } = debugged([{ op: "work", n: 1_000_000 }]);
  session.stop();
  assertEquals(stops, [{ kind: "interrupt", vcpu: 0 }]);
  const before = [fake(0).workLeft, fake(1).workLeft];
  assert(session.resume((i) => i === 1 ? "step" : "stop"));
  assert(sys.hv.runUntil(() => session.stopped, 1e6));
  assertEquals(stops[1], { kind: "step", vcpu: 1 });
  assertEquals(fake(1).workLeft, before[1] === -1 ? 1_000_000 - 1 : before[1] - 1);
  assertEquals(fake(0).workLeft, before[0]);
  assertEquals(fake(1).debug.singleStep, false);
});

Deno.test("host debug: a step over an HVC ends when the call returns", () => {
  const { sys, session, stops, fake } = debugged([
    { op: "hvc", imm: HVC, x: [] },
    { op: "work", n: 1_000_000 },
  ]);
  session.stop();
  assert(session.resume((i) => i === 0 ? "step" : "stop"));
  assert(sys.hv.runUntil(() => session.stopped, 1e6));
  assertEquals(stops[1], { kind: "step", vcpu: 0 });
  assertEquals(fake(0).step, 1);
  assertEquals(fake(0).workLeft, -1);
});

Deno.test("host debug: a watchpoint stops before the access and says which", () => {
  const { sys, session, stops, fake } = debugged([
    { op: "work", n: 100 },
    { op: "store", ipa: 0x0900_0000, size: 4, value: 1n },
    { op: "work", n: 1_000_000 },
  ]);
  session.setWatchpoints([{ va: 0x0900_0000n, length: 4, kind: WatchKind.Write }]);
  assert(sys.hv.runUntil(() => session.stopped, 1e6));
  assertEquals(stops[0], {
    kind: "watchpoint",
    vcpu: stops[0].vcpu,
    watch: WatchKind.Write,
    address: 0x0900_0000n,
  });
  assertEquals(fake(stops[0].vcpu).step, 1); // the store has not happened
  // Breakpoints and watchpoints reach every vCPU, once per change.
  assertEquals([fake(0).debug.watchpoints.length, fake(1).debug.watchpoints.length], [1, 1]);
  assertEquals(fake(0).debug.sets, 2);
});

Deno.test("host debug: detach clears the debug state and resumes every vCPU", () => {
  const { sys, vm, session, fake } = debugged([{ op: "work", n: 1_000_000 }]);
  session.setBreakpoints([ENTRY + 4n]);
  session.stop();
  session.detach();
  assertEquals(sys.hv.debugHeld, false);
  assertEquals(fake(0).debug.breakpoints.size, 0);
  for (const v of vm.vcpus) assert(!v.thread.isBlocked(SchedulerBlock.HOST_DEBUG));
  const t = sys.hv.time;
  sys.hv.runUntil(() => sys.hv.time > t + 20_000);
  assert(sys.hv.time > t);
  // A new debugger may attach once the old one left; two at once may not.
  const again = sys.hv.debug.attach(sys.hv.vmOf(vm.vcpus[0].thread), () => {});
  assertThrows(() => sys.hv.debug.attach(sys.hv.vmOf(vm.vcpus[0].thread), () => {}));
  again.detach();
});

Deno.test("host debug: run({untilIdle}) waits while the machine is held", async () => {
  const { sys, session } = debugged([{ op: "work", n: 1_000 }, { op: "wfi" }]);
  session.stop();
  let returned = false;
  const running = sys.hv.run({ untilIdle: true }).then((r) => {
    returned = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(returned, false);
  session.detach();
  assertEquals(await running, "idle");
});

Deno.test("host debug: memory through a vCPU's view, RAM only; a write drops decoded code", () => {
  const { sys, vm, session } = debugged([{ op: "work", n: 1_000_000 }]);
  const space = vm.vcpus[0].thread.addrspace as Addrspace;
  const base = 0x4000_0ffen; // spans a page boundary of the test RAM
  const g = space.generation;
  assert(session.writeMemory(0, base, Uint8Array.of(1, 2, 3, 4)));
  assert(space.generation > g);
  assertEquals([...session.readMemory(1, base, 4)], [1, 2, 3, 4]);
  // Past the end of RAM: what is there, then nothing; MMIO is never read.
  const end = 0x4010_0000n;
  assertEquals(session.readMemory(0, end - 2n, 8).length, 2);
  assertEquals(session.readMemory(0, 0x0900_0000n, 4).length, 0);
  // A write that is not all RAM writes nothing.
  assertEquals(session.writeMemory(0, end - 2n, Uint8Array.of(9, 9, 9, 9)), false);
  assertEquals([...session.readMemory(0, end - 2n, 2)], [0, 0]);
  void sys;
});

Deno.test("host debug: a wide access starting below a watchpoint is reported at the watchpoint", () => {
  const { sys, session, stops } = debugged([
    { op: "store", ipa: 0x0900_0000, size: 8, value: 1n },
    { op: "work", n: 1_000_000 },
  ]);
  session.setWatchpoints([{ va: 0x0900_0004n, length: 2, kind: WatchKind.Access }]);
  assert(sys.hv.runUntil(() => session.stopped, 1e6));
  assertEquals(stops[0], {
    kind: "watchpoint",
    vcpu: stops[0].vcpu,
    watch: WatchKind.Access,
    address: 0x0900_0004n,
  });
});
