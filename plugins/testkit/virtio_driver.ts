/**
 * Drive a virtio-mmio device as a guest driver would (virtio 1.2 §3.1.1 and
 * §4.2.3): the status handshake with feature negotiation, split virtqueues
 * built in guest RAM, buffers made available, notifications, and used
 * buffers collected. For tests of device plugins and the transport.
 *
 * @example
 * ```ts
 * const host = new FakeDeviceHost();
 * const device = await rng.create(host, { mmioBase: 0x0a00_0000, intid: 48 });
 * const drv = new VirtioTestDriver(device.regions[0], host);
 * drv.init();
 * drv.setupQueue(0, 8);
 * drv.driverOk();
 * drv.submit(0, [], [16]);
 * drv.notify(0);
 * drv.takeUsed(0); // [{ id, len: 16, written: [16 random bytes] }]
 * ```
 *
 * @module
 */
import { type MmioData, type MmioRegion, MmioResult } from "@gunyah-ts/core/plugin";
import type { FakeDeviceHost } from "./fake_host.ts";

// Register offsets and status bits of virtio-mmio v2 (virtio 1.2 §4.2.2, §2.1), restated
// here so the kit checks the transport against the specification, not against itself.
const REG = {
  MAGIC: 0x000,
  DEVICE_ID: 0x008,
  DEVICE_FEATURES: 0x010,
  DEVICE_FEATURES_SEL: 0x014,
  DRIVER_FEATURES: 0x020,
  DRIVER_FEATURES_SEL: 0x024,
  QUEUE_SEL: 0x030,
  QUEUE_NUM_MAX: 0x034,
  QUEUE_NUM: 0x038,
  QUEUE_READY: 0x044,
  QUEUE_NOTIFY: 0x050,
  INTERRUPT_STATUS: 0x060,
  INTERRUPT_ACK: 0x064,
  STATUS: 0x070,
  QUEUE_DESC_LOW: 0x080,
  QUEUE_DESC_HIGH: 0x084,
  QUEUE_DRIVER_LOW: 0x090,
  QUEUE_DRIVER_HIGH: 0x094,
  QUEUE_DEVICE_LOW: 0x0a0,
  QUEUE_DEVICE_HIGH: 0x0a4,
  CONFIG_GENERATION: 0x0fc,
  CONFIG: 0x100,
} as const;

/** Device status bits (virtio 1.2 §2.1). */
export const STATUS = {
  ACKNOWLEDGE: 1,
  DRIVER: 2,
  DRIVER_OK: 4,
  FEATURES_OK: 8,
  DEVICE_NEEDS_RESET: 64,
  FAILED: 128,
} as const;

/** A used-ring entry with the bytes the device wrote into the chain's writable buffers. */
export interface UsedBuffer {
  /** The chain's head descriptor index. */
  readonly id: number;
  /** Bytes the device says it wrote. */
  readonly len: number;
  /** Each writable buffer of the chain, as it is now in guest RAM. */
  readonly written: Uint8Array[];
}

interface DriverQueue {
  size: number;
  desc: number;
  avail: number;
  used: number;
  nextDesc: number;
  availIdx: number;
  lastUsed: number;
  inflight: Map<number, { addr: number; len: number }[]>;
}

/** A test driver for one virtio-mmio device window. */
export class VirtioTestDriver {
  readonly #out: MmioData = { lo: 0, hi: 0 };
  readonly #queues = new Map<number, DriverQueue>();
  readonly #ram: DataView;
  #next: number;

  /**
   * `region` is the device's transport; `host` its fake host. Rings and
   * buffers are allocated upward from `allocBase` (default RAM + 64 KiB).
   */
  constructor(
    readonly region: MmioRegion,
    readonly host: FakeDeviceHost,
    allocBase?: number,
  ) {
    this.#ram = new DataView(host.ram.buffer, host.ram.byteOffset, host.ram.byteLength);
    this.#next = allocBase ?? host.ramBase + 0x1_0000;
  }

