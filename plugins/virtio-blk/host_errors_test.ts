/**
 * Host I/O errors and image locking (issue 12 §7): a real ENOSPC (writing to
 * /dev/full), a failed fdatasync and a short read all reach the guest as
 * VIRTIO_BLK_S_IOERR (never a host exception); FLUSH after a lost write stays
 * IOERR; a second writer of an image is refused with a message naming it.
 */
import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { FakeDeviceHost, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import plugin, {
  type BlockImage,
  FileBlockImage,
  VIRTIO_BLK_S_IOERR,
  VIRTIO_BLK_S_OK,
  VIRTIO_BLK_T_FLUSH,
  VIRTIO_BLK_T_IN,
  VIRTIO_BLK_T_OUT,
  VirtioBlkBackend,
} from "./mod.ts";
import { VirtioMmioDevice } from "@gunyah-ts/virtio-mmio";

function header(type: number, sector: number): Uint8Array {
  const h = new Uint8Array(16);
  new DataView(h.buffer).setUint32(0, type, true);
  new DataView(h.buffer).setUint32(8, sector, true);
  return h;
}

/** A 64 KiB image whose writes go to /dev/full (the OS answers ENOSPC) and whose fdatasync can fail. */
class FaultyImage implements BlockImage {
  readonly size = 64 * 1024;
  failFlush = false;
  readonly #full = Deno.openSync("/dev/full", { write: true });
  read(_position: number, dst: Uint8Array): void {
    dst.fill(0);
  }
  write(_position: number, src: Uint8Array): void {
    this.#full.writeSync(src);
  }
  flush(): void {
    if (this.failFlush) throw new Error("fdatasync: Input/output error (os error 5)");
  }
  close(): void {
    this.#full.close();
  }
}

function drive(image: BlockImage) {
  const host = new FakeDeviceHost({ ramSize: 0x4_0000 });
  const backend = new VirtioBlkBackend(image, false, "t", (m) => host.logs.push(m));
  const device = new VirtioMmioDevice("virtio-blk", host, backend, {
    mmioBase: 0x0a00_0000,
    intid: 48,
  });
  const drv = new VirtioTestDriver(device.regions[0], host);
  assert(drv.init());
  drv.setupQueue(0, 16);
  drv.driverOk();
  const request = (out: Uint8Array[], inLens: number[]): number => {
    drv.submit(0, out, inLens);
    drv.notify(0);
    const [u] = drv.takeUsed(0);
    return u.written[u.written.length - 1].at(-1)!;
  };
  return { host, backend, drv, device, request };
}

Deno.test("virtio-blk: ENOSPC from the host reaches the guest as VIRTIO_BLK_S_IOERR; FLUSH then reports IOERR too", () => {
  const image = new FaultyImage();
  const { host, backend, request, drv } = drive(image);
  try {
    assertEquals(request([header(VIRTIO_BLK_T_FLUSH, 0)], [1]), VIRTIO_BLK_S_OK);
    assertEquals(
      request([header(VIRTIO_BLK_T_OUT, 0), new Uint8Array(512)], [1]),
      VIRTIO_BLK_S_IOERR,
    );
    assert(backend.lastHostError.includes("No space left on device"), backend.lastHostError);
    assert(host.logs.some((l) => l.includes("VIRTIO_BLK_S_IOERR")));
    // The write's data never reached the file: a FLUSH must not claim it is durable.
    assertEquals(request([header(VIRTIO_BLK_T_FLUSH, 0)], [1]), VIRTIO_BLK_S_IOERR);
    // The device itself goes on (no reset needed): reads still work.
    assertEquals(request([header(VIRTIO_BLK_T_IN, 0)], [512, 1]), VIRTIO_BLK_S_OK);
    assertEquals(drv.status & 0x40, 0);
  } finally {
    image.close();
  }
});

Deno.test("virtio-blk: a failed fdatasync is IOERR, and stays so", () => {
  const image = new FaultyImage();
  const { request } = drive(image);
  try {
    image.failFlush = true;
    assertEquals(request([header(VIRTIO_BLK_T_FLUSH, 0)], [1]), VIRTIO_BLK_S_IOERR);
    image.failFlush = false;
    assertEquals(request([header(VIRTIO_BLK_T_FLUSH, 0)], [1]), VIRTIO_BLK_S_IOERR);
  } finally {
    image.close();
  }
});

Deno.test("virtio-blk: a short read (the image shrank under the device) is IOERR, not a host exception", async () => {
  const path = await Deno.makeTempFile({ suffix: ".img" });
  try {
    await Deno.writeFile(path, new Uint8Array(8192));
    const image = new FileBlockImage(path, false);
    const { request } = drive(image);
    await Deno.truncate(path, 1024);
    assertEquals(request([header(VIRTIO_BLK_T_IN, 8)], [512, 1]), VIRTIO_BLK_S_IOERR);
    assertEquals(request([header(VIRTIO_BLK_T_IN, 0)], [512, 1]), VIRTIO_BLK_S_OK);
    image.close();
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("virtio-blk: the image is locked: a second writer is refused with a clear error, readers share", async () => {
  const path = await Deno.makeTempFile({ suffix: ".img" });
  try {
    await Deno.writeFile(path, new Uint8Array(4096));
    const host = new FakeDeviceHost();
    const opts = { mmioBase: 0x0a00_0000, intid: 48, path };
    const first = await plugin.create(host, opts);
    let e = assertThrows(() => new FileBlockImage(path, false));
    assert((e as Error).message.includes(`disk image ${path} is already in use`), String(e));
    e = assertThrows(() => new FileBlockImage(path, true));
    assert((e as Error).message.includes("open for writing by another"), String(e));
    await first.close?.();
    // Once the writer is gone, any number of readers share the image.
    const r1 = new FileBlockImage(path, true), r2 = new FileBlockImage(path, true);
    assertThrows(() => new FileBlockImage(path, false), Error, "already in use");
    r1.close();
    r2.close();
    new FileBlockImage(path, false).close();
  } finally {
    await Deno.remove(path);
  }
});
