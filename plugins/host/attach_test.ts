import { assert, assertEquals, assertRejects, assertThrows } from "@gunyah-ts/tests/assert";
import { VmMmioBus } from "@gunyah-ts/core";
import { MmioResult } from "@gunyah-ts/core/plugin";
import { FakeDeviceHost, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import { qemuVirtPlatform } from "@gunyah-ts/platform-qemu-virt";
import { attachDevicePlugins, type DevicePluginConfig, prepareDevicePlugins } from "./attach.ts";

const none = { read: [], write: [] };

Deno.test("attach: builtin and relative plugins get consecutive virtio-mmio slots, bus regions and DT nodes", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/disk.img`, new Uint8Array(1024));
  const host = new FakeDeviceHost();
  const bus = new VmMmioBus();
  const devices: DevicePluginConfig[] = [
    { plugin: "builtin:virtio-rng", isolate: false, permissions: none, options: { seed: 1 } },
    {
      plugin: new URL(import.meta.resolve("@gunyah-ts/virtio-blk")).pathname,
      isolate: true,
      permissions: { read: ["disk.img"], write: [] },
      options: { path: "disk.img", readOnly: true, mmioBase: 0 },
    },
  ];
  const attached = await attachDevicePlugins(
    { host, bus, ram: [host.memory.mapping] },
    devices,
    qemuVirtPlatform,
    dir,
  );
  try {
    assertEquals(attached.devices.length, 2);
    assertEquals(attached.dt.map((n) => n.name), ["virtio_mmio@a000000", "virtio_mmio@a000200"]);
    assertEquals(attached.dt[1].props.interrupts, [0, 17, 1]);
    assertEquals(bus.read(0x0a00_0008, 4, 0), MmioResult.Handled);
    assertEquals(bus.dataLo, 4); // rng at slot 0
    assertEquals(bus.read(0x0a00_0208, 4, 0), MmioResult.Handled);
    assertEquals(bus.dataLo, 2); // blk (isolated) at slot 1, despite its configured mmioBase
    assertEquals(bus.read(0x0a00_0300, 4, 0), MmioResult.Handled);
    assertEquals(bus.dataLo, 2); // capacity: 1024 bytes = 2 sectors
    assert(attached.devices[1].describe().isolated);
  } finally {
    await attached.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("attach: a failing device names itself and closes those already made", async () => {
  const host = new FakeDeviceHost();
  const bus = new VmMmioBus();
  await assertRejects(
    () =>
      attachDevicePlugins(
        { host, bus, ram: [host.memory.mapping] },
        [
          { plugin: "builtin:virtio-rng", isolate: true, permissions: none, options: {} },
          { plugin: "builtin:virtio-nope", isolate: false, permissions: none, options: {} },
        ],
        qemuVirtPlatform,
        "/tmp",
      ),
    Error,
    "device 1 (builtin:virtio-nope): unknown built-in device plugin",
  );
});

Deno.test("prepare/bind: devices made before the VM exist, bound once, refused on a taken slot", async () => {
  const prepared = await prepareDevicePlugins(
    [{ plugin: "builtin:template", isolate: true, permissions: none, options: { pattern: "xy" } }],
    qemuVirtPlatform,
    "/tmp",
  );
  try {
    const host = new FakeDeviceHost();
    const taken = new VmMmioBus();
    taken.addRegion({
      base: 0x0a00_0000,
      size: 0x200,
      read: () => MmioResult.Handled,
      write: () => MmioResult.Handled,
    });
    assertThrows(
      () => prepared.bind({ host, bus: taken, ram: [host.memory.mapping] }),
      Error,
      "slot 0",
    );
    const bus = new VmMmioBus();
    const attached = prepared.bind({ host, bus, ram: [host.memory.mapping] });
    assertEquals(attached.dt.map((n) => n.name), ["virtio_mmio@a000000"]);
    assertThrows(() => prepared.bind({ host, bus, ram: [host.memory.mapping] }), Error, "already");
    const drv = new VirtioTestDriver(attached.devices[0].regions[0], host);
    assert(drv.init());
    drv.setupQueue(0, 4);
    drv.driverOk();
    drv.submit(0, [], [3]);
    drv.notify(0);
    assertEquals(new TextDecoder().decode(drv.takeUsed(0)[0].written[0]), "xyx");
    assertEquals(host.risingEdges(48), 1);
  } finally {
    await prepared.close();
  }
});
