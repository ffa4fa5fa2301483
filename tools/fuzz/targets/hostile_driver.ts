/**
 * What the virtqueue fuzzer drives a device with: a minimal DeviceHost over
 * one RAM buffer (timers run by {@link FuzzDeviceHost.advance}) and a
 * driver that speaks the virtio-mmio registers (virtio 1.2 §4.2.2, §4.2.3)
 * and writes raw rings, so it can set a queue up properly and then break it.
 *
 * @module
 */
import {
  type DeviceHost,
  type MmioData,
  type MmioRegion,
  S2_ACCESS_R,
  S2_ACCESS_W,
  type Stage2Mapping,
  type Stage2View,
} from "@gunyah-ts/core/plugin";

/** virtio-mmio register offsets (virtio 1.2 §4.2.2). */
const R = {
  DEVICE_FEATURES_SEL: 0x014,
  DRIVER_FEATURES: 0x020,
  DRIVER_FEATURES_SEL: 0x024,
  QUEUE_SEL: 0x030,
  QUEUE_NUM_MAX: 0x034,
  QUEUE_NUM: 0x038,
  QUEUE_READY: 0x044,
  QUEUE_NOTIFY: 0x050,
  STATUS: 0x070,
  QUEUE_DESC_LOW: 0x080,
  QUEUE_DRIVER_LOW: 0x090,
  QUEUE_DEVICE_LOW: 0x0a0,
} as const;
/** Status bits (§2.1): ACKNOWLEDGE, DRIVER, DRIVER_OK, FEATURES_OK. */
const ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8;

/** A DeviceHost over one RAM buffer at `ramBase`. */
export class FuzzDeviceHost implements DeviceHost {
  readonly ram: Uint8Array;
  readonly memory: Stage2View;
  readonly clock = { now: 0, nsPerInstruction: 1 };
  readonly logs: string[] = [];
  #timers: { at: number; fn: () => void }[] = [];

  /** RAM of `ramSize` bytes at IPA `ramBase`. */
  constructor(readonly ramBase: number, ramSize: number) {
    this.ram = new Uint8Array(new SharedArrayBuffer(ramSize));
    const mapping: Stage2Mapping = {
      ipaBase: ramBase,
      size: ramSize,
      bytes: this.ram,
      view: new DataView(this.ram.buffer),
      offset: 0,
      access: S2_ACCESS_R | S2_ACCESS_W,
    };
    this.memory = {
      generation: 0,
      lookup: (ipa) => (ipa >= ramBase && ipa < ramBase + ramSize ? mapping : null),
    };
  }
  setIrq(): void {}
  setTimer(at: number, fn: () => void): () => void {
    const t = { at, fn };
    this.#timers.push(t);
    return () => {
      this.#timers = this.#timers.filter((x) => x !== t);
    };
  }
  log(message: string): void {
    if (this.logs.length >= 100) this.logs.shift();
    this.logs.push(message);
  }
  /** Move time on by `ns`, running the timers that fall due. */
  advance(ns: number): void {
    this.clock.now += ns;
    const due = this.#timers.filter((t) => t.at <= this.clock.now);
    this.#timers = this.#timers.filter((t) => t.at > this.clock.now);
    for (const t of due) t.fn();
  }
}

interface Queue {
  size: number;
  desc: number;
  avail: number;
  used: number;
  availIdx: number;
}

/** A driver for one virtio-mmio window. */
export class HostileDriver {
  readonly #queues = new Map<number, Queue>();
  readonly #out: MmioData = { lo: 0, hi: 0 };
  #next: number;

