/**
 * The writer of the crash-consistency test (crash_test.ts): drives a
 * virtio-blk device on the image given as the first argument as a guest
 * driver would, writing sector n with a pattern naming n, a FLUSH after every
 * 8 writes, and prints `flushed <n>` once a FLUSH that covers writes 0..n-1
 * completed with VIRTIO_BLK_S_OK. It runs until it is killed.
 *
 * @module
 */
import { FakeDeviceHost, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import plugin, { VIRTIO_BLK_S_OK, VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_T_OUT } from "../mod.ts";

/** The 512-byte pattern of sector `n`. */
export function sectorPattern(n: number): Uint8Array {
  const s = new Uint8Array(512);
  const tag = new TextEncoder().encode(`sector ${n} `);
  for (let i = 0; i < 512; i++) s[i] = tag[i % tag.length];
  return s;
}

if (import.meta.main) {
  const path = Deno.args[0];
  const host = new FakeDeviceHost({ ramSize: 0x10_0000 });
  const device = await plugin.create(host, { mmioBase: 0x0a00_0000, intid: 48, path });
  const drv = new VirtioTestDriver(device.regions[0], host);
  drv.init();
  drv.setupQueue(0, 16);
  drv.driverOk();
  const header = (type: number, sector: number) => {
    const h = new Uint8Array(16);
    new DataView(h.buffer).setUint32(0, type, true);
    new DataView(h.buffer).setUint32(8, sector, true);
    return h;
  };
  const request = (out: Uint8Array[]) => {
    drv.submit(0, out, [1]);
    drv.notify(0);
    const [u] = drv.takeUsed(0);
    return u.written[0][0];
  };
  const capacity = drv.config(0);
  for (let n = 0; n < capacity; n++) {
    if (request([header(VIRTIO_BLK_T_OUT, n), sectorPattern(n)]) !== VIRTIO_BLK_S_OK) Deno.exit(2);
    if ((n + 1) % 8 === 0) {
      if (request([header(VIRTIO_BLK_T_FLUSH, 0)]) !== VIRTIO_BLK_S_OK) Deno.exit(3);
      console.log(`flushed ${n + 1}`);
    }
    // Let the parent's kill land at any moment, between or inside requests.
    if (n % 64 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise(() => {}); // wait for the kill
}
