/**
 * Marks on 4 KiB pages of guest RAM that hold decoded instructions.
 *
 * The decode cache (arch/aarch64/decode/) marks a page when it decodes from
 * it; the store path (mmu/access.ts) checks the mark with one typed-array
 * read and, when set, clears it and calls `cpu.codePageWritten(ipaPage)`.
 * Marks live per {@link Stage2Mapping} (a long-lived object shared by all
 * vCPUs of a VM), so a store by any vCPU sees the marks of every other.
 *
 * Every mapping's marks are a range of one process-wide shared
 * `WebAssembly.Memory` ({@link codeMarkMemory}), so that a translated
 * WebAssembly block can check a page's mark before a fast store with one
 * load at the address the TLB keeps for the page (mmu/tlb.ts
 * `markAddress`). Ranges come from a bump allocator over that memory, which
 * grows it when full (growing a shared memory keeps the views made before
 * valid) and reuses the range of a mapping once the mapping has been
 * garbage-collected, so creating and destroying VMs does not grow it
 * without bound.
 *
 * @module
 */
import type { Stage2Mapping } from "@gunyah-ts/core/plugin";

/** log2 of the page size the marks are kept at (4 KiB, the smallest translation granule). */
export const CODE_PAGE_SHIFT = 12;

/** WebAssembly page size in bytes (WebAssembly Core Specification 2.0, §4.2.8 "Memory Instances"). */
const WASM_PAGE_BYTES = 0x1_0000;

/**
 * Most WebAssembly pages of the code-mark memory: 4096 pages = 256 MiB of
 * marks, one byte per 4 KiB page, enough for 1 TiB of guest RAM mapped at
 * once in this process (summed over every VM's mappings). A shared memory
 * reserves its maximum up front (it can never move), so this is address
 * space, not memory: pages are committed only as the memory grows.
 */
export const CODE_MARK_MEMORY_MAX_PAGES = 4096;

/** A free range of the code-mark memory: `[start, start + length)`. */
interface MarkRange {
  start: number;
  length: number;
}

let memory: WebAssembly.Memory | null = null;
/** Every `buffer` object the code-mark memory has had (one per size it has grown to). */
const buffers = new WeakSet<ArrayBufferLike>();
/** First byte never handed out. */
let top = 0;
/** Released ranges below `top`, sorted by start, never adjacent (coalesced). */
const free: MarkRange[] = [];

const marks = new WeakMap<Stage2Mapping, Uint8Array>();
const released = new FinalizationRegistry<MarkRange>((r) => releaseRange(r.start, r.length));

/**
 * The process-wide shared `WebAssembly.Memory` that holds the code-page
 * marks of every mapping (see the module doc). Its `buffer` changes when it
 * grows; views made on an earlier buffer stay valid.
 */
export function codeMarkMemory(): WebAssembly.Memory {
  if (memory === null) {
    memory = new WebAssembly.Memory({
      initial: 1,
      maximum: CODE_MARK_MEMORY_MAX_PAGES,
      shared: true,
    });
    buffers.add(memory.buffer);
  }
  return memory;
}

/**
 * The byte address in {@link codeMarkMemory} of `marks[index]`, or -1 when
 * `marks` is not a view on that memory (a mapping whose marks did not fit
 * in it: see {@link codePageMarks}).
 */
export function codeMarkAddress(marks: Uint8Array, index: number): number {
  return buffers.has(marks.buffer) ? marks.byteOffset + index : -1;
}

/**
 * The mark array of a mapping: one byte per 4 KiB page from `ipaBase`,
 * nonzero when the page holds decoded code. Created on first use, as a view
 * on {@link codeMarkMemory}; if that memory cannot hold it (the mappings
 * alive at once cover more than 1 TiB) the marks are an ordinary array
 * instead, which the interpreter uses alike and a translated WebAssembly
 * block never reaches directly (the TLB gives such pages no mark address).
 */
export function codePageMarks(mapping: Stage2Mapping): Uint8Array {
  let m = marks.get(mapping);
  if (m === undefined) {
    const length = Math.ceil(mapping.size / (1 << CODE_PAGE_SHIFT));
    const start = length === 0 ? -1 : allocateRange(length);
    if (start < 0) {
      m = new Uint8Array(length);
    } else {
      const mem = codeMarkMemory();
      m = new Uint8Array(mem.buffer, start, length);
      m.fill(0);
      released.register(mapping, { start, length });
    }
    marks.set(mapping, m);
  }
  return m;
}

/** Mark the page holding `ipa` (inside `mapping`) as holding decoded code. */
export function markCodePage(mapping: Stage2Mapping, ipa: number): void {
  codePageMarks(mapping)[Math.floor((ipa - mapping.ipaBase) / (1 << CODE_PAGE_SHIFT))] = 1;
}

/** Clear the mark of the page holding `ipa` (e.g. when the decode cache evicts it). */
export function unmarkCodePage(mapping: Stage2Mapping, ipa: number): void {
  codePageMarks(mapping)[Math.floor((ipa - mapping.ipaBase) / (1 << CODE_PAGE_SHIFT))] = 0;
}

/**
 * Hand out `length` bytes of the code-mark memory: the first free range that
 * fits, else the bytes at `top` (growing the memory to at least twice its
 * size, within its maximum). Returns the start, or -1 when the memory is at
 * its maximum and nothing fits.
 */
function allocateRange(length: number): number {
  for (let k = 0; k < free.length; k++) {
    const r = free[k];
    if (r.length < length) continue;
    const start = r.start;
    if (r.length === length) free.splice(k, 1);
    else {
      r.start += length;
      r.length -= length;
    }
    return start;
  }
  const mem = codeMarkMemory();
  const end = top + length;
  const have = mem.buffer.byteLength;
  if (end > have) {
    const maxBytes = CODE_MARK_MEMORY_MAX_PAGES * WASM_PAGE_BYTES;
    if (end > maxBytes) return -1;
    const want = Math.min(maxBytes, Math.max(end, 2 * have));
    mem.grow(Math.ceil((want - have) / WASM_PAGE_BYTES));
    buffers.add(mem.buffer);
  }
  top = end;
  return end - length;
}

/** Return `[start, start + length)` to the allocator, merging it with its free neighbours. */
function releaseRange(start: number, length: number): void {
  let k = 0;
  while (k < free.length && free[k].start < start) k++;
  let end = start + length;
  const before = k > 0 ? free[k - 1] : null;
  if (before !== null && before.start + before.length === start) {
    start = before.start;
    free.splice(--k, 1);
  }
  if (k < free.length && free[k].start === end) {
    end += free[k].length;
    free.splice(k, 1);
  }
  if (end === top) top = start;
  else free.splice(k, 0, { start, length: end - start });
}

/** Bytes of the code-mark memory in use (handed out and not yet released), for tests and stats. */
export function codeMarkBytesInUse(): number {
  let inFree = 0;
  for (const r of free) inFree += r.length;
  return top - inFree;
}
