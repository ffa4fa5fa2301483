import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import {
  CPU_NONE,
  FprrScheduler,
  SchedResult,
  type SchedThread,
  SCHEDULER_DEFAULT_PRIORITY,
  SCHEDULER_DEFAULT_TIMESLICE,
} from "./fprr.ts";
import { SchedulerBlock } from "./scheduler_block.ts";

function start<T>(s: FprrScheduler<T>, t: SchedThread<T>): void {
  s.unblock(t, SchedulerBlock.THREAD_LIFECYCLE);
}

Deno.test("new threads are blocked by lifecycle with Gunyah's defaults", () => {
  const s = new FprrScheduler<string>(2);
  const t = s.createThread("a");
  assertEquals(t.priority, SCHEDULER_DEFAULT_PRIORITY);
  assertEquals(t.baseTimeslice, SCHEDULER_DEFAULT_TIMESLICE);
  assertEquals(t.affinity, CPU_NONE);
  assert(!s.isRunnable(t));
  assertThrows(() => new FprrScheduler(0), RangeError, "cpuCount");
});

Deno.test("higher priority preempts; equal priority does not before the slice ends", () => {
  const s = new FprrScheduler<string>(1);
  const low = s.createThread("low", { affinity: 0, priority: 10 });
  const mid = s.createThread("mid", { affinity: 0, priority: 10 });
  const high = s.createThread("high", { affinity: 0, priority: 40 });
  start(s, low);
  assertEquals(s.schedule(0, 0)?.owner, "low");
  start(s, mid);
  // Gunyah flags a reschedule for >= priority, but an equal one does not switch.
  assert(s.cpus[0].needResched);
  assertEquals(s.schedule(0, 1000)?.owner, "low");
  start(s, high);
  assert(s.cpus[0].needResched);
  assertEquals(s.schedule(0, 2000)?.owner, "high");
  // The preempted thread kept the rest of its slice and went to the head of its queue.
  assertEquals(s.queuedOn(0).map((t) => t.owner), ["low", "mid"]);
  assertEquals(low.activeTimeslice, SCHEDULER_DEFAULT_TIMESLICE - 2000);
  s.block(high, SchedulerBlock.VCPU_WFI);
  assertEquals(s.schedule(0, 3000)?.owner, "low");
});

Deno.test("round-robin within a priority at the configured timeslice", () => {
  const s = new FprrScheduler<string>(1);
  const slice = 200_000;
  const names = ["a", "b", "c"];
  for (const n of names) start(s, s.createThread(n, { affinity: 0, timeslice: slice }));
  const order: string[] = [];
  let now = 0;
  let cur = s.schedule(0, now);
  for (let i = 0; i < 7; i++) {
    order.push(cur!.owner);
    const deadline = s.sliceDeadline(0);
    assertEquals(deadline, now + slice);
    now = deadline;
    cur = s.schedule(0, now);
  }
  assertEquals(order, ["a", "b", "c", "a", "b", "c", "a"]);
});

Deno.test("a lone thread has no slice deadline; yield gives way within its priority", () => {
  const s = new FprrScheduler<string>(1);
  const a = s.createThread("a", { affinity: 0 });
  start(s, a);
  assertEquals(s.schedule(0, 0), a);
  assertEquals(s.sliceDeadline(0), Infinity);
  const b = s.createThread("b", { affinity: 0 });
  start(s, b);
  assertEquals(s.sliceDeadline(0), SCHEDULER_DEFAULT_TIMESLICE);
  s.yield(0);
  assertEquals(s.schedule(0, 10)?.owner, "b");
  assertEquals(s.queuedOn(0).map((t) => t.owner), ["a"]);
});

Deno.test("affinity: threads run only on their CPU; no affinity means never queued", () => {
  const s = new FprrScheduler<string>(2);
  const a = s.createThread("a", { affinity: 1 });
  const free = s.createThread("free");
  start(s, a);
  start(s, free);
  assertEquals(s.schedule(0, 0), null);
  assertEquals(s.schedule(1, 0), a);
  assert(!free.queued);
  assertEquals(s.setAffinity(a, 0), SchedResult.OK);
  assert(s.cpus[1].needResched);
  assertEquals(s.schedule(1, 5), null);
  assertEquals(s.schedule(0, 5), a);
  assertEquals(s.setAffinity(a, 7), SchedResult.ArgumentInvalid);
  s.pin(a);
  assertEquals(s.setAffinity(a, 1), SchedResult.Denied);
});

