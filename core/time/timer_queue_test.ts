import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { TimerQueue } from "./timer_queue.ts";

Deno.test("TimerQueue fires in deadline order, ties in scheduling order", () => {
  const q = new TimerQueue();
  const fired: string[] = [];
  q.schedule(30, () => fired.push("c"));
  q.schedule(10, () => fired.push("a1"));
  q.schedule(20, () => fired.push("b"));
  q.schedule(10, () => fired.push("a2"));
  assertEquals(q.nextDeadline, 10);
  assertEquals(q.runDue(20), 3);
  assertEquals(fired, ["a1", "a2", "b"]);
  assertEquals(q.nextDeadline, 30);
  assertEquals(q.size, 1);
});

Deno.test("TimerQueue cancel drops a timer; handles report pending state", () => {
  const q = new TimerQueue();
  const fired: number[] = [];
  const h = q.schedule(5, (at) => fired.push(at));
  q.schedule(7, (at) => fired.push(at));
  assert(h.pending);
  h.cancel();
  h.cancel();
  assert(!h.pending);
  assertEquals(q.size, 1);
  assertEquals(q.nextDeadline, 7);
  q.runDue(100);
  assertEquals(fired, [7]);
  assertEquals(q.nextDeadline, Infinity);
});

Deno.test("TimerQueue runs timers scheduled by callbacks when already due", () => {
  const q = new TimerQueue();
  const seen: number[] = [];
  q.schedule(10, (at) => {
    seen.push(at);
    q.schedule(15, (a) => seen.push(a));
    q.schedule(50, (a) => seen.push(a));
  });
  const times: number[] = [];
  assertEquals(q.runDue(20, (at) => times.push(at)), 2);
  assertEquals(seen, [10, 15]);
  assertEquals(times, [10, 15]);
});

Deno.test("TimerQueue stays bounded when a timer is re-armed many times", () => {
  const q = new TimerQueue();
  let h = q.schedule(1_000, () => {});
  for (let i = 0; i < 10_000; i++) {
    h.cancel();
    h = q.schedule(1_000 + i, () => {});
  }
  assertEquals(q.size, 1);
  assertEquals(q.nextDeadline, 10_999);
});

Deno.test("TimerQueue rejects a negative deadline", () => {
  assertThrows(() => new TimerQueue().schedule(-1, () => {}), RangeError, "deadline");
});

Deno.test("TimerQueue.runDue with onError contains a throwing callback; later timers still fire", () => {
  const q = new TimerQueue();
  const fired: string[] = [];
  const errors: string[] = [];
  q.schedule(10, () => {
    throw new Error("broken device timer");
  });
  q.schedule(10, () => fired.push("next"));
  q.schedule(20, () => fired.push("later"));
  assertEquals(q.runDue(20, undefined, (e) => errors.push((e as Error).message)), 3);
  assertEquals(fired, ["next", "later"]);
  assertEquals(errors, ["broken device timer"]);
});
