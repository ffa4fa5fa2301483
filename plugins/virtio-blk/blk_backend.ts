/**
 * The virtio block device backend (virtio 1.2 §5.2) over a disk image: one
 * queue (requestq), requests VIRTIO_BLK_T_IN (read), _OUT (write), _FLUSH and
 * _GET_ID. Features offered: VIRTIO_BLK_F_FLUSH, and VIRTIO_BLK_F_RO for a
 * read-only disk (whose writes then fail with VIRTIO_BLK_S_IOERR).
 *
 * A request is `struct virtio_blk_req`: type u32, reserved u32, sector u64
 * (16 device-readable bytes), the data, then one device-writable status byte.
 * The image is reached through the {@link BlockImage} interface so the
 * backend does not care whether it is a file or memory.
 *
 * Host errors (issue 12 §7): any error of the image (ENOSPC, EIO, a short
 * read, a failed fdatasync) completes the request with VIRTIO_BLK_S_IOERR,
 * never a host exception. FLUSH is an fdatasync of the image and reports
 * its outcome; once a write or a flush has failed, every later FLUSH reports
 * IOERR too (the failed data may be gone from the host's page cache, so a
 * later successful fdatasync would not cover it). A file image is locked
 * (flock: exclusive for a writer, shared for a reader), so a second writer is
 * refused with a message naming the file.
 *
 * Budgets (issue 12 §4): a request moves at most {@link BLK_REQUEST_BUDGET}
 * bytes (larger: IOERR) through a fixed {@link BLK_CHUNK}-byte buffer, so
 * aliasing descriptors cannot make the host allocate; one notification serves
 * at most {@link BLK_NOTIFY_BUDGET} bytes and leaves the rest of the ring for
 * the next round.
 *
 * @module
 */
import {
  VIRTIO_ID_BLOCK,
  type VirtioActivation,
  type VirtioBackend,
  VirtioError,
} from "@gunyah-ts/virtio-mmio";
import type { DescriptorChain, GuestMemory } from "@gunyah-ts/virtio-mmio";

/** Sector size of virtio-blk addressing (§5.2.6: "sector" is 512 bytes). */
export const VIRTIO_BLK_SECTOR_SIZE = 512;
/** Feature bit 5: the device is read-only. */
export const VIRTIO_BLK_F_RO = 5;
/** Feature bit 9: cache flush command support. */
export const VIRTIO_BLK_F_FLUSH = 9;
/** Request type: read. */
export const VIRTIO_BLK_T_IN = 0;
/** Request type: write. */
export const VIRTIO_BLK_T_OUT = 1;
/** Request type: flush. */
export const VIRTIO_BLK_T_FLUSH = 4;
/** Request type: get device ID string. */
export const VIRTIO_BLK_T_GET_ID = 8;
/** Request status: success. */
export const VIRTIO_BLK_S_OK = 0;
/** Request status: device or driver error. */
export const VIRTIO_BLK_S_IOERR = 1;
/** Request status: request unsupported. */
export const VIRTIO_BLK_S_UNSUPP = 2;
/** Length of the GET_ID string (`VIRTIO_BLK_ID_BYTES`). */
export const VIRTIO_BLK_ID_BYTES = 20;
/** Bytes of `struct virtio_blk_req` before the data. */
export const VIRTIO_BLK_REQ_HEADER = 16;
/** QueueNumMax of requestq. */
export const BLK_QUEUE_SIZE = 128;
/**
 * Most data bytes one request may move. Linux without VIRTIO_BLK_F_SEG_MAX /
 * _SIZE_MAX sends one segment of at most `max_sectors` (1280 KiB by default);
 * a larger request is refused with IOERR before any I/O.
 */
export const BLK_REQUEST_BUDGET = 4 * 1024 * 1024;
/** Bytes copied between the image and guest RAM at a time (the backend's only data buffer). */
export const BLK_CHUNK = 256 * 1024;
/** Most data bytes one notification serves; the rest of the ring waits for the next round. */
export const BLK_NOTIFY_BUDGET = 16 * 1024 * 1024;
/**
 * Configuration bytes exposed: capacity u64 @0, size_max u32 @8, seg_max u32
 * @12, geometry @16, blk_size u32 @20 (§5.2.4); only capacity is meaningful
 * (the features that validate the others are not offered).
 */
export const BLK_CONFIG_SIZE = 24;

/** Storage behind a block device. */
export interface BlockImage {
  /** Size in bytes. */
  readonly size: number;
  /** Read `dst.length` bytes at byte `position`. */
  read(position: number, dst: Uint8Array): void;
  /** Write `src` at byte `position`. */
  write(position: number, src: Uint8Array): void;
  /** Make written data durable. */
  flush(): void;
  /** Release the image (close the file). */
  close(): void;
}

