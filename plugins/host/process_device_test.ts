/**
 * Device plugins in a process of their own (`isolate: process`): they work
 * (virtio-rng, virtio-blk with its granted image), get exactly their
 * permissions, reach guest memory only through copies the host checks
 * against the VM's current stage-2, and a plugin stuck in a busy loop is
 * killed: its process is gone and nothing of it burns CPU afterwards (a
 * Worker's thread would keep spinning), while the other devices go on.
 */
import { assert, assertEquals, assertRejects } from "@gunyah-ts/tests/assert";
import { FakeDeviceHost, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import { createProcessDevice } from "./process_device.ts";
import { createIsolatedDevice, type SandboxPermissions } from "./isolated_device.ts";
import type { Device } from "@gunyah-ts/core/plugin";
import { VmMmioBus } from "@gunyah-ts/core";
import { qemuVirtPlatform } from "@gunyah-ts/platform-qemu-virt";
import { attachDevicePlugins } from "./attach.ts";

const BLK = import.meta.resolve("@gunyah-ts/virtio-blk");
const RNG = import.meta.resolve("@gunyah-ts/virtio-rng");
const FAULTY = new URL("./testdata/faulty_plugin.ts", import.meta.url).href;
const PLACE = { mmioBase: 0x0a00_0000, intid: 48 };
const NO_FILES: SandboxPermissions = { read: [], write: [] };
/** virtio-mmio Status register and its DEVICE_NEEDS_RESET bit (virtio 1.2 §4.2.2, §2.1). */
const STATUS = 0x70, NEEDS_RESET = 0x40;

/** A FakeDeviceHost whose RAM can be taken away (a reclaimed parcel, an unmapped range). */
function revocableHost(): { host: FakeDeviceHost; unmap(): void } {
  const host = new FakeDeviceHost();
  const lookup = host.memory.lookup.bind(host.memory);
  let mapped = true;
  host.memory.lookup = (ipa) => mapped ? lookup(ipa) : null;
  return { host, unmap: () => (mapped = false) };
}

/** Read a 32-bit register of `dev`'s first region. */
function reg(dev: Device, offset: number): number {
  const out = { lo: 0, hi: 0 };
  dev.regions[0].read(offset, 4, 0, out);
  return out.lo;
}

function startDriver(dev: Device, host: FakeDeviceHost, queues: number[]): VirtioTestDriver {
  const drv = new VirtioTestDriver(dev.regions[0], host);
  assert(drv.init());
  for (let q = 0; q < queues.length; q++) assert(drv.setupQueue(q, queues[q]));
  drv.driverOk();
  return drv;
}

function rngRead(drv: VirtioTestDriver, n: number): Uint8Array {
  drv.submit(0, [], [n]);
  drv.notify(0);
  return drv.takeUsed(0)[0].written[0];
}

/** CPU time (user + system) thread `tid` of this process used so far, ms (USER_HZ 100). */
function threadCpuMs(tid: number): number {
  const f = Deno.readTextFileSync(`/proc/self/task/${tid}/stat`).split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

function alive(pid: number): boolean {
  try {
    const state = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1][0];
    return state !== "Z";
  } catch {
    return false;
  }
}

Deno.test("process: virtio-rng in its own process serves requests; its interrupt and description come back", async () => {
  const host = new FakeDeviceHost();
  const dev = await createProcessDevice({
    pluginUrl: RNG,
    host,
    permissions: NO_FILES,
    options: { ...PLACE, seed: 3 },
  });
  try {
    assert(alive(dev.pid), "the plugin runs in a process of its own");
    assert(dev.pid !== Deno.pid);
    const drv = startDriver(dev, host, [4]);
    assertEquals(drv.deviceId, 4);
    const bytes = rngRead(drv, 64);
    assertEquals(bytes.length, 64);
    assert(bytes.some((b) => b !== 0));
    assertEquals(host.risingEdges(48), 1);
    const d = dev.describe();
    assertEquals([d.isolated, d.pid], ["process", dev.pid]);
  } finally {
    await dev.close();
  }
  assert(!alive(dev.pid), "closing the device ends its process");
});

Deno.test("process: virtio-blk reads its granted image; another path or writing is NotCapable", async () => {
  const dir = await Deno.makeTempDir();
  const image = `${dir}/disk.img`, other = `${dir}/other.img`;
  await Deno.writeFile(image, new Uint8Array(64 * 1024).fill(0x5a));
  await Deno.writeFile(other, new Uint8Array(4096));
  try {
    const host = new FakeDeviceHost({ ramSize: 0x10_0000 });
    const dev = await createProcessDevice({
      pluginUrl: BLK,
      host,
      permissions: { read: [image], write: [] },
      options: { ...PLACE, path: image, readOnly: true },
    });
    try {
      const drv = startDriver(dev, host, [8]);
      const h = new Uint8Array(16);
      new DataView(h.buffer).setUint32(8, 3, true); // VIRTIO_BLK_T_IN, sector 3
      drv.submit(0, [h], [48 * 1024, 1]); // more than one copy chunk
      drv.notify(0);
      const used = drv.takeUsed(0)[0];
      assertEquals(used.len, 48 * 1024 + 1);
      assert(used.written[0].every((b) => b === 0x5a));
      assertEquals(used.written[1][0], 0); // VIRTIO_BLK_S_OK
    } finally {
      await dev.close();
    }
    await assertRejects(
      () =>
        createProcessDevice({
          pluginUrl: BLK,
          host,
          permissions: { read: [image], write: [] },
          options: { ...PLACE, path: other, readOnly: true },
        }),
      Error,
      "NotCapable",
    );
    await assertRejects(
      () =>
        createProcessDevice({
          pluginUrl: BLK,
          host,
          permissions: { read: [image], write: [] },
          options: { ...PLACE, path: image },
        }),
      Error,
      "NotCapable",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("process: guest memory the VM no longer maps is refused at once (DEVICE_NEEDS_RESET), not read from a stale copy", async () => {
  const { host, unmap } = revocableHost();
  const dev = await createProcessDevice({
    pluginUrl: RNG,
    host,
    permissions: NO_FILES,
    options: { ...PLACE, seed: 3 },
  });
  try {
    const drv = startDriver(dev, host, [4]);
    assertEquals(rngRead(drv, 8).length, 8);
    unmap(); // the parcel is reclaimed: stage-2 maps nothing there now
    drv.submit(0, [], [8]);
    drv.notify(0);
    assertEquals(drv.takeUsed(0).length, 0);
    assert(reg(dev, STATUS) & NEEDS_RESET, "the device is failed");
    assert(host.logs.some((l) => l.includes("is not RAM")), host.logs.join("\n"));
  } finally {
    await dev.close();
  }
});

Deno.test("process: a busy-looping plugin is killed at its deadline: its process is gone, no CPU is burnt afterwards, other devices go on", async () => {
  const hostA = new FakeDeviceHost(), hostB = new FakeDeviceHost();
  const hung = await createProcessDevice({
    pluginUrl: FAULTY,
    host: hostA,
    permissions: NO_FILES,
    options: { ...PLACE, fault: "hang" },
  });
  const rng = await createProcessDevice({
    pluginUrl: RNG,
    host: hostB,
    permissions: NO_FILES,
    options: { ...PLACE, seed: 5 },
  });
  try {
    const drvA = startDriver(hung, hostA, [4]);
    const drvB = startDriver(rng, hostB, [4]);
    drvA.submit(0, [], [4]);
    const t0 = performance.now();
    drvA.notify(0); // the plugin loops forever here
    const stall = performance.now() - t0;
    assert(hung.dead.includes("past its 30 ms deadline"), hung.dead);
    assertEquals(hung.stalls, 1);
    assert(stall < 1000, `the hung plugin held the host thread ${stall} ms`);
    assertEquals(reg(hung, STATUS), 0, "a failed device reads as zero");
    // Killed: gone as soon as it is reaped (the host's read saw its pipe close).
    const end = performance.now() + 2000;
    while (alive(hung.pid) && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
    assert(!alive(hung.pid), `process ${hung.pid} still runs`);
    // Nothing spins afterwards: the plugin's process is gone (above), and its watchdog thread
    // sleeps (a Worker stuck in a loop would keep a thread of this process at 100 %).
    assert(hung.watchdogThread !== 0, "the watchdog's thread is known");
    const cpu0 = threadCpuMs(hung.watchdogThread);
    await new Promise((r) => setTimeout(r, 1000));
    const burnt = threadCpuMs(hung.watchdogThread) - cpu0;
    console.log(
      `hung plugin: access stalled ${stall.toFixed(1)} ms; its process is gone; ` +
        `the watchdog thread used ${burnt} ms CPU in the next second`,
    );
    assert(burnt < 200, `the watchdog thread burnt ${burnt} ms of CPU in 1 s after the kill`);
    // The other device goes on.
    assertEquals(rngRead(drvB, 16).length, 16);
  } finally {
    await hung.close();
    await rng.close();
  }
});

/** Median of `n` timed runs of `fn`, µs. */
function medianUs(n: number, fn: () => void): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    t.push((performance.now() - t0) * 1000);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

Deno.test("process: MMIO round trip and a virtio-blk 4 KiB read, process vs Worker (printed)", async () => {
  const dir = await Deno.makeTempDir();
  const image = `${dir}/disk.img`;
  await Deno.writeFile(image, new Uint8Array(1 << 20).fill(0x11));
  const rows: string[] = [];
  try {
    for (const mode of ["worker", "process"] as const) {
      const host = new FakeDeviceHost({ ramSize: 0x10_0000 });
      const options = { ...PLACE, path: image, readOnly: true };
      const permissions = { read: [image], write: [] };
      const dev: Device & { close(): Promise<void> } = mode === "process"
        ? await createProcessDevice({ pluginUrl: BLK, host, permissions, options })
        : await createIsolatedDevice({
          pluginUrl: BLK,
          host,
          ram: [host.memory.mapping],
          permissions,
          options,
        });
      try {
        const drv = startDriver(dev, host, [8]);
        const h = new Uint8Array(16);
        new DataView(h.buffer).setUint32(8, 8, true); // VIRTIO_BLK_T_IN, sector 8
        const mmio = medianUs(2000, () => reg(dev, STATUS));
        const read = medianUs(200, () => {
          drv.submit(0, [h], [4096, 1]);
          drv.notify(0);
          const used = drv.takeUsed(0);
          if (used.length !== 1 || used[0].written[1][0] !== 0) throw new Error("read failed");
        });
        rows.push(`${mode}: MMIO read ${mmio.toFixed(1)} µs, blk 4 KiB read ${read.toFixed(1)} µs`);
      } finally {
        await dev.close();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  console.log(`medians (load ${Deno.loadavg()[0]}): ${rows.join("; ")}`);
});

Deno.test("process: a host callback that throws during a call fails the device right after it (not a nested call)", async () => {
  const host = new FakeDeviceHost();
  host.setIrq = () => {
    throw new Error("the interrupt controller refused the line");
  };
  const bus = new VmMmioBus();
  const attached = await attachDevicePlugins(
    { host, bus, ram: [host.memory.mapping] },
    [{ plugin: RNG, isolate: "process", permissions: NO_FILES, options: { seed: 1 } }],
    qemuVirtPlatform,
    "/tmp",
  );
  try {
    const dev = attached.devices[0];
    const drv = startDriver(dev, host, [4]);
    drv.submit(0, [], [8]);
    drv.notify(0); // the device raises its interrupt: the host side throws inside the call
    await new Promise((r) => setTimeout(r, 50));
    assert(reg(dev, STATUS) & NEEDS_RESET, "the device is failed");
    assert(host.logs.some((l) => l.includes("refused the line")), host.logs.join("\n"));
    assert(!host.logs.some((l) => l.includes("nested call")), host.logs.join("\n"));
  } finally {
    await attached.close();
  }
});
