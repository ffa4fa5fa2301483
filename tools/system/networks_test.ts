import { assert, assertEquals, assertRejects, assertThrows } from "@gunyah-ts/tests/assert";
import { VmMmioBus } from "@gunyah-ts/core";
import { FakeDeviceHost, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import { qemuVirtPlatform } from "@gunyah-ts/platform-qemu-virt";
import { prepareDevicePlugins } from "@gunyah-ts/plugin-host";
import { SystemNetworks } from "./networks.ts";

const none = { read: [], write: [] };
const HDR = 12;

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A VM with one virtio-net device on `lan` (in-process or sandboxed), driven by a test driver. */
async function vmOn(networks: SystemNetworks, name: string, isolate: boolean) {
  const host = new FakeDeviceHost();
  const bus = new VmMmioBus();
  const vmNets = networks.forVm(name);
  const prepared = await prepareDevicePlugins(
    [{ plugin: "builtin:virtio-net", isolate, permissions: none, options: {}, net: "lan" }],
    qemuVirtPlatform,
    "/tmp",
    () => {},
    vmNets,
  );
  const attached = prepared.bind({ host, bus, ram: [host.memory.mapping] });
  const drv = new VirtioTestDriver(attached.devices[0].regions[0], host);
  assert(drv.init());
  assert(drv.setupQueue(0, 16));
  assert(drv.setupQueue(1, 16));
  drv.driverOk();
  for (let i = 0; i < 8; i++) drv.submit(0, [], [1526]);
  drv.notify(0);
  const mac = [0, 1, 2, 3, 4, 5].map((i) => drv.config(i, 1));
  return {
    drv,
    mac,
    device: attached.devices[0],
    close: async () => {
      vmNets.detach();
      await prepared.close();
    },
  };
}

function frameTo(dst: number[], src: number[], tag: number): Uint8Array {
  const f = new Uint8Array(HDR + 60);
  f.set(dst, HDR);
  f.set(src, HDR + 6);
  f[HDR + 12] = 0x88;
  f[HDR + 13] = 0xb5; // IEEE 802 local experimental EtherType
  f[HDR + 14] = tag;
  return f;
}

Deno.test("networks: an in-process and a sandboxed virtio-net exchange frames over a segment", async () => {
  const networks = new SystemNetworks([{ name: "lan" }]);
  const a = await vmOn(networks, "a", false);
  const b = await vmOn(networks, "b", true);
  try {
    // Default MACs count from QEMU's 52:54:00:12:34:56 by interface ordinal.
    assertEquals(a.mac, [0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    assertEquals(b.mac, [0x52, 0x54, 0, 0x12, 0x34, 0x57]);
    assertEquals(networks.interfaces.map((i) => i.port), ["a.eth0", "b.eth0"]);
    // a → broadcast: reaches b's worker by message.
    a.drv.submit(1, [frameTo([255, 255, 255, 255, 255, 255], a.mac, 1)], []);
    a.drv.notify(1);
    let got: Uint8Array[] = [];
    await until("b's receive buffer", () => {
      got = got.concat(b.drv.takeUsed(0).map((u) => u.written[0].subarray(0, u.len)));
      return got.length > 0;
    });
    assertEquals(got[0][HDR + 14], 1);
    assertEquals([...got[0].subarray(HDR + 6, HDR + 12)], a.mac);
    // b → a, unicast (a was learned): back through the worker's message and the segment.
    b.drv.submit(1, [frameTo(a.mac, b.mac, 2)], []);
    b.drv.notify(1);
    await until("a's receive buffer", () => a.drv.usedIdx(0) > 0);
    const back = a.drv.takeUsed(0);
    assertEquals(back[0].written[0][HDR + 14], 2);
    const ports = Object.fromEntries(
      networks.segment("lan").ports().map((p) => [p.name, p]),
    );
    assertEquals([ports["a.eth0"].rxFrames, ports["a.eth0"].txFrames], [1, 1]);
    assertEquals([ports["b.eth0"].rxFrames, ports["b.eth0"].txFrames], [1, 1]);
    await until("b's snapshot", () => b.device.describe().txFrames === 1);
    assertEquals(b.device.describe().rxFrames, 1);
  } finally {
    await a.close();
    await b.close();
  }
  assertEquals(networks.segment("lan").ports(), []);
});

Deno.test("networks: an unknown segment or a host without networks is refused, naming it", async () => {
  const networks = new SystemNetworks([{ name: "lan" }]);
  assertThrows(
    () => networks.segment("wan"),
    Error,
    "no network segment named 'wan' (segments: lan)",
  );
  await assertRejects(
    () =>
      prepareDevicePlugins(
        [{
          plugin: "builtin:virtio-net",
          isolate: false,
          permissions: none,
          options: {},
          net: "wan",
        }],
        qemuVirtPlatform,
        "/tmp",
        () => {},
        networks.forVm("x"),
      ),
    Error,
    "device 0 (builtin:virtio-net): no network segment named 'wan'",
  );
  await assertRejects(
    () =>
      prepareDevicePlugins(
        [{
          plugin: "builtin:virtio-net",
          isolate: false,
          permissions: none,
          options: {},
          net: "lan",
        }],
        qemuVirtPlatform,
        "/tmp",
      ),
    Error,
    "names segment 'lan', but this host offers no networks",
  );
  await assertRejects(
    () =>
      prepareDevicePlugins(
        [{
          plugin: "builtin:virtio-net",
          isolate: "process",
          permissions: none,
          options: {},
          net: "lan",
        }],
        qemuVirtPlatform,
        "/tmp",
        () => {},
        networks.forVm("y"),
      ),
    Error,
    "isolate: process cannot join a network yet",
  );
  // A virtio-net whose entry names no segment is told how to give it one.
  await assertRejects(
    () =>
      prepareDevicePlugins(
        [{ plugin: "builtin:virtio-net", isolate: false, permissions: none, options: {} }],
        qemuVirtPlatform,
        "/tmp",
      ),
    Error,
    "names no network segment",
  );
});
