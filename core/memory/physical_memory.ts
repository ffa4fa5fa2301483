/**
 * The hypervisor's "physical RAM": regions of host memory, each backed by its
 * own shared `WebAssembly.Memory` (initial = maximum pages, never grown). Its
 * `.buffer` is a `SharedArrayBuffer`, so a memextent's pages are real bytes
 * that CPUs, devices and plugin Workers share, and translated (WebAssembly)
 * guest code can address the same bytes natively (docs/ARCHITECTURE.md
 * "Guest memory").
 *
 * Physical addresses here are the hypervisor's physical address space
 * (36 bits on the QEMU platform, gunyah-abi.md §9), so a JS number holds them
 * exactly. A buffer is only committed by the host OS when touched, so large
 * regions are cheap until used.
 *
 * @module
 */
import { PAGE_SIZE } from "../abi/formats.ts";

/** WebAssembly page size in bytes (WebAssembly Core Specification 2.0, §4.2.8 "Memory Instances"). */
const WASM_PAGE_SIZE = 0x1_0000;
/**
 * Most pages of a 32-bit-indexed WebAssembly memory: 4 GiB (WebAssembly Core
 * Specification 2.0, §2.5.5 "Memories": limits within 2^16 pages).
 */
const WASM_MEMORY32_MAX_PAGES = 0x1_0000;

/** One contiguous region of physical RAM. */
export interface PhysicalRegion {
  /** First physical address. */
  readonly base: number;
  /** Length in bytes (a multiple of {@link PAGE_SIZE}). */
  readonly size: number;
  /**
   * The backing memory: `ceil(size / 64 KiB)` WebAssembly pages, shared,
   * never grown. Bytes past `size` (less than one Wasm page) are not RAM.
   */
  readonly memory: WebAssembly.Memory;
  /** `memory.buffer`: the `SharedArrayBuffer` CPUs, devices and Workers share. */
  readonly buffer: SharedArrayBuffer;
  /** All of the region's bytes. */
  readonly bytes: Uint8Array;
  /** A DataView over the same bytes. */
  readonly view: DataView;
}

/** The set of RAM regions of one hypervisor instance. */
export class PhysicalMemory {
  #regions: PhysicalRegion[] = [];

  /** Regions, sorted by base. */
  get regions(): readonly PhysicalRegion[] {
    return this.#regions;
  }

  /**
   * Add a RAM region `[base, base + size)`; page aligned, non-overlapping, at
   * most 4 GiB (one 32-bit WebAssembly memory). Optionally adopt an existing
   * shared `WebAssembly.Memory` (e.g. one sent from another thread) of exactly
   * `ceil(size / 64 KiB)` pages.
   */
  addRegion(base: number, size: number, memory?: WebAssembly.Memory): PhysicalRegion {
    if (base % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || size <= 0) {
      throw new RangeError(
        `physical RAM region 0x${base.toString(16)}+0x${
          size.toString(16)
        } must be page aligned and non-empty`,
      );
    }
    if (!Number.isSafeInteger(base + size)) throw new RangeError("physical RAM region beyond 2^53");
    for (const r of this.#regions) {
      if (base < r.base + r.size && r.base < base + size) {
        throw new RangeError(
          `physical RAM region 0x${base.toString(16)} overlaps 0x${r.base.toString(16)}`,
        );
      }
    }
    const pages = Math.ceil(size / WASM_PAGE_SIZE);
    if (pages > WASM_MEMORY32_MAX_PAGES) {
      throw new RangeError(
        `physical RAM region 0x${base.toString(16)}+0x${
          size.toString(16)
        } is larger than 4 GiB (one WebAssembly memory); configure it as several regions`,
      );
    }
    const mem = memory ?? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const buf = mem.buffer;
    if (!(buf instanceof SharedArrayBuffer) || buf.byteLength !== pages * WASM_PAGE_SIZE) {
      throw new RangeError(
        `backing memory must be a shared WebAssembly.Memory of ${pages} pages for a region of 0x${
          size.toString(16)
        } bytes`,
      );
    }
    const region: PhysicalRegion = {
      base,
      size,
      memory: mem,
      buffer: buf,
      bytes: new Uint8Array(buf, 0, size),
      view: new DataView(buf, 0, size),
    };
    this.#regions.push(region);
    this.#regions.sort((a, b) => a.base - b.base);
    return region;
  }

  /**
   * Remove the region that starts at `base` (RAM the system takes back, e.g.
   * a destroyed VM's): its buffer is dropped, so nothing may still map it.
   * The memdb entry is the caller's to remove first.
   */
  removeRegion(base: number): PhysicalRegion {
    const i = this.#regions.findIndex((r) => r.base === base);
    if (i < 0) throw new RangeError(`no physical RAM region starts at 0x${base.toString(16)}`);
    const [region] = this.#regions.splice(i, 1);
    return region;
  }

  /** The region that wholly contains `[base, base + size)`, or `null`. */
  regionFor(base: number, size = 1): PhysicalRegion | null {
    for (const r of this.#regions) {
      if (base >= r.base && base + size <= r.base + r.size) return r;
    }
    return null;
  }

  /** Copy bytes out of physical memory (throws if not wholly inside one region). */
  read(base: number, length: number): Uint8Array {
    const r = this.#need(base, length);
    return r.bytes.slice(base - r.base, base - r.base + length);
  }

  /** Copy bytes into physical memory (throws if not wholly inside one region). */
  write(base: number, data: Uint8Array): void {
    const r = this.#need(base, data.length);
    r.bytes.set(data, base - r.base);
  }

  /** Zero `[base, base + length)`. */
  zero(base: number, length: number): void {
    const r = this.#need(base, length);
    r.bytes.fill(0, base - r.base, base - r.base + length);
  }

  #need(base: number, length: number): PhysicalRegion {
    const r = this.regionFor(base, Math.max(length, 1));
    if (!r) {
      throw new RangeError(
        `physical range 0x${base.toString(16)}+0x${length.toString(16)} is not RAM`,
      );
    }
    return r;
  }
}
