import { assert, assertEquals, assertRejects } from "@gunyah-ts/tests/assert";
import { FakeDeviceHost, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import {
  createIsolatedDevice,
  type IsolatedDevice,
  type SandboxPermissions,
} from "./isolated_device.ts";

const BLK = import.meta.resolve("@gunyah-ts/virtio-blk");
const RNG = import.meta.resolve("@gunyah-ts/virtio-rng");
const CONSOLE = import.meta.resolve("@gunyah-ts/virtio-console");
const PLACE = { mmioBase: 0x0a00_0000, intid: 48 };
/** Nothing granted: no host file may be read or written. */
const NO_FILES: SandboxPermissions = { read: [], write: [] };

/** Start the plugin at `pluginUrl` in a sandboxed Worker on `host`, sharing all of its RAM. */
function sandboxed(
  host: FakeDeviceHost,
  pluginUrl: string,
  permissions: SandboxPermissions,
  options: Readonly<Record<string, unknown>>,
): Promise<IsolatedDevice> {
  return createIsolatedDevice({
    pluginUrl,
    host,
    ram: [host.memory.mapping],
    permissions,
    options,
  });
}

/** A driver that has initialised `dev`, set up one queue per entry of `queueSizes` and set DRIVER_OK. */
function startDriver(
  dev: IsolatedDevice,
  host: FakeDeviceHost,
  queueSizes: readonly number[],
): VirtioTestDriver {
  const drv = new VirtioTestDriver(dev.regions[0], host);
  assert(drv.init());
  for (let q = 0; q < queueSizes.length; q++) assert(drv.setupQueue(q, queueSizes[q]));
  drv.driverOk();
  return drv;
}

function blkRead(drv: VirtioTestDriver, sector: number) {
  const h = new Uint8Array(16);
  new DataView(h.buffer).setUint32(8, sector, true); // type 0: VIRTIO_BLK_T_IN
  drv.submit(0, [h], [512, 1]);
  drv.notify(0);
  return drv.takeUsed(0)[0];
}

Deno.test("sandbox: virtio-blk in a Worker reads its granted image; everything else is NotCapable", async () => {
  const dir = await Deno.makeTempDir();
  const image = `${dir}/disk.img`;
  const other = `${dir}/other.img`;
  await Deno.writeFile(image, new Uint8Array(4096).fill(0x5a));
  await Deno.writeFile(other, new Uint8Array(4096));
  try {
    const host = new FakeDeviceHost({ ramSize: 0x4_0000 });
    const dev = await sandboxed(host, BLK, { read: [image], write: [] }, {
      ...PLACE,
      path: image,
      readOnly: true,
    });
    try {
      const drv = startDriver(dev, host, [8]);
      assertEquals(drv.deviceId, 2);
      const used = blkRead(drv, 3);
      assertEquals(used.len, 513);
      assertEquals(used.written[0][0], 0x5a);
      assertEquals(used.written[1][0], 0); // VIRTIO_BLK_S_OK
      assertEquals(host.risingEdges(48), 1); // the interrupt came back through the mailbox
    } finally {
      await dev.close();
    }

    // Another path than the one granted: refused by the sandbox.
    await assertRejects(
      () =>
        sandboxed(host, BLK, { read: [image], write: [] }, {
          ...PLACE,
          path: other,
          readOnly: true,
        }),
      Error,
      "NotCapable",
    );
    // Writable disk with read permission only: opening for write is refused.
    await assertRejects(
      () => sandboxed(host, BLK, { read: [image], write: [] }, { ...PLACE, path: image }),
      Error,
      "NotCapable",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sandbox: a writable disk with read and write permission on its image writes it", async () => {
  const dir = await Deno.makeTempDir();
  const image = `${dir}/disk.img`;
  await Deno.writeFile(image, new Uint8Array(2048));
  try {
    const host = new FakeDeviceHost({ ramSize: 0x4_0000 });
    const dev = await sandboxed(host, BLK, { read: [image], write: [image] }, {
      ...PLACE,
      path: image,
    });
    try {
      const drv = startDriver(dev, host, [8]);
      const h = new Uint8Array(16);
      const hv = new DataView(h.buffer);
      hv.setUint32(0, 1, true); // VIRTIO_BLK_T_OUT
      hv.setUint32(8, 2, true);
      drv.submit(0, [h, new Uint8Array(512).fill(0xc3)], [1]);
      drv.notify(0);
      const used = drv.takeUsed(0);
      assertEquals(used[0].written[0][0], 0); // VIRTIO_BLK_S_OK
    } finally {
      await dev.close();
    }
    const file = await Deno.readFile(image);
    assertEquals([file[1023], file[1024], file[1535], file[1536]], [0, 0xc3, 0xc3, 0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sandbox: a plugin without permissions cannot touch the host file system", async () => {
  const host = new FakeDeviceHost();
  await assertRejects(
    () =>
      sandboxed(host, CONSOLE, NO_FILES, {
        ...PLACE,
        output: { file: "/tmp/gunyah-ts-sandbox-should-not-exist" },
      }),
    Error,
    "NotCapable",
  );
});

Deno.test("sandbox: isolated console takes host input by call() and logs output; mailbox round trip measured", async () => {
  const host = new FakeDeviceHost();
  const dev = await sandboxed(host, CONSOLE, NO_FILES, { ...PLACE, output: "log" });
  try {
    assert(dev.methods.includes("input"));
    const drv = startDriver(dev, host, [8, 8]);
    drv.submit(1, [new TextEncoder().encode("hi")], []);
    drv.notify(1);
    drv.submit(0, [], [8]);
    drv.notify(0);
    dev.call("input", new TextEncoder().encode("yo"));
    // Asynchronous input: wait for the worker's used buffer and its interrupt message.
    for (let i = 0; i < 200 && drv.usedIdx(0) === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const used = drv.takeUsed(0);
    assertEquals(new TextDecoder().decode(used[0].written[0].subarray(0, used[0].len)), "yo");
    for (let i = 0; i < 200 && !host.logs.includes("virtio-console: hi"); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert(host.logs.includes("virtio-console: hi"), host.logs.join("|"));

    const n = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) drv.read(0x000);
    const us = ((performance.now() - t0) * 1000) / n;
    console.log(`isolated MMIO read round trip: ${us.toFixed(1)} µs`);
    assert(us < 5000);
  } finally {
    await dev.close();
  }
});

Deno.test("sandbox: a module that is not a device plugin is refused", async () => {
  const host = new FakeDeviceHost();
  await assertRejects(
    () => sandboxed(host, new URL("./mailbox.ts", import.meta.url).href, NO_FILES, PLACE),
    Error,
    "refused",
  );
});

Deno.test("sandbox: seeded rng in a Worker gives the same bytes as in-process", async () => {
  const host = new FakeDeviceHost();
  const dev = await sandboxed(host, RNG, NO_FILES, { ...PLACE, seed: 3 });
  try {
    const drv = startDriver(dev, host, [4]);
    drv.submit(0, [], [8]);
    drv.notify(0);
    const isolated = [...drv.takeUsed(0)[0].written[0]];
    const { SeededSource } = await import(RNG);
    const expect = new Uint8Array(8);
    new SeededSource(3).fill(expect);
    assertEquals(isolated, [...expect]);
  } finally {
    await dev.close();
  }
});
