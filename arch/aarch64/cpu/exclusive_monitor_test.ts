import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { EXCLUSIVE_GRANULE, GlobalMonitor } from "./exclusive_monitor.ts";

Deno.test("global monitor: another vCPU's store to the granule clears a reservation", () => {
  const m = new GlobalMonitor();
  m.reserve(0, 0x40000008);
  m.reserve(1, 0x40001000);
  assertEquals(m.armed, 2);
  assert(m.holds(0, 0x40000000 + EXCLUSIVE_GRANULE - 1));
  m.noteStore(0x40000010, 4, 0); // own store: kept
  assert(m.holds(0, 0x40000008));
  m.noteStore(0x4000003e, 4, 1); // crosses into the next granule, touches vCPU 0's
  assert(!m.holds(0, 0x40000008));
  assert(m.holds(1, 0x40001000));
  assertEquals(m.armed, 1);
  m.release(1);
  m.release(1);
  assertEquals(m.armed, 0);
});

Deno.test("global monitor: grows for high vCPU indices", () => {
  const m = new GlobalMonitor();
  m.reserve(20, 0x1000);
  assert(m.holds(20, 0x1004));
  assert(!m.holds(3, 0x1000));
  m.noteStore(0x1000, 8, 3);
  assert(!m.holds(20, 0x1000));
});
