import { assertEquals } from "@gunyah-ts/tests/assert";
import { EventBus } from "../events.ts";
import type { HypervisorEvents } from "./events.ts";
import { EventTrace, formatEvent } from "./trace.ts";

Deno.test("EventTrace records events as lines in order, bounded, until stopped", () => {
  const bus = new EventBus<HypervisorEvents>();
  const trace = new EventTrace(bus, ["sched.switch", "vcpu.vmmio"], 2);
  bus.emit("sched.switch", { time: 5, cpu: 0, from: null, thread: "thread#3" });
  bus.emit("log", { time: 6, message: "not recorded" });
  bus.emit("vcpu.vmmio", { time: 7, thread: "thread#3", ipa: 0x1000, size: 4, write: false });
  bus.emit("sched.switch", { time: 9, cpu: 1, from: "thread#3", thread: null });
  assertEquals(trace.lines, [
    "vcpu.vmmio time=7 thread=thread#3 ipa=0x1000 size=4 write=false",
    "sched.switch time=9 cpu=1 from=thread#3 thread=null",
  ]);
  trace.stop();
  bus.emit("sched.switch", { time: 10, cpu: 0, from: null, thread: null });
  assertEquals(trace.lines.length, 2);
  assertEquals(formatEvent("time.jump", { from: 1, to: 2 }), "time.jump from=1 to=2");
});
