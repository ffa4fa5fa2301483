/**
 * Networking: two virtio-net devices on one Ethernet segment, each behind
 * its real virtio-mmio transport and driven by a hostile driver (the
 * virtqueue target's steps: random registers, random descriptor chains with
 * huge, aliasing and out-of-RAM buffers, random ring indices), mixed with
 * well-formed transmit chains carrying random frames (any length around
 * 0..1530 bytes, group and unicast addresses, the header's offload flags set
 * at random), and random frames sent into the segment from a third port.
 * Invariants: nothing throws out of a device or the segment, no step takes
 * longer than 5 s, host memory grows by at most 256 MiB, and after a reset
 * a proper driver of each device receives a broadcast frame sent into the
 * segment.
 *
 * @module
 */
import type { Device, DeviceHost, EthernetEndpoint, MmioData } from "@gunyah-ts/core/plugin";
import net from "@gunyah-ts/virtio-net";
import { EthernetSegment } from "@gunyah-ts/net";
import { FuzzDeviceHost, HostileDriver } from "./hostile_driver.ts";
import { hostileStep } from "./virtqueue.ts";
import type { Prng } from "../prng.ts";
import { FuzzFailure, type FuzzTarget } from "../runner.ts";

const RAM_BASE = 0x4000_0000;
const RAM_SIZE = 4 << 20;
const HDR = 12;

/** A random frame: random length (sometimes out of 14..1518), addresses from a small set. */
function randomFrame(prng: Prng): Uint8Array {
  const len = prng.below(4) === 0 ? prng.below(2048) : 14 + prng.below(1505);
  const f = new Uint8Array(len);
  for (let i = 0; i < len; i++) f[i] = prng.below(256);
  if (len >= 12 && prng.below(4) !== 0) {
    // Mostly plausible addresses, so learning and unicast paths are taken too.
    f.set([0x52, 0x54, 0, 0x12, 0x34, 0x56 + prng.below(3)], 0);
    f.set([0x52, 0x54, 0, 0x12, 0x34, 0x56 + prng.below(3)], 6);
    if (prng.below(5) === 0) f[0] = 0xff;
  }
  return f;
}

/** A well-formed transmit chain of a random frame, with a random header now and then. */
function transmit(prng: Prng, drv: HostileDriver): void {
  const q = drv.queue(1);
  if (q === null) return;
  const frame = randomFrame(prng);
  const data = new Uint8Array(HDR + frame.length);
  if (prng.below(8) === 0) { for (let i = 0; i < HDR; i++) data[i] = prng.below(256); }
  data.set(frame, HDR);
  const addr = RAM_BASE + 0x20_0000 + prng.below(0x10_0000);
  drv.host.ram.set(data, addr - RAM_BASE);
  drv.writeDescriptor(q, 0, addr, data.length, 0, 0);
  drv.publishAvailable(q, 0);
  drv.notify(1);
}

/** The target. */
export const netTarget: FuzzTarget = {
  name: "net",
  description: "hostile drivers of two virtio-net devices and random frames on one segment",
  async batch(prng, size) {
    const segment = new EthernetSegment("fuzz");
    const devices: { host: FuzzDeviceHost; device: Device; drv: HostileDriver }[] = [];
    for (let i = 0; i < 2; i++) {
      const host = new FuzzDeviceHost(RAM_BASE, RAM_SIZE);
      const withNet: DeviceHost = Object.assign(host, {
        connectEthernet: (d: EthernetEndpoint) => segment.attach(`dev${i}`, d),
      });
      const device = await net.create(withNet, {
        mmioBase: 0x0a00_0000,
        intid: 48,
        netInterface: i,
      });
      devices.push({ host, device, drv: new HostileDriver(device.regions[0], host) });
    }
    const injector = segment.attach("injector", { receive: () => prng.below(4) !== 0 });
    const out: MmioData = { lo: 0, hi: 0 };
    const rss0 = Deno.memoryUsage().rss;
    try {
      for (let i = 0; i < size; i++) {
        const t0 = performance.now();
        const d = prng.pick(devices);
        try {
          switch (prng.below(4)) {
            case 0:
              injector.receive(randomFrame(prng));
              break;
            case 1:
              transmit(prng, d.drv);
              break;
            default:
              hostileStep(prng, d.device, d.drv, out);
          }
        } catch (e) {
          throw new FuzzFailure(`net: step ${i} threw: ${(e as Error).stack}`);
        }
        for (const x of devices) x.host.advance(1000);
        const ms = performance.now() - t0;
        if (ms > 5000) throw new FuzzFailure(`net: step ${i} took ${ms.toFixed(0)} ms`);
      }
      const grown = Deno.memoryUsage().rss - rss0;
      if (grown > 256 << 20) throw new FuzzFailure(`net: host memory grew ${grown >> 20} MiB`);
      // A proper driver after a reset receives a broadcast.
      const fresh = devices.map((x) => {
        x.host.ram.fill(0);
        const drv = new HostileDriver(x.device.regions[0], x.host);
        if (!drv.init()) throw new FuzzFailure("net: a device does not initialise after reset");
        drv.setupQueue(0, 4);
        drv.setupQueue(1, 4);
        drv.driverOk();
        drv.submitWritable(0, 1526);
        drv.notify(0);
        return drv;
      });
      const bcast = new Uint8Array(60).fill(0xff, 0, 6);
      bcast.set([0x02, 0, 0, 0, 0, 1], 6);
      injector.receive(bcast);
      for (const [i, drv] of fresh.entries()) {
        if (drv.usedIdx(0) !== 1) {
          throw new FuzzFailure(
            `net: device ${i} received nothing after reset (${
              JSON.stringify(devices[i].device.describe())
            }; ${JSON.stringify(segment.ports())})`,
          );
        }
      }
      return size;
    } finally {
      for (const x of devices) await x.device.close?.();
    }
  },
};