  /** Read a 32-bit transport register (or `size` bytes of config). */
  read(offset: number, size = 4): number {
    const r = this.region.read(offset, size, 0, this.#out);
    if (r !== MmioResult.Handled) {
      throw new Error(`MMIO read at 0x${offset.toString(16)} not handled: ${r}`);
    }
    return this.#out.lo >>> 0;
  }

  /** Write a 32-bit transport register. */
  write(offset: number, value: number, size = 4): void {
    const r = this.region.write(offset, size, value >>> 0, 0, 0);
    if (r !== MmioResult.Handled) {
      throw new Error(`MMIO write at 0x${offset.toString(16)} not handled: ${r}`);
    }
  }

  /** Device status register. */
  get status(): number {
    return this.read(REG.STATUS);
  }

  /** Device ID register. */
  get deviceId(): number {
    return this.read(REG.DEVICE_ID);
  }

  /** The 64 offered feature bits as [lo, hi]. */
  deviceFeatures(): [number, number] {
    this.write(REG.DEVICE_FEATURES_SEL, 0);
    const lo = this.read(REG.DEVICE_FEATURES);
    this.write(REG.DEVICE_FEATURES_SEL, 1);
    return [lo, this.read(REG.DEVICE_FEATURES)];
  }

  /**
   * Reset, ACKNOWLEDGE, DRIVER, accept features (default: all offered),
   * FEATURES_OK; returns whether the device kept FEATURES_OK.
   */
  init(accept?: [number, number]): boolean {
    if (this.read(REG.MAGIC) !== 0x74726976) throw new Error("not a virtio-mmio device");
    this.write(REG.STATUS, 0);
    this.write(REG.STATUS, STATUS.ACKNOWLEDGE);
    this.write(REG.STATUS, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    const [lo, hi] = accept ?? this.deviceFeatures();
    this.write(REG.DRIVER_FEATURES_SEL, 0);
    this.write(REG.DRIVER_FEATURES, lo);
    this.write(REG.DRIVER_FEATURES_SEL, 1);
    this.write(REG.DRIVER_FEATURES, hi);
    this.write(REG.STATUS, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
    return (this.status & STATUS.FEATURES_OK) !== 0;
  }

  /** Set DRIVER_OK. */
  driverOk(): void {
    this.write(REG.STATUS, this.status | STATUS.DRIVER_OK);
  }

  /** Allocate `len` bytes of guest RAM aligned to `align`; returns the IPA. */
  alloc(len: number, align = 16): number {
    const at = Math.ceil(this.#next / align) * align;
    if (at + len > this.host.ramBase + this.host.ram.length) {
      throw new Error("VirtioTestDriver: out of guest RAM for rings and buffers");
    }
    this.#next = at + len;
    return at;
  }

  /** Build queue `index` of `size` entries in RAM and make it ready; returns false if refused. */
  setupQueue(index: number, size: number): boolean {
    this.write(REG.QUEUE_SEL, index);
    const max = this.read(REG.QUEUE_NUM_MAX);
    if (max === 0) throw new Error(`queue ${index} does not exist`);
    const desc = this.alloc(16 * size, 16);
    const avail = this.alloc(6 + 2 * size, 2);
    const used = this.alloc(6 + 8 * size, 4);
    this.write(REG.QUEUE_NUM, size);
    this.write(REG.QUEUE_DESC_LOW, desc % 0x1_0000_0000);
    this.write(REG.QUEUE_DESC_HIGH, Math.floor(desc / 0x1_0000_0000));
    this.write(REG.QUEUE_DRIVER_LOW, avail % 0x1_0000_0000);
    this.write(REG.QUEUE_DRIVER_HIGH, Math.floor(avail / 0x1_0000_0000));
    this.write(REG.QUEUE_DEVICE_LOW, used % 0x1_0000_0000);
    this.write(REG.QUEUE_DEVICE_HIGH, Math.floor(used / 0x1_0000_0000));
    this.write(REG.QUEUE_READY, 1);
    if (this.read(REG.QUEUE_READY) !== 1) return false;
    this.#queues.set(index, {
      size,
      desc,
      avail,
      used,
      nextDesc: 0,
      availIdx: 0,
      lastUsed: 0,
      inflight: new Map(),
    });
    return true;
  }

  #q(index: number): DriverQueue {
    const q = this.#queues.get(index);
    if (!q) throw new Error(`queue ${index} was not set up`);
    return q;
  }

  /** IPA of queue `index`'s descriptor table, available ring and used ring. */
  queueAreas(index: number): { desc: number; avail: number; used: number; size: number } {
    const q = this.#q(index);
    return { desc: q.desc, avail: q.avail, used: q.used, size: q.size };
  }

  /** Offset into RAM of IPA `ipa`. */
  #at(ipa: number): number {
    return ipa - this.host.ramBase;
  }

