import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { FakeDeviceHost, STATUS, VirtioTestDriver } from "@gunyah-ts/plugin-testkit";
import type { VirtioActivation, VirtioBackend } from "./backend.ts";
import { VirtioMmioTransport } from "./transport.ts";

const BASE = 0x0a00_0000;
const INTID = 48;

/** A test backend: each chain gets its readable bytes back, reversed, in its writable part. */
class ReverseBackend implements VirtioBackend {
  readonly deviceId = 42;
  readonly featuresLo = 0b101;
  readonly featuresHi = 0;
  readonly queueMaxSizes = [8, 4];
  readonly configSize = 8;
  config = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  active: VirtioActivation | null = null;
  resets = 0;
  readConfig(offset: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.config[offset + i];
    return v;
  }
  writeConfig(): void {}
  activate(a: VirtioActivation): void {
    this.active = a;
  }
  notify(index: number): void {
    const a = this.active!;
    const q = a.queues[index];
    let served = false;
    for (let c = q.pop(a.memory); c !== null; c = q.pop(a.memory)) {
      served = true;
      const data = new Uint8Array(c.readableLength);
      c.readInto(a.memory, data);
      data.reverse();
      q.pushUsed(a.memory, c.head, c.writeFrom(a.memory, data));
    }
    if (served) a.signalUsed();
  }
  reset(): void {
    this.active = null;
    this.resets++;
  }
  describe(): Record<string, string | number | boolean> {
    return {};
  }
}

function setup() {
  const host = new FakeDeviceHost({ ramSize: 0x4_0000 });
  const backend = new ReverseBackend();
  const t = new VirtioMmioTransport(BASE, INTID, backend, host);
  const drv = new VirtioTestDriver(t, host);
  return { host, backend, t, drv };
}

Deno.test("virtio-mmio: identity registers, feature words by selector, QueueNumMax", () => {
  const { drv } = setup();
  assertEquals(drv.read(0x000), 0x74726976);
  assertEquals(drv.read(0x004), 2);
  assertEquals(drv.deviceId, 42);
  assertEquals(drv.deviceFeatures(), [0b101, 1]); // VIRTIO_F_VERSION_1 is bit 32
  drv.write(0x014, 2);
  assertEquals(drv.read(0x010), 0);
  drv.write(0x030, 1);
  assertEquals(drv.read(0x034), 4);
  drv.write(0x030, 2);
  assertEquals(drv.read(0x034), 0); // no such queue
  assertEquals(drv.read(0x000, 2), 0); // registers take 32-bit accesses only
});

