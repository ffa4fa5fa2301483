import { assertEquals } from "../../assert.ts";
import { TimerQueue } from "./timer_queue.ts";

Deno.test("TimerQueue: fires due timers in deadline order, then insertion order", () => {
  const q = new TimerQueue();
  const fired: string[] = [];
  q.add(30, () => fired.push("c"));
  q.add(10, () => fired.push("a"));
  q.add(10, () => fired.push("b"));
  assertEquals(q.next(), 10);
  q.fire(10);
  assertEquals(fired, ["a", "b"]);
  assertEquals(q.next(), 30);
  q.fire(100);
  assertEquals(fired, ["a", "b", "c"]);
  assertEquals(q.next(), Infinity);
});

Deno.test("TimerQueue: a cancelled timer never fires", () => {
  const q = new TimerQueue();
  let n = 0;
  const cancel = q.add(5, () => n++);
  cancel();
  q.fire(10);
  assertEquals(n, 0);
  assertEquals(q.next(), Infinity);
});
