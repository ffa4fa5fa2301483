import { assert, assertEquals, assertRejects } from "@gunyah-ts/tests/assert";
import { FakeDeviceHost, STATUS, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import plugin, {
  NET_RX_BACKLOG_FRAMES,
  VIRTIO_NET_F_MAC,
  VIRTIO_NET_F_MRG_RXBUF,
  VIRTIO_NET_F_STATUS,
  VIRTIO_NET_HDR_BYTES,
  VirtioNetDevice,
} from "./mod.ts";

const HDR = VIRTIO_NET_HDR_BYTES;

/** An Ethernet frame from `src` (last octet) to `dst` (last octet; 0xff: broadcast) of `len` bytes. */
function frame(dst: number, src: number, len: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst === 0xff ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff] : [0x52, 0x54, 0, 0, 0, dst], 0);
  f.set([0x52, 0x54, 0, 0, 0, src], 6);
  f[12] = 0x08;
  for (let i = 14; i < len; i++) f[i] = (i * 13) & 0xff;
  return f;
}

async function open(
  options: Record<string, unknown> = {},
  accept?: (features: [number, number]) => [number, number],
) {
  const host = new FakeDeviceHost();
  const device = await plugin.create(host, { mmioBase: 0x0a00_0000, intid: 48, ...options });
  assert(device instanceof VirtioNetDevice);
  const drv = new VirtioTestDriver(device.regions[0], host);
  assertEquals(drv.deviceId, 1);
  const offered = drv.deviceFeatures();
  assert(drv.init(accept ? accept(offered) : offered));
  assert(drv.setupQueue(0, 16));
  assert(drv.setupQueue(1, 16));
  drv.driverOk();
  return { host, drv, device, offered };
}

Deno.test("virtio-net: features, MAC from the interface ordinal, link up", async () => {
  const { drv, offered } = await open({ netInterface: 2 });
  const want = (1 << VIRTIO_NET_F_MAC) | (1 << VIRTIO_NET_F_MRG_RXBUF) |
    (1 << VIRTIO_NET_F_STATUS);
  assertEquals(offered[0], want);
  assertEquals(offered[1], 1); // VERSION_1
  const mac = [0, 1, 2, 3, 4, 5].map((i) => drv.config(i, 1));
  assertEquals(mac, [0x52, 0x54, 0x00, 0x12, 0x34, 0x58]);
  assertEquals(drv.config(6, 2), 1);
  const { drv: d2 } = await open({ mac: "02:00:00:00:00:07" });
  assertEquals(d2.config(5, 1), 7);
});

Deno.test("virtio-net: a bad MAC option or no network is refused with a clear message", async () => {
  const host = new FakeDeviceHost();
  await assertRejects(
    () =>
      Promise.resolve(plugin.create(host, { mmioBase: 0, intid: 48, mac: "01:00:5e:00:00:01" })),
    Error,
    "not a unicast address",
  );
  await assertRejects(
    () => Promise.resolve(plugin.create(host, { mmioBase: 0, intid: 48, mac: "52:54" })),
    Error,
    "option 'mac' must be a MAC address",
  );
  const bare = { ...new FakeDeviceHost(), connectEthernet: undefined };
  await assertRejects(
    () =>
      Promise.resolve(
        plugin.create(Object.assign(new FakeDeviceHost(), bare), { mmioBase: 0, intid: 48 }),
      ),
    Error,
    "offers no networks",
  );
});

Deno.test("virtio-net: transmit strips the header and counts frames and bytes", async () => {
  const { host, drv, device } = await open();
  const f = frame(2, 1, 60);
  // Header and frame in separate descriptors, and together in one.
  drv.submit(1, [new Uint8Array(HDR), f], []);
  const one = new Uint8Array(HDR + 42);
  one.set(frame(0xff, 1, 42), HDR);
  drv.submit(1, [one], []);
  drv.notify(1);
  assertEquals(drv.takeUsed(1).length, 2);
  assertEquals(host.framesSent.length, 2);
  assertEquals([...host.framesSent[0]], [...f]);
  assertEquals(host.framesSent[1].length, 42);
  const c = device.net.counters;
  assertEquals([c.txFrames, c.txBytes], [2, 102]);
  host.linkAccepts = false;
  drv.submit(1, [one], []);
  drv.notify(1);
  assertEquals(c.txDropsLink, 1);
});

Deno.test("virtio-net: receive fills one mergeable buffer per small frame, num_buffers 1", async () => {
  const { host, drv, device } = await open();
  drv.submit(0, [], [1526]);
  drv.notify(0);
  const f = frame(0x56, 2, 98);
  assert(host.netDevice!.receive(f));
  const used = drv.takeUsed(0);
  assertEquals(used.length, 1);
  assertEquals(used[0].len, HDR + 98);
  const buf = used[0].written[0];
  assertEquals(buf[10] | (buf[11] << 8), 1);
  assertEquals([...buf.subarray(HDR, HDR + 98)], [...f]);
  assertEquals(device.net.counters.rxFrames, 1);
  assertEquals(drv.ackInterrupt() & 1, 1);
});

