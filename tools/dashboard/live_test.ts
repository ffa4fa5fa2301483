import { assertEquals } from "@gunyah-ts/tests/assert";
import type { SystemStatus } from "@gunyah-ts/system";
import { applyDelta, diffState, LoadWindow } from "./live.ts";

Deno.test("deltas: unchanged sections are left out, keyed arrays send only changed items", () => {
  const a = {
    timeNs: 1,
    machine: { arch: "a", platform: "p" },
    vms: [{ vmid: 3, status: "running" }, { vmid: 0x80, status: "ready" }],
    events: { total: 2, recent: [{ seq: 0, text: "a" }, { seq: 1, text: "b" }] },
    list: [1, 2],
  };
  const b = {
    timeNs: 2,
    machine: { arch: "a", platform: "p" },
    vms: [{ vmid: 3, status: "running" }, { vmid: 0x81, status: "ready" }],
    events: { total: 3, recent: [{ seq: 1, text: "b" }, { seq: 2, text: "c" }] },
    list: [1, 2, 3],
  };
  const d = diffState(a, b)!;
  assertEquals(d, {
    $o: {
      timeNs: { $v: 2 },
      vms: { $a: "vmid", set: [{ vmid: 0x81, status: "ready" }], del: [0x80], order: [3, 0x81] },
      events: {
        $o: {
          total: { $v: 3 },
          recent: { $a: "seq", set: [{ seq: 2, text: "c" }], del: [0], order: [1, 2] },
        },
      },
      list: { $v: [1, 2, 3] },
    },
  });
  assertEquals(applyDelta(a, d), b);
  assertEquals(diffState(b, b), undefined);
  // A removed key and a reordered keyed array.
  const c = { vms: [{ vmid: 0x81, status: "ready" }, { vmid: 3, status: "running" }] };
  assertEquals(applyDelta(b, diffState(b, c)!), c);
});

function status(retired: number[], idleNs: number[], vcpuRetired: number): SystemStatus {
  return {
    machine: { arch: "a", platform: "p" },
    timeNs: 0,
    nsPerInstruction: 1,
    partitions: [],
    vms: [{
      vmid: 3,
      name: "p",
      owner: 0x3f,
      status: "running",
      exitReason: null,
      memoryBytes: 0,
      vcpus: ["thread#1"],
      objects: { memextent: null, addrspace: null, vic: null, cspace: null },
      interfaces: [],
      devices: [],
    }],
    vcpus: [{
      object: "thread#1",
      vm: "p",
      vmid: 3,
      index: 0,
      objectState: "active",
      state: "READY",
      blocked: [],
      runnable: true,
      priority: 32,
      timesliceNs: 1,
      affinity: 0,
      runningOn: 0,
      proxy: false,
      arch: { retiredTotal: vcpuRetired },
    }],
    cpus: retired.map((r, index) => ({ index, current: null, retired: r, idleNs: idleNs[index] })),
    cspaces: [],
    msgqueues: [],
    doorbells: [],
    memory: { ram: [], ranges: [], extents: [], parcels: [] },
    networks: [],
  };
}

Deno.test("load: busy % and instructions/s over the recent window, not over the lifetime", () => {
  const w = new LoadWindow(3000);
  // A long idle history: 1e9 ns idle, 1e6 instructions.
  w.sample(status([1e6, 0], [1e9, 1e9], 1e6), 0);
  // Then CPU0 runs flat out for 3 s of wall time: 3e8 instructions, no idle.
  const l = w.sample(status([3.01e8, 0], [1e9, 1.3e9], 3.01e8), 3000, {
    "thread#1": { hvc: 2, wfi: 5 },
  });
  assertEquals(l.windowMs, 3000);
  assertEquals(l.cpus, [{ index: 0, busyPct: 100, ips: 1e8 }, { index: 1, busyPct: 0, ips: 0 }]);
  assertEquals(l.vms, [{ vmid: 3, ips: 1e8, retired: 3.01e8, exits: { hvc: 2, wfi: 5 } }]);
  // Samples older than the window stop counting.
  w.sample(status([3.01e8, 0], [1.5e9, 1.3e9], 3.01e8), 6000);
  const later = w.sample(status([3.01e8, 0], [2e9, 1.3e9], 3.01e8), 9000);
  assertEquals(later.cpus[0], { index: 0, busyPct: 0, ips: 0 });
});
