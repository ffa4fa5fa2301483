import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { FakeDeviceHost, STATUS, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import { VirtioConsoleDevice } from "./mod.ts";
import plugin from "./mod.ts";

async function open(options: Record<string, unknown> = {}) {
  const host = new FakeDeviceHost();
  const device = await plugin.create(host, {
    mmioBase: 0x0a00_0200,
    intid: 49,
    output: "log",
    ...options,
  });
  assert(device instanceof VirtioConsoleDevice);
  const drv = new VirtioTestDriver(device.regions[0], host);
  assert(drv.init());
  assertEquals(drv.deviceId, 3);
  assert(drv.setupQueue(0, 8));
  assert(drv.setupQueue(1, 8));
  drv.driverOk();
  return { host, drv, device };
}

Deno.test("virtio-console: guest output reaches the sink", async () => {
  const { host, drv } = await open();
  const enc = new TextEncoder();
  drv.submit(1, [enc.encode("hello "), enc.encode("world")], []);
  drv.notify(1);
  assertEquals(drv.takeUsed(1).map((u) => u.len), [0]);
  assertEquals(host.logs, ["virtio-console: hello world"]);
  assertEquals(drv.ackInterrupt(), 1);
});

Deno.test("virtio-console: host input waits for receive buffers and spans them", async () => {
  const { drv, device } = await open({ input: "ab" });
  assert(device instanceof VirtioConsoleDevice);
  device.input(new TextEncoder().encode("cdefg"));
  assertEquals(device.console.pendingInput, 7);
  drv.submit(0, [], [4]);
  drv.notify(0);
  drv.submit(0, [], [8]);
  drv.notify(0);
  const used = drv.takeUsed(0);
  const dec = new TextDecoder();
  assertEquals(used.map((u) => u.len), [4, 3]);
  assertEquals(dec.decode(used[0].written[0]), "abcd");
  assertEquals(dec.decode(used[1].written[0].subarray(0, 3)), "efg");
  assertEquals(device.console.pendingInput, 0);
  // Input while a buffer is already offered is delivered at once.
  drv.submit(0, [], [4]);
  drv.notify(0);
  device.input(new Uint8Array([0x7a]));
  assertEquals(drv.takeUsed(0).map((u) => u.len), [1]);
});

Deno.test("virtio-console: a malformed receive ring met by host input sets DEVICE_NEEDS_RESET", async () => {
  const { drv, device } = await open();
  assert(device instanceof VirtioConsoleDevice);
  drv.writeDescriptor(0, 0, 0x1000, 4, 2, 0); // not RAM
  drv.publishAvailable(0, 0);
  device.input(new Uint8Array([1]));
  assert(drv.status & STATUS.DEVICE_NEEDS_RESET);
});

Deno.test("virtio-console: output to a file", async () => {
  const path = await Deno.makeTempFile();
  try {
    const { drv } = await open({ output: { file: path } });
    drv.submit(1, [new TextEncoder().encode("to file")], []);
    drv.notify(1);
    assertEquals(await Deno.readTextFile(path), "to file");
  } finally {
    await Deno.remove(path);
  }
});
