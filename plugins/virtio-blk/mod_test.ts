import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { FakeDeviceHost, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import plugin, {
  VIRTIO_BLK_F_FLUSH,
  VIRTIO_BLK_F_RO,
  VIRTIO_BLK_S_IOERR,
  VIRTIO_BLK_S_OK,
  VIRTIO_BLK_S_UNSUPP,
  VIRTIO_BLK_T_FLUSH,
  VIRTIO_BLK_T_GET_ID,
  VIRTIO_BLK_T_IN,
  VIRTIO_BLK_T_OUT,
} from "./mod.ts";

function header(type: number, sector: number): Uint8Array {
  const h = new Uint8Array(16);
  const v = new DataView(h.buffer);
  v.setUint32(0, type, true);
  v.setUint32(8, sector, true);
  return h;
}

async function withImage(fn: (path: string) => Promise<void>) {
  const path = await Deno.makeTempFile({ suffix: ".img" });
  const img = new Uint8Array(8 * 512);
  for (let i = 0; i < img.length; i++) img[i] = (i * 7) & 0xff;
  await Deno.writeFile(path, img);
  try {
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

async function open(path: string, extra: Record<string, unknown> = {}) {
  const host = new FakeDeviceHost({ ramSize: 0x4_0000 });
  const device = await plugin.create(host, { mmioBase: 0x0a00_0400, intid: 50, path, ...extra });
  const drv = new VirtioTestDriver(device.regions[0], host);
  assert(drv.init());
  assertEquals(drv.deviceId, 2);
  assert(drv.setupQueue(0, 16));
  drv.driverOk();
  return { host, drv, device };
}

function request(drv: VirtioTestDriver, out: Uint8Array[], inLens: number[]) {
  drv.submit(0, out, inLens);
  drv.notify(0);
  const used = drv.takeUsed(0);
  assertEquals(used.length, 1);
  const last = used[0].written[used[0].written.length - 1];
  return { used: used[0], status: last[last.length - 1] };
}

Deno.test("virtio-blk: capacity, features, read, write, flush, get-id", () =>
  withImage(async (path) => {
    const { drv, device } = await open(path, { serial: "disk-42" });
    assertEquals(drv.config(0), 8); // capacity in sectors (low word)
    assertEquals(drv.config(4), 0);
    const [lo] = drv.deviceFeatures();
    assertEquals(lo, 1 << VIRTIO_BLK_F_FLUSH);

    const r = request(drv, [header(VIRTIO_BLK_T_IN, 2)], [1024, 1]);
    assertEquals(r.status, VIRTIO_BLK_S_OK);
    assertEquals(r.used.len, 1025);
    assertEquals(r.used.written[0][0], (1024 * 7) & 0xff);
    assertEquals(r.used.written[0][1023], (2047 * 7) & 0xff);

    const data = new Uint8Array(512).fill(0xab);
    const w = request(drv, [header(VIRTIO_BLK_T_OUT, 7), data], [1]);
    assertEquals(w.status, VIRTIO_BLK_S_OK);
    assertEquals(w.used.len, 1);
    assertEquals(request(drv, [header(VIRTIO_BLK_T_FLUSH, 0)], [1]).status, VIRTIO_BLK_S_OK);
    const file = await Deno.readFile(path);
    assertEquals(file[7 * 512], 0xab);
    assertEquals(file[7 * 512 - 1], ((7 * 512 - 1) * 7) & 0xff);

    const id = request(drv, [header(VIRTIO_BLK_T_GET_ID, 0)], [20, 1]);
    assertEquals(id.status, VIRTIO_BLK_S_OK);
    assertEquals(new TextDecoder().decode(id.used.written[0].subarray(0, 7)), "disk-42");
    await device.close?.();
  }));

Deno.test("virtio-blk: out-of-range, partial-sector and unknown requests fail cleanly", () =>
  withImage(async (path) => {
    const { drv, device } = await open(path);
    assertEquals(request(drv, [header(VIRTIO_BLK_T_IN, 7)], [1024, 1]).status, VIRTIO_BLK_S_IOERR);
    assertEquals(request(drv, [header(VIRTIO_BLK_T_IN, 0)], [100, 1]).status, VIRTIO_BLK_S_IOERR);
    assertEquals(request(drv, [header(99, 0)], [1]).status, VIRTIO_BLK_S_UNSUPP);
    await device.close?.();
  }));

Deno.test("virtio-blk: read-only disk offers VIRTIO_BLK_F_RO and refuses writes", () =>
  withImage(async (path) => {
    const { drv, device } = await open(path, { readOnly: true });
    assertEquals(drv.deviceFeatures()[0] & (1 << VIRTIO_BLK_F_RO), 1 << VIRTIO_BLK_F_RO);
    const w = request(drv, [header(VIRTIO_BLK_T_OUT, 0), new Uint8Array(512)], [1]);
    assertEquals(w.status, VIRTIO_BLK_S_IOERR);
    assertEquals((await Deno.readFile(path))[1], 7);
    await device.close?.();
  }));

Deno.test("virtio-blk: missing path is an actionable error", () => {
  assertThrows(
    () => plugin.create(new FakeDeviceHost(), { mmioBase: 0x0a00_0000, intid: 48 }),
    Error,
    "path",
  );
});