Deno.test("virtio-net: a frame spans several mergeable buffers and num_buffers says how many", async () => {
  const { host, drv } = await open();
  for (let i = 0; i < 4; i++) drv.submit(0, [], [512]);
  drv.notify(0);
  const f = frame(0x56, 2, 1514);
  assert(host.netDevice!.receive(f));
  const used = drv.takeUsed(0);
  assertEquals(used.map((u) => u.len), [512, 512, 502]);
  const got = new Uint8Array(1514 + HDR);
  let at = 0;
  for (const u of used) {
    got.set(u.written[0].subarray(0, u.len), at);
    at += u.len;
  }
  assertEquals(got[10] | (got[11] << 8), 3);
  assertEquals([...got.subarray(HDR)], [...f]);
});

Deno.test("virtio-net: a frame waits until enough buffers are offered, none is consumed meanwhile", async () => {
  const { host, drv, device } = await open();
  drv.submit(0, [], [512]);
  drv.notify(0);
  assert(host.netDevice!.receive(frame(0x56, 2, 1000)));
  assertEquals(drv.takeUsed(0).length, 0);
  assertEquals(device.net.backlog, 1);
  drv.submit(0, [], [512]);
  drv.submit(0, [], [512]);
  drv.notify(0);
  assertEquals(drv.takeUsed(0).map((u) => u.len), [512, 500]);
  assertEquals(device.net.backlog, 0);
});

Deno.test("virtio-net: without MRG_RXBUF a buffer too small for the frame is a counted drop", async () => {
  const { host, drv, device } = await open({}, ([lo, hi]) => [lo & ~(1 << 15), hi]);
  drv.submit(0, [], [100]);
  drv.submit(0, [], [1526]);
  drv.notify(0);
  assert(host.netDevice!.receive(frame(0x56, 2, 200)));
  assert(host.netDevice!.receive(frame(0x56, 2, 200)));
  const used = drv.takeUsed(0);
  assertEquals(used.map((u) => u.len), [0, HDR + 200]);
  assertEquals(device.net.counters.rxDropsBufferTooSmall, 1);
  assertEquals(device.net.counters.rxFrames, 1);
});

Deno.test("virtio-net: backpressure drops beyond the backlog, counted, never silent", async () => {
  const { host, drv, device } = await open();
  const f = frame(0x56, 2, 60);
  let taken = 0;
  for (let i = 0; i < NET_RX_BACKLOG_FRAMES + 10; i++) if (host.netDevice!.receive(f)) taken++;
  assertEquals(taken, NET_RX_BACKLOG_FRAMES);
  assertEquals(device.net.counters.rxDropsBacklog, 10);
  for (let i = 0; i < 8; i++) drv.submit(0, [], [1526]);
  drv.notify(0);
  assertEquals(drv.takeUsed(0).length, 8);
  assertEquals(device.net.backlog, NET_RX_BACKLOG_FRAMES - 8);
  // Before DRIVER_OK (after a reset) frames are refused and counted too.
  drv.write(0x70, 0);
  assertEquals(host.netDevice!.receive(f), false);
  assertEquals(device.net.counters.rxDropsNotReady, 1);
});

Deno.test("virtio-net: malformed transmit chains are counted drops or NEEDS_RESET", async () => {
  const { host, drv, device } = await open();
  drv.submit(1, [new Uint8Array(8)], []); // shorter than the header
  drv.submit(1, [new Uint8Array(HDR + 1519)], []); // longer than a frame
  const csum = new Uint8Array(HDR + 60);
  csum[0] = 1; // NEEDS_CSUM, not negotiated
  drv.submit(1, [csum], []);
  drv.notify(1);
  assertEquals(drv.takeUsed(1).length, 3);
  const c = device.net.counters;
  assertEquals([c.txDropsMalformed, c.txDropsOversize, c.txFrames], [2, 1, 0]);
  assertEquals(host.framesSent.length, 0);
  assertEquals(drv.status & STATUS.DEVICE_NEEDS_RESET, 0);
  // A device-writable buffer in a transmit chain.
  drv.submit(1, [new Uint8Array(HDR + 60)], [16]);
  drv.notify(1);
  assert(drv.status & STATUS.DEVICE_NEEDS_RESET);
  assertEquals(c.needsReset, 1);
  assertEquals(host.netDevice!.receive(frame(0x56, 2, 60)), false);
});

Deno.test("virtio-net: a device-readable buffer in a receive chain sets NEEDS_RESET", async () => {
  const { host, drv, device } = await open();
  drv.submit(0, [new Uint8Array(16)], [1526]);
  drv.notify(0);
  host.netDevice!.receive(frame(0x56, 2, 60));
  assert(drv.status & STATUS.DEVICE_NEEDS_RESET);
  assertEquals(device.net.counters.needsReset, 1);
  assertEquals(device.net.counters.rxFrames, 0);
});

Deno.test("virtio-net: aliased receive descriptors cost one frame, not their sum", async () => {
  const { host, drv, device } = await open();
  // Sixteen chains all pointing at one 64 KiB range: a frame still takes one buffer.
  const { size } = drv.queueAreas(0);
  const addr = drv.alloc(0x1_0000, 16);
  for (let i = 0; i < size; i++) {
    drv.writeDescriptor(0, i, addr, 0x1_0000, 2, 0);
    drv.publishAvailable(0, i);
  }
  drv.notify(0);
  for (let i = 0; i < 4; i++) assert(host.netDevice!.receive(frame(0x56, 2, 1514)));
  assertEquals(device.net.counters.rxFrames, 4);
  assertEquals(drv.usedIdx(0), 4);
});