  /** A driver of `region` on `host`'s RAM. */
  constructor(readonly region: MmioRegion, readonly host: FuzzDeviceHost) {
    this.#next = host.ramBase + 0x1000;
  }
  read(offset: number): number {
    this.region.read(offset, 4, 0, this.#out);
    return this.#out.lo >>> 0;
  }
  write(offset: number, value: number): void {
    this.region.write(offset, 4, value >>> 0, 0, 0);
  }
  get status(): number {
    return this.read(R.STATUS);
  }
  /** Reset, acknowledge, accept VIRTIO_F_VERSION_1 only; whether FEATURES_OK stuck. */
  init(): boolean {
    this.#queues.clear();
    this.#next = this.host.ramBase + 0x1000;
    this.write(R.STATUS, 0);
    this.write(R.STATUS, ACK | DRIVER);
    this.write(R.DEVICE_FEATURES_SEL, 1);
    this.write(R.DRIVER_FEATURES_SEL, 0);
    this.write(R.DRIVER_FEATURES, 0);
    this.write(R.DRIVER_FEATURES_SEL, 1);
    this.write(R.DRIVER_FEATURES, 1); // VIRTIO_F_VERSION_1 (bit 32)
    this.write(R.STATUS, ACK | DRIVER | FEATURES_OK);
    return (this.status & FEATURES_OK) !== 0;
  }
  #alloc(len: number, align: number): number {
    const at = Math.ceil(this.#next / align) * align;
    this.#next = at + len;
    return at;
  }
  /** Set queue `index` up with `size` entries (0 if the device has no such queue). */
  setupQueue(index: number, size: number): void {
    this.write(R.QUEUE_SEL, index);
    const max = this.read(R.QUEUE_NUM_MAX);
    if (max === 0) return;
    const n = Math.min(size, max);
    const q: Queue = {
      size: n,
      desc: this.#alloc(16 * n, 16),
      avail: this.#alloc(6 + 2 * n, 2),
      used: this.#alloc(6 + 8 * n, 4),
      availIdx: 0,
    };
    this.write(R.QUEUE_NUM, n);
    this.write(R.QUEUE_DESC_LOW, q.desc);
    this.write(R.QUEUE_DRIVER_LOW, q.avail);
    this.write(R.QUEUE_DEVICE_LOW, q.used);
    this.write(R.QUEUE_READY, 1);
    this.#queues.set(index, q);
  }
  driverOk(): void {
    this.write(R.STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
  }
  /** Queue `index` as set up, or null. */
  queue(index: number): Readonly<Queue> | null {
    return this.#queues.get(index) ?? null;
  }
  #view(): DataView {
    return new DataView(this.host.ram.buffer);
  }
  #at(ipa: number): number {
    return ipa - this.host.ramBase;
  }
  writeDescriptor(q: Queue, i: number, addr: number, len: number, flags: number, next: number) {
    const v = this.#view(), d = this.#at(q.desc + 16 * i);
    v.setUint32(d, addr % 0x1_0000_0000, true);
    v.setUint32(d + 4, Math.floor(addr / 0x1_0000_0000) >>> 0, true);
    v.setUint32(d + 8, len >>> 0, true);
    v.setUint16(d + 12, flags & 0xffff, true);
    v.setUint16(d + 14, next & 0xffff, true);
  }
  publishAvailable(q: Queue, head: number): void {
    const v = this.#view();
    v.setUint16(this.#at(q.avail + 4 + 2 * (q.availIdx % q.size)), head & 0xffff, true);
    q.availIdx = (q.availIdx + 1) & 0xffff;
    v.setUint16(this.#at(q.avail + 2), q.availIdx, true);
  }
  setAvailIdx(q: Queue, idx: number): void {
    q.availIdx = idx & 0xffff;
    this.#view().setUint16(this.#at(q.avail + 2), q.availIdx, true);
  }
  notify(index: number): void {
    this.write(R.QUEUE_NOTIFY, index);
  }
  /** A proper one-buffer request of `len` writable bytes on queue `index`. */
  submitWritable(index: number, len: number): void {
    const q = this.#queues.get(index)!;
    this.writeDescriptor(q, 0, this.#alloc(len, 8), len, 2, 0);
    this.publishAvailable(q, 0);
  }
  /** The used ring's index of queue `index`. */
  usedIdx(index: number): number {
    return this.#view().getUint16(this.#at(this.#queues.get(index)!.used + 2), true);
  }
}