Deno.test("virtio-mmio: FEATURES_OK only for offered features including VERSION_1; 0 resets", () => {
  const { drv, t } = setup();
  assert(!drv.init([0b111, 1]), "bit 1 is not offered");
  assert(t.lastProblem.includes("does not offer"));
  assert(!drv.init([0b101, 0]), "legacy driver refused");
  assert(t.lastProblem.includes("VERSION_1"));
  assert(drv.init([0b001, 1]));
  assertEquals(drv.status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
  assertEquals([t.featuresLo, t.featuresHi], [1, 1]);
  drv.write(0x020, 0b100); // ignored after FEATURES_OK
  assertEquals(t.featuresLo, 1);
  drv.write(0x070, 0);
  assertEquals(drv.status, 0);
  assertEquals([t.featuresLo, t.featuresHi], [0, 0]);
});

Deno.test("virtio-mmio: DRIVER_OK without FEATURES_OK is refused", () => {
  const { drv } = setup();
  drv.write(0x070, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.DRIVER_OK);
  assertEquals(drv.status & STATUS.DRIVER_OK, 0);
});

Deno.test("virtio-mmio: queue setup checks size and alignment; reset clears queues", () => {
  const { drv, t } = setup();
  drv.init();
  drv.write(0x030, 0);
  drv.write(0x038, 6); // not a power of two
  drv.write(0x044, 1);
  assertEquals(drv.read(0x044), 0);
  assert(drv.setupQueue(0, 8));
  assertEquals(drv.read(0x044), 1);
  const areas = drv.queueAreas(0);
  assertEquals(t.queues[0].descAddr, areas.desc);
  drv.write(0x080, 0x1234); // ignored while ready
  assertEquals(t.queues[0].descAddr, areas.desc);
  drv.write(0x070, 0);
  assertEquals(drv.read(0x044), 0);
  assertEquals(t.queues[0].descAddr, 0);
});

Deno.test("virtio-mmio: a chain is processed, used ring filled, interrupt edge raised and acked", () => {
  const { drv, host, backend } = setup();
  drv.init();
  drv.setupQueue(0, 8);
  drv.driverOk();
  assert(backend.active !== null);
  drv.submit(0, [new Uint8Array([1, 2]), new Uint8Array([3])], [2, 4]);
  drv.notify(0);
  const used = drv.takeUsed(0);
  assertEquals(used.length, 1);
  assertEquals(used[0].len, 3);
  assertEquals([...used[0].written[0]], [3, 2]);
  assertEquals([...used[0].written[1]], [1, 0, 0, 0]);
  assertEquals(host.risingEdges(INTID), 1);
  assertEquals(host.lines.get(INTID), true);
  assertEquals(drv.ackInterrupt(), 1);
  assertEquals(host.lines.get(INTID), false);
  drv.submit(0, [new Uint8Array([9])], [1]);
  drv.notify(0);
  assertEquals(host.risingEdges(INTID), 2);
});

Deno.test("virtio-mmio: buffers made available before DRIVER_OK are served at DRIVER_OK", () => {
  const { drv } = setup();
  drv.init();
  drv.setupQueue(0, 8);
  drv.submit(0, [new Uint8Array([7])], [1]);
  drv.notify(0); // ignored: not DRIVER_OK yet
  assertEquals(drv.usedIdx(0), 0);
  drv.driverOk();
  assertEquals(drv.usedIdx(0), 1);
});

Deno.test("virtio-mmio: config space little-endian by width, 8-byte reads, generation", () => {
  const { drv, t } = setup();
  assertEquals(drv.config(0, 1), 1);
  assertEquals(drv.config(2, 2), 0x0403);
  assertEquals(drv.config(4, 4), 0x08070605);
  assertEquals(drv.config(6, 4), 0); // beyond config space
  const g = drv.configGeneration;
  drv.init();
  drv.setupQueue(0, 8);
  drv.driverOk();
  t.signalConfigChange();
  assertEquals(drv.configGeneration, g + 1);
  assertEquals(drv.ackInterrupt(), 2);
});

function malformed(name: string, build: (drv: VirtioTestDriver, ram: number) => void) {
  Deno.test(`virtio-mmio: malformed ring (${name}) -> DEVICE_NEEDS_RESET, no exception`, () => {
    const { drv, host, backend } = setup();
    drv.init();
    drv.setupQueue(0, 8);
    drv.driverOk();
    build(drv, host.ramBase);
    drv.notify(0);
    assert(drv.status & STATUS.DEVICE_NEEDS_RESET, "DEVICE_NEEDS_RESET set");
    assertEquals(drv.ackInterrupt() & 2, 2); // configuration-change interrupt
    assert(host.logs.some((l) => l.includes("needs reset")));
    // Reset and re-initialise: the device works again.
    assert(drv.init());
    assertEquals(backend.resets, 1);
    drv.setupQueue(0, 8);
    drv.driverOk();
    drv.submit(0, [new Uint8Array([5])], [1]);
    drv.notify(0);
    assertEquals(drv.takeUsed(0).length, 1);
  });
}

malformed("loop", (drv, ram) => {
  drv.writeDescriptor(0, 0, ram, 1, 1, 1);
  drv.writeDescriptor(0, 1, ram, 1, 1, 0);
  drv.publishAvailable(0, 0);
});
malformed("index out of range", (drv, ram) => {
  drv.writeDescriptor(0, 0, ram, 1, 1, 9);
  drv.publishAvailable(0, 0);
});
malformed("head out of range", (drv) => drv.publishAvailable(0, 8));
malformed("address not RAM", (drv) => {
  drv.writeDescriptor(0, 0, 0x1000, 16, 0, 0);
  drv.publishAvailable(0, 0);
});
malformed("buffer crosses end of RAM", (drv, ram) => {
  drv.writeDescriptor(0, 0, ram + 0x4_0000 - 4, 16, 2, 0);
  drv.publishAvailable(0, 0);
});
malformed("readable after writable", (drv, ram) => {
  drv.writeDescriptor(0, 0, ram, 1, 1 | 2, 1);
  drv.writeDescriptor(0, 1, ram, 1, 0, 0);
  drv.publishAvailable(0, 0);
});
malformed("indirect not negotiated", (drv, ram) => {
  drv.writeDescriptor(0, 0, ram, 16, 4, 0);
  drv.publishAvailable(0, 0);
});
malformed("available index runs ahead", (drv) => drv.setAvailIdx(0, 9));
