/**
 * Virtqueues: each virtio backend (rng, console, blk on a scratch image)
 * behind its real virtio-mmio transport, driven by a random mix of what a
 * hostile driver can do: register writes in any order with any value, a
 * proper set-up followed by random descriptor chains (addresses in and out of
 * RAM, huge and aliasing lengths, every flag including INDIRECT, loops,
 * random `next`), random available-ring indices, and notifications.
 * Invariants: no access throws out of the device (the transport contains
 * everything: DEVICE_NEEDS_RESET), no step takes longer than 5 s (a loaded
 * host stalls for a second or more now and then), host
 * memory does not grow by more than 256 MiB, and after a reset a proper
 * driver gets its request served.
 *
 * @module
 */
import type { Device, DevicePlugin, MmioData } from "@gunyah-ts/core/plugin";
import { FuzzDeviceHost, HostileDriver } from "./hostile_driver.ts";
import rng from "@gunyah-ts/virtio-rng";
import console_ from "@gunyah-ts/virtio-console";
import blk from "@gunyah-ts/virtio-blk";
import type { Prng } from "../prng.ts";
import { FuzzFailure, type FuzzTarget } from "../runner.ts";

const RAM_BASE = 0x4000_0000;
const RAM_SIZE = 4 << 20;
/** virtio-mmio registers (virtio 1.2 §4.2.2) a hostile driver pokes. */
const REGISTERS = [
  0x000,
  0x004,
  0x008,
  0x00c,
  0x010,
  0x014,
  0x020,
  0x024,
  0x030,
  0x034,
  0x038,
  0x044,
  0x050,
  0x060,
  0x064,
  0x070,
  0x080,
  0x084,
  0x090,
  0x094,
  0x0a0,
  0x0a4,
  0x0fc,
  0x100,
  0x104,
  0x108,
];
const LENGTHS = [0, 1, 15, 16, 17, 512, 4096, 65536, 0x10_0000, RAM_SIZE, 0xffff_ffff];

function randomAddress(prng: Prng): number {
  switch (prng.below(4)) {
    case 0:
      return prng.u32() * 0x1_0000 + prng.u32(); // anywhere
    case 1:
      return RAM_BASE + RAM_SIZE - prng.below(64); // straddling the end
    default:
      return RAM_BASE + prng.below(RAM_SIZE);
  }
}

/** One random step against `device`; the driver `drv` may be used for structured steps. */
export function hostileStep(prng: Prng, device: Device, drv: HostileDriver, out: MmioData): void {
  const region = device.regions[0];
  switch (prng.below(6)) {
    case 0:
      region.write(prng.pick(REGISTERS), 4, prng.u32(), 0, 0);
      return;
    case 1:
      region.read(prng.pick(REGISTERS) + prng.below(4), prng.pick([1, 2, 4, 8]), 0, out);
      return;
    case 2: {
      // Proper set-up of every queue, then DRIVER_OK.
      if (!drv.init()) return;
      for (let q = 0; q < 2; q++) drv.setupQueue(q, 1 << prng.below(7));
      drv.driverOk();
      return;
    }
    default: {
      // A random chain on a random queue, then a kick.
      const q = prng.below(2);
      const areas = drv.queue(q);
      if (areas === null) return; // not set up by the driver
      const n = 1 + prng.below(Math.min(areas.size, 8));
      for (let i = 0; i < n; i++) {
        const len = prng.below(3) === 0 ? prng.pick(LENGTHS) : prng.below(8192);
        const flags = prng.below(4) === 0
          ? prng.below(8)
          : (i < n - 1 ? 1 : 0) | (prng.below(2) << 1);
        const next = prng.below(5) === 0 ? prng.below(0x10000) : (i + 1) % areas.size;
        drv.writeDescriptor(areas, i % areas.size, randomAddress(prng), len, flags, next);
      }
      if (prng.below(8) === 0) drv.setAvailIdx(areas, prng.below(0x10000));
      else drv.publishAvailable(areas, prng.below(4) === 0 ? prng.below(0x10000) : 0);
      drv.notify(q);
    }
  }
}

const PLUGINS: readonly [string, DevicePlugin][] = [
  ["rng", rng],
  ["console", console_],
  ["blk", blk],
];

/** The target. */
export const virtqueueTarget: FuzzTarget = {
  name: "virtqueue",
  description: "hostile drivers against virtio-rng, -console and -blk through the transport",
  async batch(prng, size) {
    const [kind, plugin] = prng.pick(PLUGINS);
    const image = await Deno.makeTempFile({ suffix: ".img" });
    try {
      await Deno.writeFile(image, new Uint8Array(64 * 1024));
      const host = new FuzzDeviceHost(RAM_BASE, RAM_SIZE);
      const device = await plugin.create(host, {
        mmioBase: 0x0a00_0000,
        intid: 48,
        ...(kind === "blk" ? { path: image } : {}),
        ...(kind === "console" ? { output: "log" } : {}),
        ...(kind === "rng" ? { seed: prng.u32() } : {}),
      });
      const drv = new HostileDriver(device.regions[0], host);
      const out: MmioData = { lo: 0, hi: 0 };
      const rss0 = Deno.memoryUsage().rss;
      try {
        for (let i = 0; i < size; i++) {
          const t0 = performance.now();
          try {
            hostileStep(prng, device, drv, out);
          } catch (e) {
            throw new FuzzFailure(
              `${kind}: step ${i} threw out of the device: ${(e as Error).stack}`,
            );
          }
          host.advance(1000); // continuations scheduled by a backend's budget
          const ms = performance.now() - t0;
          if (ms > 5000) throw new FuzzFailure(`${kind}: step ${i} took ${ms.toFixed(0)} ms`);
        }
        const grown = Deno.memoryUsage().rss - rss0;
        if (grown > 256 << 20) {
          throw new FuzzFailure(`${kind}: host memory grew ${grown >> 20} MiB`);
        }
        // A proper driver after a reset is served.
        host.ram.fill(0); // a fresh driver's rings start zeroed, as a real driver's do
        const fresh = new HostileDriver(device.regions[0], host);
        if (!fresh.init()) {
          throw new FuzzFailure(`${kind}: the device does not initialise after reset`);
        }
        if (kind === "rng") {
          fresh.setupQueue(0, 4);
          fresh.driverOk();
          fresh.submitWritable(0, 8);
          fresh.notify(0);
          if (fresh.usedIdx(0) !== 1) {
            throw new FuzzFailure(
              `rng: not served after reset (${JSON.stringify(device.describe())}; ${
                host.logs.slice(-3).join(" | ")
              })`,
            );
          }
        }
        return size;
      } finally {
        await device.close?.();
      }
    } finally {
      await Deno.remove(image);
    }
  },
};
