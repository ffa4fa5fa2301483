/**
 * Bounded resources in every virtio backend (issue 12 §4): descriptors may
 * alias one guest range, so a chain's length is not bounded by the guest's
 * RAM. A 16 MiB guest offers one chain of 64 descriptors that all cover its
 * whole RAM (about 1 GiB in all): before, virtio-rng and virtio-console
 * allocated that sum. Now each request is served or refused within its
 * budget, in bounded host memory and time.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import type { Device, DevicePlugin } from "@gunyah-ts/core/plugin";
import { FakeDeviceHost, STATUS, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import rng, { RNG_REQUEST_BUDGET } from "@gunyah-ts/virtio-rng";
import console_, { CONSOLE_TRANSMITQ } from "@gunyah-ts/virtio-console";
import blk, {
  BLK_REQUEST_BUDGET,
  VIRTIO_BLK_S_IOERR,
  VIRTIO_BLK_T_IN,
} from "@gunyah-ts/virtio-blk";

const MiB = 1024 * 1024;
const RAM_BASE = 0x4000_0000;
/** Descriptor flags (virtio 1.2 §2.7.5). */
const NEXT = 1, WRITE = 2;

async function open(plugin: DevicePlugin, options: Record<string, unknown> = {}) {
  const host = new FakeDeviceHost({ ramBase: RAM_BASE, ramSize: 16 * MiB });
  const device: Device = await plugin.create(host, {
    mmioBase: 0x0a00_0000,
    intid: 48,
    ...options,
  });
  const drv = new VirtioTestDriver(device.regions[0], host);
  assert(drv.init());
  return { host, drv, device };
}

/**
 * One chain on queue `q`: `readable` then `writable` descriptors, each
 * covering the guest's RAM from byte 1 MiB on (15 MiB: far from the rings).
 */
function aliasingChain(
  drv: VirtioTestDriver,
  q: number,
  readable: { addr: number; len: number }[],
  writableCount: number,
): number {
  const all = [
    ...readable.map((d) => ({ ...d, flags: 0 })),
    ...Array.from({ length: writableCount }, () => ({
      addr: RAM_BASE + MiB,
      len: 15 * MiB,
      flags: WRITE,
    })),
  ];
  all.forEach((d, i) =>
    drv.writeDescriptor(q, i, d.addr, d.len, d.flags | (i < all.length - 1 ? NEXT : 0), i + 1)
  );
  drv.publishAvailable(q, 0);
  return all.reduce((n, d) => n + d.len, 0);
}

function measure(fn: () => void): { ms: number; rssGrowth: number } {
  const rss0 = Deno.memoryUsage().rss;
  const t0 = performance.now();
  fn();
  return { ms: performance.now() - t0, rssGrowth: Deno.memoryUsage().rss - rss0 };
}

Deno.test("virtio-rng: a 1 GiB aliasing request gets at most its 64 KiB budget, in bounded memory", async () => {
  const { drv } = await open(rng, { seed: 3 });
  drv.setupQueue(0, 64);
  drv.driverOk();
  const total = aliasingChain(drv, 0, [], 64);
  assert(total > 900 * MiB);
  const m = measure(() => drv.notify(0));
  const used = drv.takeUsed(0);
  assertEquals(used.length, 1);
  assertEquals(used[0].len, RNG_REQUEST_BUDGET);
  assert(m.rssGrowth < 64 * MiB, `host memory grew ${m.rssGrowth} bytes`);
  console.log(`rng: 1 GiB aliasing chain served in ${m.ms.toFixed(1)} ms`);
});

Deno.test("virtio-console: a 1 GiB aliasing transmit request is refused (NEEDS_RESET) without allocating it", async () => {
  const { drv } = await open(console_, { output: "log" });
  drv.setupQueue(0, 64);
  drv.setupQueue(CONSOLE_TRANSMITQ, 64);
  drv.driverOk();
  const readable = Array.from({ length: 64 }, () => ({ addr: RAM_BASE + MiB, len: 15 * MiB }));
  // Readable descriptors on the transmit queue: the guest's output.
  readable.forEach((d, i) =>
    drv.writeDescriptor(CONSOLE_TRANSMITQ, i, d.addr, d.len, i < 63 ? NEXT : 0, i + 1)
  );
  drv.publishAvailable(CONSOLE_TRANSMITQ, 0);
  const m = measure(() => drv.notify(CONSOLE_TRANSMITQ));
  assert(drv.status & STATUS.DEVICE_NEEDS_RESET, "the device asks for a reset");
  assert(m.rssGrowth < 64 * MiB, `host memory grew ${m.rssGrowth} bytes`);
  assert(m.ms < 1000, `took ${m.ms} ms`);
});

Deno.test("virtio-blk: a 1 GiB aliasing read is answered IOERR within its budget; 4 MiB reads work through a 256 KiB buffer", async () => {
  const path = await Deno.makeTempFile({ suffix: ".img" });
  try {
    await Deno.writeFile(path, new Uint8Array(8 * MiB).map((_, i) => i & 0xff));
    const { drv, host } = await open(blk, { path });
    drv.setupQueue(0, 128);
    drv.driverOk();
    const hdr = drv.alloc(16);
    host.ram.set([VIRTIO_BLK_T_IN, 0, 0, 0], hdr - RAM_BASE);
    const status = drv.alloc(1);
    const desc = [
      { addr: hdr, len: 16, flags: 0 },
      ...Array.from({ length: 64 }, () => ({ addr: RAM_BASE + MiB, len: 15 * MiB, flags: WRITE })),
      { addr: status, len: 1, flags: WRITE },
    ];
    desc.forEach((d, i) =>
      drv.writeDescriptor(0, i, d.addr, d.len, d.flags | (i < desc.length - 1 ? NEXT : 0), i + 1)
    );
    drv.publishAvailable(0, 0);
    const m = measure(() => drv.notify(0));
    drv.takeUsed(0);
    assertEquals(host.ram[status - RAM_BASE], VIRTIO_BLK_S_IOERR);
    assert(m.rssGrowth < 64 * MiB && m.ms < 1000, `${m.ms} ms, ${m.rssGrowth} bytes`);
    // A request at the budget is served, through the fixed chunk buffer.
    drv.submit(
      0,
      [new Uint8Array([VIRTIO_BLK_T_IN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
      [
        BLK_REQUEST_BUDGET,
        1,
      ],
    );
    drv.notify(0);
    const [u] = drv.takeUsed(0);
    assertEquals(u.written[1][0], 0);
    assertEquals(u.written[0][300_000], 300_000 & 0xff);
  } finally {
    await Deno.remove(path);
  }
});
