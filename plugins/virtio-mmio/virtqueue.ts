/**
 * The split virtqueue (virtio 1.2 §2.7) from the device's side: the
 * descriptor table, the available ring (driver area) and the used ring
 * (device area), all in guest RAM and reached through {@link GuestMemory}.
 *
 * Layouts (little-endian):
 * - descriptor `i` at `desc + 16 i`: addr u64, len u32, flags u16, next u16;
 * - available ring: flags u16, idx u16, ring[size] u16, used_event u16;
 * - used ring: flags u16, idx u16, ring[size] {id u32, len u32}, avail_event u16.
 *
 * Indices are free-running 16-bit counters that wrap; ring slots are the
 * counter modulo the queue size. VIRTIO_F_INDIRECT_DESC and
 * VIRTIO_F_EVENT_IDX are not offered, so an INDIRECT descriptor is malformed.
 * Every malformation (index out of range, a loop, a readable descriptor after
 * a writable one, an address that is not RAM, the available index running
 * more than a queue ahead) throws {@link VirtioError}; the transport turns it
 * into DEVICE_NEEDS_RESET.
 *
 * @module
 */
import { GuestMemory, VirtioError } from "./guest_memory.ts";
import { S2_ACCESS_R, S2_ACCESS_W } from "@gunyah-ts/core/plugin";
import {
  VIRTQ_DESC_F_INDIRECT,
  VIRTQ_DESC_F_NEXT,
  VIRTQ_DESC_F_WRITE,
  VIRTQ_DESC_SIZE,
  VIRTQ_USED_ELEM_SIZE,
} from "./constants.ts";

/**
 * A descriptor chain taken from the available ring: its device-readable
 * buffers (in order), then its device-writable buffers.
 *
 * Each queue owns one chain object and refills it on every
 * {@link SplitVirtqueue.pop}, so popping allocates nothing; a backend must
 * finish with a chain (or copy what it needs) before it pops the next one.
 */
export class DescriptorChain {
  /** Index of the head descriptor (what goes back in the used ring). */
  head = 0;
  /** Number of device-readable buffers (entries 0 .. readableCount - 1). */
  readableCount = 0;
  /** Number of buffers in all; the writable ones follow the readable ones. */
  count = 0;
  /** Total bytes of the device-readable part. */
  readableLength = 0;
  /** Total bytes of the device-writable part. */
  writableLength = 0;
  /** Guest address (IPA) of each buffer. */
  readonly addr: Float64Array;
  /** Length of each buffer. */
  readonly len: Uint32Array;

  /** A chain holding up to `capacity` buffers. */
  constructor(capacity: number) {
    this.addr = new Float64Array(capacity);
    this.len = new Uint32Array(capacity);
  }

  /** Copy up to `dst.length` readable bytes starting at byte `from`; returns how many were copied. */
  readInto(mem: GuestMemory, dst: Uint8Array, from = 0): number {
    return this.#copy(mem, dst, from, 0, this.readableCount, false);
  }

  /** Copy `src` into the writable buffers starting at writable byte `from`; returns bytes written. */
  writeFrom(mem: GuestMemory, src: Uint8Array, from = 0): number {
    return this.#copy(mem, src, from, this.readableCount, this.count, true);
  }

  #copy(
    mem: GuestMemory,
    data: Uint8Array,
    from: number,
    first: number,
    end: number,
    toGuest: boolean,
  ): number {
    let skip = from;
    let done = 0;
    for (let i = first; i < end && done < data.length; i++) {
      const len = this.len[i];
      if (skip >= len) {
        skip -= len;
        continue;
      }
      const n = Math.min(len - skip, data.length - done);
      const part = data.subarray(done, done + n);
      if (toGuest) mem.write(this.addr[i] + skip, part);
      else mem.read(this.addr[i] + skip, part);
      done += n;
      skip = 0;
    }
    return done;
  }
}

/** One split virtqueue's device-side state. */
export class SplitVirtqueue {
  /** Queue size chosen by the driver (QueueNum); a power of two up to {@link maxSize}. */
  size = 0;
  /** QueueReady. */
  ready = false;
  /** Descriptor area IPA. */
  descAddr = 0;
  /** Driver area (available ring) IPA. */
  availAddr = 0;
  /** Device area (used ring) IPA. */
  usedAddr = 0;
  /** Next available-ring index the device will consume (16-bit, wraps). */
  lastAvailIdx = 0;
  /** Next used-ring index the device will produce (16-bit, wraps). */
  usedIdx = 0;

  readonly #chain: DescriptorChain;

