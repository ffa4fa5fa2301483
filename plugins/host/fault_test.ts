/**
 * Fault containment at the device boundary (issue 12 §3, §6): a plugin whose
 * timer or request handler throws fails only its own device
 * (DEVICE_NEEDS_RESET, logged once); the device next to it, on the same VM,
 * keeps serving. In-process and isolated.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { VmMmioBus } from "@gunyah-ts/core";
import { MmioResult } from "@gunyah-ts/core/plugin";
import { FakeDeviceHost, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import { qemuVirtPlatform } from "@gunyah-ts/platform-qemu-virt";
import { attachDevicePlugins, type DevicePluginConfig } from "./attach.ts";

const none = { read: [], write: [] };
const FAULTY = new URL("./testdata/faulty_plugin.ts", import.meta.url).pathname;
/** virtio-mmio Status register and its DEVICE_NEEDS_RESET bit (virtio 1.2 §4.2.2, §2.1). */
const STATUS = 0x70, NEEDS_RESET = 0x40;
/** InterruptStatus and its configuration-change bit (virtio 1.2 §4.2.2). */
const INTERRUPT_STATUS = 0x60, INT_CONFIG = 2;
const SLOT0 = 0x0a00_0000, SLOT1 = 0x0a00_0200;

function status(bus: VmMmioBus, base: number): number {
  assertEquals(bus.read(base + STATUS, 4, 0), MmioResult.Handled);
  return bus.dataLo;
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The rng at slot 1 still answers a request. */
function rngServes(bus: VmMmioBus, host: FakeDeviceHost): void {
  const drv = new VirtioTestDriver(bus.regions.find((r) => r.base === SLOT1)!, host);
  assert(drv.init());
  drv.setupQueue(0, 4);
  drv.driverOk();
  drv.submit(0, [], [16]);
  drv.notify(0);
  assertEquals(drv.takeUsed(0)[0].written[0].length, 16);
}

for (const isolate of [false, true]) {
  const mode = isolate ? "isolated" : "in-process";

  Deno.test(`fault (${mode}): a throwing timer fails only its device; the VM's other device serves`, async () => {
    const host = new FakeDeviceHost();
    const bus = new VmMmioBus();
    const devices: DevicePluginConfig[] = [
      { plugin: FAULTY, isolate, permissions: none, options: { fault: "timer" } },
      { plugin: "builtin:virtio-rng", isolate: false, permissions: none, options: { seed: 7 } },
    ];
    const attached = await attachDevicePlugins(
      { host, bus, ram: [host.memory.mapping] },
      devices,
      qemuVirtPlatform,
      "/tmp",
    );
    try {
      const drv = new VirtioTestDriver(bus.regions.find((r) => r.base === SLOT0)!, host);
      assert(drv.init());
      drv.setupQueue(0, 4);
      drv.driverOk();
      if (isolate) await waitFor(() => host.pendingTimers > 0);
      host.advance(2000); // the timer throws here: no exception reaches this caller
      if (isolate) {
        await waitFor(() =>
          (status(bus, SLOT0) & NEEDS_RESET) !== 0 &&
          host.logs.some((l) => l.includes("timer callback failed"))
        );
      }
      assert(status(bus, SLOT0) & NEEDS_RESET, "the faulty device is in DEVICE_NEEDS_RESET");
      assert(host.logs.some((l) => l.includes("timer callback failed")), host.logs.join("\n"));
      assertEquals(status(bus, SLOT1) & NEEDS_RESET, 0);
      rngServes(bus, host);
    } finally {
      await attached.close();
    }
  });

  Deno.test(`fault (${mode}): a request handler that throws gives NEEDS_RESET, not a lost request`, async () => {
    const host = new FakeDeviceHost();
    const bus = new VmMmioBus();
    const attached = await attachDevicePlugins(
      { host, bus, ram: [host.memory.mapping] },
      [
        { plugin: FAULTY, isolate, permissions: none, options: { fault: "notify" } },
        { plugin: "builtin:virtio-rng", isolate: false, permissions: none, options: { seed: 7 } },
      ],
      qemuVirtPlatform,
      "/tmp",
    );
    try {
      const drv = new VirtioTestDriver(bus.regions.find((r) => r.base === SLOT0)!, host);
      assert(drv.init());
      drv.setupQueue(0, 4);
      drv.driverOk();
      drv.submit(0, [], [4]);
      drv.notify(0); // throws inside the backend: contained
      assert(status(bus, SLOT0) & NEEDS_RESET);
      assertEquals(bus.read(SLOT0 + INTERRUPT_STATUS, 4, 0), MmioResult.Handled);
      assert(bus.dataLo & INT_CONFIG, "the driver is told (configuration-change interrupt)");
      rngServes(bus, host);
    } finally {
      await attached.close();
    }
  });
}

/**
 * One round of the hung-plugin scenario: VM A's plugin loops in its request
 * handler, VM B's console is served by the same host thread. Returns the
 * worst time one access held that thread.
 */
async function hungPluginRound(): Promise<number> {
  const hostA = new FakeDeviceHost(), hostB = new FakeDeviceHost();
  const [busA, busB] = [new VmMmioBus(), new VmMmioBus()];
  const a = await attachDevicePlugins(
    { host: hostA, bus: busA, ram: [hostA.memory.mapping] },
    [{ plugin: FAULTY, isolate: true, permissions: none, options: { fault: "hang" } }],
    qemuVirtPlatform,
    "/tmp",
  );
  const b = await attachDevicePlugins(
    { host: hostB, bus: busB, ram: [hostB.memory.mapping] },
    [{
      plugin: "builtin:virtio-console",
      isolate: true,
      permissions: none,
      options: { output: "log" },
    }],
    qemuVirtPlatform,
    "/tmp",
  );
  try {
    let worst = 0;
    const timed = (fn: () => void) => {
      const t0 = performance.now();
      fn();
      worst = Math.max(worst, performance.now() - t0);
    };
    const drvA = new VirtioTestDriver(busA.regions[0], hostA);
    timed(() => assert(drvA.init()));
    timed(() => drvA.setupQueue(0, 4));
    timed(() => drvA.driverOk());
    const drvB = new VirtioTestDriver(busB.regions[0], hostB);
    assert(drvB.init());
    drvB.setupQueue(0, 4);
    drvB.setupQueue(1, 4);
    drvB.driverOk();
    drvA.submit(0, [], [4]);
    timed(() => drvA.notify(0)); // the plugin loops: this access misses its deadline
    let served = 0;
    for (let i = 0; i < 20; i++) {
      timed(() => drvA.notify(0)); // a failed device: answered at once
      drvB.submit(1, [new TextEncoder().encode(`line ${i}\n`)], []);
      timed(() => drvB.notify(1));
      served += drvB.takeUsed(1).length;
    }
    assertEquals(served, 20, "VM B's console kept serving");
    assert(hostA.logs.some((l) => l.includes("past its 30 ms deadline")), hostA.logs.join("\n"));
    await waitFor(() => hostB.logs.join("").includes("line 19"));
    return worst;
  } finally {
    await a.close();
    await b.close();
  }
}

Deno.test("fault (isolated): a hung plugin stalls the host thread once, within 50 ms; another VM's console goes on", async () => {
  // Timings on a shared, loaded host are noisy: the bound must hold in one of three rounds
  // (every round must fail the device and keep VM B served).
  const rounds: number[] = [];
  for (let i = 0; i < 3; i++) {
    rounds.push(await hungPluginRound());
    if (rounds[i] <= 50) break;
  }
  console.log(
    `worst host-thread stall with a hung plugin, per round: ${
      rounds.map((r) => r.toFixed(1)).join(", ")
    } ms`,
  );
  assert(
    rounds.some((r) => r <= 50),
    `a hung plugin stalled the host thread ${rounds.join(", ")} ms`,
  );
});