  /** Write descriptor `i` of queue `index` raw (for malformed-chain tests). */
  writeDescriptor(
    index: number,
    i: number,
    addr: number,
    len: number,
    flags: number,
    next: number,
  ): void {
    const q = this.#q(index);
    const d = this.#at(q.desc + 16 * i);
    this.#ram.setUint32(d, addr % 0x1_0000_0000, true);
    this.#ram.setUint32(d + 4, Math.floor(addr / 0x1_0000_0000), true);
    this.#ram.setUint32(d + 8, len, true);
    this.#ram.setUint16(d + 12, flags, true);
    this.#ram.setUint16(d + 14, next, true);
  }

  /** Put head `head` in the available ring and publish it (raw, for malformed-chain tests). */
  publishAvailable(index: number, head: number): void {
    const q = this.#q(index);
    this.#ram.setUint16(this.#at(q.avail + 4 + 2 * (q.availIdx % q.size)), head, true);
    q.availIdx = (q.availIdx + 1) & 0xffff;
    this.#ram.setUint16(this.#at(q.avail + 2), q.availIdx, true);
  }

  /** Set the available ring's idx to any value (for malformed-ring tests). */
  setAvailIdx(index: number, idx: number): void {
    const q = this.#q(index);
    q.availIdx = idx & 0xffff;
    this.#ram.setUint16(this.#at(q.avail + 2), q.availIdx, true);
  }

  /**
   * Make a chain available: device-readable buffers holding `out`, then
   * device-writable buffers of the lengths in `inLens`. Returns the head.
   */
  submit(index: number, out: readonly Uint8Array[], inLens: readonly number[]): number {
    const q = this.#q(index);
    const n = out.length + inLens.length;
    if (n === 0 || n > q.size) throw new Error(`chain of ${n} descriptors does not fit`);
    const head = q.nextDesc;
    const writable: { addr: number; len: number }[] = [];
    for (let k = 0; k < n; k++) {
      const i = (head + k) % q.size;
      const isOut = k < out.length;
      const len = isOut ? out[k].length : inLens[k - out.length];
      const addr = this.alloc(Math.max(len, 1), 8);
      if (isOut) this.host.ram.set(out[k], this.#at(addr));
      else writable.push({ addr, len });
      const last = k === n - 1;
      this.writeDescriptor(index, i, addr, len, (last ? 0 : 1) | (isOut ? 0 : 2), (i + 1) % q.size);
    }
    q.nextDesc = (head + n) % q.size;
    q.inflight.set(head, writable);
    this.publishAvailable(index, head);
    return head;
  }

  /** QueueNotify. */
  notify(index: number): void {
    this.write(REG.QUEUE_NOTIFY, index);
  }

  /** The used ring's idx. */
  usedIdx(index: number): number {
    return this.#ram.getUint16(this.#at(this.#q(index).used + 2), true);
  }

  /** Collect every used buffer the device returned since the last call. */
  takeUsed(index: number): UsedBuffer[] {
    const q = this.#q(index);
    const result: UsedBuffer[] = [];
    const usedIdx = this.usedIdx(index);
    while (q.lastUsed !== usedIdx) {
      const e = this.#at(q.used + 4 + 8 * (q.lastUsed % q.size));
      const id = this.#ram.getUint32(e, true);
      const len = this.#ram.getUint32(e + 4, true);
      const bufs = q.inflight.get(id) ?? [];
      q.inflight.delete(id);
      result.push({
        id,
        len,
        written: bufs.map((b) => this.host.ram.slice(this.#at(b.addr), this.#at(b.addr) + b.len)),
      });
      q.lastUsed = (q.lastUsed + 1) & 0xffff;
    }
    return result;
  }

  /** Read InterruptStatus and acknowledge it; returns the bits. */
  ackInterrupt(): number {
    const s = this.read(REG.INTERRUPT_STATUS);
    if (s !== 0) this.write(REG.INTERRUPT_ACK, s);
    return s;
  }

  /** Read `size` bytes of device configuration at `offset`. */
  config(offset: number, size: 1 | 2 | 4 = 4): number {
    return this.read(REG.CONFIG + offset, size);
  }

  /** ConfigGeneration. */
  get configGeneration(): number {
    return this.read(REG.CONFIG_GENERATION);
  }
}