  /** A queue of at most `maxSize` descriptors (its size until the driver sets one). */
  constructor(
    /** QueueNumMax. */
    readonly maxSize: number,
  ) {
    this.size = maxSize;
    this.#chain = new DescriptorChain(maxSize);
  }

  /** Back to the state after device reset. */
  reset(): void {
    this.size = this.maxSize;
    this.ready = false;
    this.descAddr = 0;
    this.availAddr = 0;
    this.usedAddr = 0;
    this.lastAvailIdx = 0;
    this.usedIdx = 0;
  }

  /**
   * Why the driver's configuration cannot be made ready, or `null` when it
   * can: size a power of two within the maximum, areas aligned as §2.7
   * requires (descriptors 16, available ring 2, used ring 4).
   */
  configProblem(): string | null {
    const s = this.size;
    if (s === 0 || s > this.maxSize || (s & (s - 1)) !== 0) {
      return `queue size ${s} is not a power of two in 1..${this.maxSize}`;
    }
    if (this.descAddr % 16 !== 0) return "descriptor area is not 16-byte aligned";
    if (this.availAddr % 2 !== 0) return "driver area is not 2-byte aligned";
    if (this.usedAddr % 4 !== 0) return "device area is not 4-byte aligned";
    return null;
  }

  /** Whether the driver has made buffers available that the device has not taken. */
  hasAvailable(mem: GuestMemory): boolean {
    return this.ready && mem.readU16(this.availAddr + 2) !== this.lastAvailIdx;
  }

  /**
   * Take the next available descriptor chain, or `null` when the ring is
   * empty. Throws {@link VirtioError} on a malformed ring or chain. The
   * returned object is this queue's own and is overwritten by the next call.
   */
  pop(mem: GuestMemory): DescriptorChain | null {
    if (!this.ready) return null;
    const availIdx = mem.readU16(this.availAddr + 2);
    const pending = (availIdx - this.lastAvailIdx) & 0xffff;
    if (pending === 0) return null;
    if (pending > this.size) {
      throw new VirtioError(
        `available index ${availIdx} is ${pending} entries ahead of the device (queue size ${this.size})`,
      );
    }
    const slot = this.lastAvailIdx & (this.size - 1);
    const head = mem.readU16(this.availAddr + 4 + 2 * slot);
    const chain = this.#chain;
    let readableLength = 0;
    let writableLength = 0;
    let readableCount = 0;
    let count = 0;
    let idx = head;
    for (;;) {
      if (idx >= this.size) {
        throw new VirtioError(`descriptor index ${idx} is outside the queue (size ${this.size})`);
      }
      if (count >= this.size) throw new VirtioError(`descriptor chain from ${head} loops`);
      const d = this.descAddr + VIRTQ_DESC_SIZE * idx;
      const addr = mem.readU32(d) + mem.readU32(d + 4) * 0x1_0000_0000;
      const len = mem.readU32(d + 8);
      const flags = mem.readU16(d + 12);
      const next = mem.readU16(d + 14);
      if (flags & VIRTQ_DESC_F_INDIRECT) {
        throw new VirtioError(`descriptor ${idx} is INDIRECT, which was not negotiated`);
      }
      if (flags & VIRTQ_DESC_F_WRITE) {
        mem.check(addr, len, S2_ACCESS_W);
        writableLength += len;
      } else {
        if (count > readableCount) {
          throw new VirtioError(`descriptor ${idx} is device-readable after a device-writable one`);
        }
        mem.check(addr, len, S2_ACCESS_R);
        readableLength += len;
        readableCount++;
      }
      chain.addr[count] = addr;
      chain.len[count] = len;
      count++;
      if (!(flags & VIRTQ_DESC_F_NEXT)) break;
      idx = next;
    }
    chain.head = head;
    chain.count = count;
    chain.readableCount = readableCount;
    chain.readableLength = readableLength;
    chain.writableLength = writableLength;
    this.lastAvailIdx = (this.lastAvailIdx + 1) & 0xffff;
    return chain;
  }

  /**
   * Return chain `head` to the driver with `len` bytes written into its
   * writable buffers: fill the used element, then publish the new used index.
   */
  pushUsed(mem: GuestMemory, head: number, len: number): void {
    const slot = this.usedIdx & (this.size - 1);
    const e = this.usedAddr + 4 + VIRTQ_USED_ELEM_SIZE * slot;
    mem.writeU32(e, head);
    mem.writeU32(e + 4, len);
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    mem.publishU16(this.usedAddr + 2, this.usedIdx);
  }
}