/** A {@link BlockImage} on a host file (synchronous I/O: requests complete inside the notify). */
export class FileBlockImage implements BlockImage {
  readonly size: number;
  readonly #file: Deno.FsFile;

  /**
   * Open `path` for reading, and for writing unless `readOnly`, and lock it:
   * exclusively for a writer, shared for a reader. Throws if another device
   * or process holds a conflicting lock (a second writer, or a writer while
   * it is read).
   */
  constructor(readonly path: string, readOnly: boolean) {
    this.#file = Deno.openSync(path, { read: true, write: !readOnly });
    try {
      if (!this.#file.tryLockSync(!readOnly)) {
        throw new Error(
          readOnly
            ? `disk image ${path} is open for writing by another device or process (it is locked); ` +
              "a read-only device cannot share it with a writer"
            : `disk image ${path} is already in use by another device or process (it is locked); ` +
              "two writers would overwrite each other: give each VM its own image or make the others readOnly",
        );
      }
      this.size = this.#file.statSync().size;
    } catch (e) {
      this.#file.close();
      throw e;
    }
  }

  read(position: number, dst: Uint8Array): void {
    this.#file.seekSync(position, Deno.SeekMode.Start);
    let done = 0;
    while (done < dst.length) {
      const n = this.#file.readSync(dst.subarray(done));
      if (n === null || n === 0) {
        throw new Error(`short read from ${this.path} at ${position + done}`);
      }
      done += n;
    }
  }

  write(position: number, src: Uint8Array): void {
    this.#file.seekSync(position, Deno.SeekMode.Start);
    let done = 0;
    while (done < src.length) {
      const n = this.#file.writeSync(src.subarray(done));
      if (n <= 0) throw new Error(`short write to ${this.path} at ${position + done}`);
      done += n;
    }
  }

  flush(): void {
    this.#file.syncDataSync();
  }

  /** Close the file. */
  close(): void {
    this.#file.close();
  }
}

/** The block backend. */
export class VirtioBlkBackend implements VirtioBackend {
  readonly deviceId: number = VIRTIO_ID_BLOCK;
  readonly featuresLo: number;
  readonly featuresHi = 0;
  readonly queueMaxSizes = [BLK_QUEUE_SIZE];
  readonly configSize: number = BLK_CONFIG_SIZE;
  readonly #config = new DataView(new ArrayBuffer(BLK_CONFIG_SIZE));
  readonly #id = new Uint8Array(VIRTIO_BLK_ID_BYTES);
  #active: VirtioActivation | null = null;
  readonly #header = new Uint8Array(VIRTIO_BLK_REQ_HEADER);
  readonly #headerView = new DataView(this.#header.buffer);
  readonly #statusByte = new Uint8Array(1);
  #status = VIRTIO_BLK_S_OK;
  readonly #data = new Uint8Array(BLK_CHUNK);
  /** Set when a write or flush failed: every later FLUSH reports IOERR (see the module doc). */
  #durabilityLost = "";
  /** Requests completed, by outcome. */
  readonly counts = { read: 0, write: 0, flush: 0, getId: 0, error: 0, hostError: 0 };
  /** The last host error of the image ("" if none). */
  lastHostError = "";

  /**
   * A disk over `image`; `readOnly` offers VIRTIO_BLK_F_RO; `serial` answers
   * GET_ID; `log` hears about host errors (the first of each kind of request).
   */
  constructor(
    readonly image: BlockImage,
    readonly readOnly: boolean,
    serial: string,
    readonly log: (message: string) => void = () => {},
  ) {
    this.featuresLo = (1 << VIRTIO_BLK_F_FLUSH) | (readOnly ? 1 << VIRTIO_BLK_F_RO : 0);
    const sectors = Math.floor(image.size / VIRTIO_BLK_SECTOR_SIZE);
    this.#config.setUint32(0, sectors % 0x1_0000_0000, true);
    this.#config.setUint32(4, Math.floor(sectors / 0x1_0000_0000), true);
    this.#config.setUint32(20, VIRTIO_BLK_SECTOR_SIZE, true);
    this.#id.set(new TextEncoder().encode(serial).subarray(0, VIRTIO_BLK_ID_BYTES));
  }

  /** Capacity in 512-byte sectors. */
  get capacity(): number {
    return Math.floor(this.image.size / VIRTIO_BLK_SECTOR_SIZE);
  }

  readConfig(offset: number, size: number): number {
    if (size === 1) return this.#config.getUint8(offset);
    if (size === 2) return this.#config.getUint16(offset, true);
    return this.#config.getUint32(offset, true);
  }
  writeConfig(): void {}

  activate(activation: VirtioActivation): void {
    this.#active = activation;
  }

