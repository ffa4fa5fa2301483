/**
 * Faults contained at their boundary (issue 12 §3): a timer callback, a
 * device region or a component's VIRQ handler that throws does not escape
 * `Hypervisor.step`; the rest of the round (other timers, vCPUs) goes on and
 * the fault is logged with a per-source rate limit.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { MmioResult } from "../plugin/contracts.ts";
import { TestSystem } from "./testing/setup.ts";

Deno.test("a throwing timer is contained by step(); the other timers fire; the log is rate-limited", () => {
  const sys = new TestSystem({});
  const logs: string[] = [];
  sys.hv.events.on("log", (e) => logs.push(e.message));
  const fired: number[] = [];
  for (let i = 0; i < 100; i++) {
    sys.hv.timers.schedule(1000 + i, () => {
      throw new Error(`timer ${i} is broken`);
    });
  }
  sys.hv.timers.schedule(1200, () => fired.push(1200));
  while (sys.hv.step() && fired.length === 0) { /* rounds */ }
  assertEquals(fired, [1200]);
  assertEquals(sys.hv.faults, 100);
  assertEquals(logs.filter((l) => l.includes("contained fault")).length, 20);
});

Deno.test("a device host's throwing timer and bad line are contained and logged", () => {
  const sys = new TestSystem({});
  const logs: string[] = [];
  const host = sys.hv.createDeviceHost({}, {
    setLine: () => {
      throw new RangeError("INTID 5000 is not an SPI");
    },
  } as never, (m) => logs.push(m));
  let after = false;
  host.setTimer(500, () => {
    throw new Error("device timer broken");
  });
  host.setTimer(600, () => (after = true));
  host.setIrq(5000, true);
  while (!after && sys.hv.step()) { /* rounds */ }
  assert(after);
  assertEquals(sys.hv.time >= 600, true);
});

Deno.test("a device region that throws on an access completes it (reads 0) and the fault is logged", () => {
  const sys = new TestSystem({});
  const logs: string[] = [];
  sys.hv.events.on("log", (e) => logs.push(e.message));
  const bus = sys.hv.vmFor({}).bus;
  bus.addRegion({
    base: 0x1000,
    size: 0x100,
    read: () => {
      throw new TypeError("plugin bug");
    },
    write: () => {
      throw new TypeError("plugin bug");
    },
  });
  assertEquals(bus.read(0x1010, 4, 0), MmioResult.Handled);
  assertEquals(bus.dataLo, 0);
  assertEquals(bus.write(0x1010, 4, 1, 0, 0), MmioResult.Handled);
  assertEquals(sys.hv.faults, 2);
  assert(logs.some((l) => l.includes("MMIO region at 0x1000") && l.includes("plugin bug")));
});
