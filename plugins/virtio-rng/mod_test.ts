import { assert, assertEquals, assertNotEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { FakeDeviceHost, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import plugin from "./mod.ts";
import type { Device } from "@gunyah-ts/core/plugin";

async function open(options: Record<string, unknown>) {
  const host = new FakeDeviceHost();
  const device: Device = await plugin.create(host, {
    mmioBase: 0x0a00_0000,
    intid: 48,
    ...options,
  });
  const drv = new VirtioTestDriver(device.regions[0], host);
  assert(drv.init());
  assertEquals(drv.deviceId, 4);
  assert(drv.setupQueue(0, 8));
  drv.driverOk();
  return { host, drv, device };
}

async function draw(seed: number | undefined, lens: number[]) {
  const { drv, host } = await open(seed === undefined ? {} : { seed });
  drv.submit(0, [], lens);
  drv.notify(0);
  const used = drv.takeUsed(0);
  assertEquals(used.length, 1);
  assertEquals(used[0].len, lens.reduce((a, b) => a + b, 0));
  assertEquals(host.risingEdges(48), 1);
  return used[0].written.flatMap((b) => [...b]);
}

Deno.test("virtio-rng: seeded bytes are deterministic and fill every writable buffer", async () => {
  const a = await draw(7, [5, 11]);
  const b = await draw(7, [5, 11]);
  assertEquals(a, b);
  assertNotEquals(a, await draw(8, [5, 11]));
  assert(a.some((x) => x !== 0));
});

Deno.test("virtio-rng: host entropy without a seed", async () => {
  const a = await draw(undefined, [32]);
  assert(a.some((x) => x !== 0));
});

Deno.test("virtio-rng: bad options get an actionable error", () => {
  const host = new FakeDeviceHost();
  assertThrows(
    () => plugin.create(host, { mmioBase: 0x0a00_0000, intid: 48, seed: "x" }),
    Error,
    "seed",
  );
  assertThrows(() => plugin.create(host, { intid: 48 }), Error, "mmioBase");
});