Deno.test("priority and timeslice bounds", () => {
  const s = new FprrScheduler<string>(1);
  const t = s.createThread("t");
  assertEquals(s.setPriority(t, 64), SchedResult.ArgumentInvalid);
  assertEquals(s.setPriority(t, 63), SchedResult.OK);
  assertEquals(s.setTimeslice(t, 99_999), SchedResult.ArgumentInvalid);
  assertEquals(s.setTimeslice(t, 100_000_001), SchedResult.ArgumentInvalid);
  assertEquals(s.setTimeslice(t, 100_000), SchedResult.OK);
  assertEquals(t.baseTimeslice, 100_000);
});

Deno.test("directed yield runs the target on the yielder's slice until the target blocks", () => {
  const s = new FprrScheduler<string>(1);
  const owner = s.createThread("owner", { affinity: 0, priority: 40, timeslice: 1_000_000 });
  const proxy = s.createThread("proxy", { priority: 0 });
  start(s, owner);
  start(s, proxy);
  assertEquals(s.schedule(0, 0), owner);
  s.yieldTo(0, proxy);
  assertEquals(owner.pinCount, 1);
  assertEquals(s.schedule(0, 100), proxy);
  assertEquals(s.cpus[0].yieldedFrom, owner);
  assertEquals(s.sliceDeadline(0), 1_000_000);
  s.block(proxy, SchedulerBlock.VCPU_WFI);
  assert(s.cpus[0].needResched);
  assertEquals(s.schedule(0, 200), owner);
  assert(!owner.yielding);
  assertEquals(owner.pinCount, 0);
});

Deno.test("directed yield ends when the yielder's timeslice expires", () => {
  const s = new FprrScheduler<string>(1);
  const owner = s.createThread("owner", { affinity: 0, timeslice: 100_000 });
  const target = s.createThread("target");
  start(s, owner);
  start(s, target);
  s.schedule(0, 0);
  s.yieldTo(0, target);
  assertEquals(s.schedule(0, 0), target);
  assertEquals(s.schedule(0, 100_000), owner);
  assert(!owner.yielding);
});

Deno.test("killed threads ignore killable blocks but not vcpu_run; exit removes them", () => {
  const s = new FprrScheduler<string>(1);
  const t = s.createThread("t", { affinity: 0 });
  start(s, t);
  s.block(t, SchedulerBlock.VCPU_WFI);
  assert(!s.isRunnable(t));
  s.kill(t);
  assert(s.isRunnable(t));
  assertEquals(s.schedule(0, 0), t);
  s.exit(t);
  assert(!s.isRunnable(t));
  assertEquals(s.schedule(0, 1), null);
  const p = s.createThread("p", { affinity: 0 });
  start(s, p);
  s.block(p, SchedulerBlock.VCPU_RUN);
  s.kill(p);
  assert(!s.isRunnable(p));
});

Deno.test("the same operations give the same schedule (determinism)", () => {
  function trace(): string[] {
    const s = new FprrScheduler<string>(2);
    const out: string[] = [];
    const ts = [0, 1, 2, 3, 4, 5].map((i) =>
      s.createThread(`t${i}`, { affinity: i % 2, priority: 30 + (i % 3), timeslice: 100_000 })
    );
    for (const t of ts) start(s, t);
    for (let step = 0; step < 20; step++) {
      const now = step * 50_000;
      for (let cpu = 0; cpu < 2; cpu++) {
        const r = s.schedule(cpu, now);
        out.push(`${now}:${cpu}:${r?.owner ?? "idle"}`);
        if (step % 5 === 4 && r) s.block(r, SchedulerBlock.VCPU_WFI);
        if (step % 5 === 1) { for (const t of ts) s.unblock(t, SchedulerBlock.VCPU_WFI); }
      }
    }
    return out;
  }
  assertEquals(trace(), trace());
});
