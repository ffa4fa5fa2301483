import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { contractProblems } from "@gunyah-ts/core/plugin";
import { FakeDeviceHost, STATUS, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import plugin from "./mod.ts";

Deno.test("template: satisfies the device-plugin contract", () => {
  assertEquals(contractProblems(plugin, "device"), []);
});

Deno.test("template: a driver reads the pattern, across requests", async () => {
  const host = new FakeDeviceHost();
  const device = await plugin.create(host, { mmioBase: 0x0a00_0000, intid: 48, pattern: "abc" });
  const drv = new VirtioTestDriver(device.regions[0], host);
  assert(drv.init());
  assert(drv.setupQueue(0, 4));
  drv.driverOk();
  drv.submit(0, [], [4]);
  drv.submit(0, [], [2]);
  drv.notify(0);
  const used = drv.takeUsed(0).map((u) => new TextDecoder().decode(u.written[0]));
  assertEquals(used, ["abca", "bc"]);
  assertEquals(host.risingEdges(48), 1);
  assertEquals(device.describe().served, 2);
});

Deno.test("template: a malformed chain leaves the device needing reset, not the host crashed", async () => {
  const host = new FakeDeviceHost();
  const device = await plugin.create(host, { mmioBase: 0x0a00_0000, intid: 48 });
  const drv = new VirtioTestDriver(device.regions[0], host);
  drv.init();
  drv.setupQueue(0, 4);
  drv.driverOk();
  drv.writeDescriptor(0, 0, 0xdead_0000, 4, 2, 0);
  drv.publishAvailable(0, 0);
  drv.notify(0);
  assert(drv.status & STATUS.DEVICE_NEEDS_RESET);
});