  notify(index: number): void {
    const a = this.#active;
    if (a === null || index !== 0) return;
    const q = a.queues[0];
    let served = false;
    let budget = BLK_NOTIFY_BUDGET;
    const mem = a.memory;
    for (let c = q.pop(mem); c !== null; c = q.pop(mem)) {
      if (c.writableLength < 1) throw new VirtioError("block request has no writable status byte");
      const written = this.#serveGuarded(mem, c);
      this.#statusByte[0] = this.#status;
      c.writeFrom(mem, this.#statusByte, c.writableLength - 1);
      if (this.#status !== VIRTIO_BLK_S_OK) this.counts.error++;
      q.pushUsed(mem, c.head, written + 1);
      served = true;
      budget -= Math.max(c.readableLength, c.writableLength);
      if (budget <= 0) {
        a.continueLater(0);
        break;
      }
    }
    if (served) a.signalUsed();
  }

  /** {@link #serve}, with every host error of the image turned into VIRTIO_BLK_S_IOERR. */
  #serveGuarded(mem: GuestMemory, c: DescriptorChain): number {
    try {
      return this.#serve(mem, c);
    } catch (e) {
      // A malformed chain is the guest's fault: the transport resets the device.
      if (e instanceof VirtioError) throw e;
      const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      if (this.counts.hostError++ === 0 || this.lastHostError !== what) {
        this.log(`virtio-blk: host I/O error, request answered VIRTIO_BLK_S_IOERR: ${what}`);
      }
      this.lastHostError = what;
      this.#status = VIRTIO_BLK_S_IOERR;
      return 0;
    }
  }

  /**
   * Serve one request: sets {@link #status} and returns the data bytes
   * written into the chain (the status byte is written by the caller).
   */
  #serve(mem: GuestMemory, c: DescriptorChain): number {
    const inLen = c.writableLength;
    this.#status = VIRTIO_BLK_S_IOERR;
    if (c.readInto(mem, this.#header) < VIRTIO_BLK_REQ_HEADER) return 0;
    const h = this.#headerView;
    const type = h.getUint32(0, true);
    const sector = h.getUint32(8, true) + h.getUint32(12, true) * 0x1_0000_0000;
    const position = sector * VIRTIO_BLK_SECTOR_SIZE;
    switch (type) {
      case VIRTIO_BLK_T_IN: {
        const len = inLen - 1;
        if (
          len % VIRTIO_BLK_SECTOR_SIZE !== 0 || len > BLK_REQUEST_BUDGET ||
          position + len > this.image.size
        ) return 0;
        for (let done = 0; done < len; done += BLK_CHUNK) {
          const data = this.#data.subarray(0, Math.min(BLK_CHUNK, len - done));
          this.image.read(position + done, data);
          c.writeFrom(mem, data, done);
        }
        this.counts.read++;
        this.#status = VIRTIO_BLK_S_OK;
        return len;
      }
      case VIRTIO_BLK_T_OUT: {
        const len = c.readableLength - VIRTIO_BLK_REQ_HEADER;
        if (
          this.readOnly || len % VIRTIO_BLK_SECTOR_SIZE !== 0 || len > BLK_REQUEST_BUDGET ||
          position + len > this.image.size
        ) {
          return 0;
        }
        for (let done = 0; done < len; done += BLK_CHUNK) {
          const data = this.#data.subarray(0, Math.min(BLK_CHUNK, len - done));
          c.readInto(mem, data, VIRTIO_BLK_REQ_HEADER + done);
          try {
            this.image.write(position + done, data);
          } catch (e) {
            this.#durabilityLost = `a write at byte ${position + done} failed`;
            throw e;
          }
        }
        this.counts.write++;
        this.#status = VIRTIO_BLK_S_OK;
        return 0;
      }
      case VIRTIO_BLK_T_FLUSH:
        if (!this.readOnly) {
          if (this.#durabilityLost !== "") {
            throw new Error(`flush refused: ${this.#durabilityLost} earlier, its data may be lost`);
          }
          try {
            this.image.flush();
          } catch (e) {
            this.#durabilityLost = "an fdatasync failed";
            throw e;
          }
        }
        this.counts.flush++;
        this.#status = VIRTIO_BLK_S_OK;
        return 0;
      case VIRTIO_BLK_T_GET_ID: {
        const n = c.writeFrom(mem, this.#id.subarray(0, Math.min(VIRTIO_BLK_ID_BYTES, inLen - 1)));
        this.counts.getId++;
        this.#status = VIRTIO_BLK_S_OK;
        return n;
      }
      default:
        this.#status = VIRTIO_BLK_S_UNSUPP;
        return 0;
    }
  }

  reset(): void {
    this.#active = null;
  }

  close(): void {
    this.image.close();
  }

  describe(): Record<string, string | number | boolean> {
    return {
      device: "virtio-blk",
      capacitySectors: this.capacity,
      readOnly: this.readOnly,
      lastHostError: this.lastHostError,
      ...this.counts,
    };
  }
}
