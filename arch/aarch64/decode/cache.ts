/**
 * The decoded-instruction cache: for every 4 KiB IPA page the vCPUs of a VM
 * have executed from, the instruction words and their handlers, one slot per
 * 4-byte instruction. Shared by all vCPUs of a VM (handlers are stateless).
 *
 * Slots are decoded lazily, on first execution. Coherence with guest writes:
 * - decoding from a page marks it in the mapping's code-page marks
 *   (mmu/code_pages.ts); the store path, on a store to a marked page, clears
 *   the mark and calls `cpu.codePageWritten`, which resets the page here
 *   (through {@link DecodeCache.invalidateRange}); the next decode marks it
 *   again;
 * - IC IVAU / IC IALLU(IS) call {@link DecodeCache.invalidateRange} /
 *   {@link DecodeCache.invalidateAll} (writes by devices into guest RAM do
 *   not pass the CPU write path; the guest's I-cache maintenance covers them
 *   exactly as on hardware);
 * - a change of the stage-2 view's `generation` drops everything.
 *
 * Invalidation resets slots in place, so a run loop holding a page keeps a
 * valid object and simply re-decodes.
 *
 * @module
 */
import { PAGE_SIZE } from "@gunyah-ts/core/abi";
import type { Stage2Mapping, Stage2View } from "@gunyah-ts/core/plugin";
import { codePageMarks } from "../mmu/code_pages.ts";
import type { A64Decoder } from "./compile.ts";
import type { Handler } from "./entry.ts";
import type { TranslatedBlock } from "../jit/block.ts";

/** The cache holds one decoded page per 4 KiB translation granule ({@link PAGE_SIZE}). */
export { PAGE_SIZE };
/** A64 instructions per page. */
export const SLOTS_PER_PAGE = PAGE_SIZE / 4;

/** Marker in {@link DecodedPage.handlers} for a slot not decoded yet. Never executed. */
export const NOT_DECODED: Handler = () => {
  throw new Error("decode cache: NOT_DECODED slot executed (run loop must decode first)");
};

/** One cached code page. */
export class DecodedPage {
  /** Handler per instruction slot, {@link NOT_DECODED} until first use. */
  readonly handlers: Handler[] = new Array<Handler>(SLOTS_PER_PAGE).fill(NOT_DECODED);
  /**
   * Instruction word per slot (valid where the handler is decoded), held
   * signed: a word passed to a handler that V8 does not inline must be a
   * small integer, or every call allocates a heap number (measured: a
   * Uint32Array here made the run loop allocate ~16 bytes per instruction).
   * Handlers only apply bit operations to it, which are sign-agnostic.
   */
  readonly words: Int32Array = new Int32Array(SLOTS_PER_PAGE);
  /** False once the page was dropped (stage-2 change, IC IALLU); holders must look up again. */
  valid = true;
  /**
   * Translated blocks (arch/aarch64/jit/) starting at each slot, created on
   * the first translation in the page; dropped with the decoded slots.
   */
  blocks: (TranslatedBlock | undefined)[] | null = null;
  /** Executions of each slot by the interpreter, for the translator's hotness threshold. */
  heat: Uint16Array | null = null;
  /** Blocks of this page dropped so far by invalidation (statistics, read by the translator). */
  static blocksDropped = 0;

  /** A page of `mapping` starting at IPA `ipa` (used by {@link DecodeCache.page}). */
  constructor(
    /** IPA of the first byte of the page. */
    readonly ipa: number,
    /** The RAM mapping the page lies in. */
    readonly mapping: Stage2Mapping,
    /** Byte offset of the page within `mapping.view`. */
    readonly viewOffset: number,
    /** The mapping's code-page marks (mmu/code_pages.ts). */
    readonly marks: Uint8Array,
    /** Index of this page in {@link marks}. */
    readonly markIndex: number,
  ) {}

  /** Reset every slot to {@link NOT_DECODED} and drop the page's translated blocks. */
  reset(): void {
    this.handlers.fill(NOT_DECODED);
    this.dropBlocks();
  }

  /**
   * Drop every translated block of the page (a block may run until its next
   * store or slow path checks {@link TranslatedBlock.valid}) and its heat.
   */
  dropBlocks(): void {
    const b = this.blocks;
    if (b === null) return;
    for (let i = 0; i < b.length; i++) {
      const blk = b[i];
      if (blk !== undefined) {
        blk.valid = false;
        DecodedPage.blocksDropped++;
      }
    }
    this.blocks = null;
    this.heat = null;
  }
}

/** The per-VM decoded-instruction cache. */
export class DecodeCache {
  readonly #pages = new Map<number, DecodedPage>();
  #generation: number;
  /** Slots decoded so far (statistics). */
  decodes = 0;

  /** A cache for the VM whose RAM is `memory`, decoding with `decoder`. */
  constructor(readonly memory: Stage2View, readonly decoder: A64Decoder) {
    this.#generation = memory.generation;
  }

  /**
   * The cached page holding `ipa`, created on first use. Returns `null` when
   * `ipa` is not RAM (the caller raises the instruction abort).
   */
  page(ipa: number): DecodedPage | null {
    if (this.memory.generation !== this.#generation) this.invalidateAll();
    const key = Math.floor(ipa / PAGE_SIZE);
    let p = this.#pages.get(key);
    if (p !== undefined) return p;
    const m = this.memory.lookup(ipa);
    if (m === null) return null;
    const base = key * PAGE_SIZE;
    const rel = base - m.ipaBase;
    p = new DecodedPage(
      base,
      m,
      m.offset + rel,
      codePageMarks(m),
      Math.floor(rel / PAGE_SIZE),
    );
    this.#pages.set(key, p);
    return p;
  }

  /** Decode slot `slot` of `page` from guest memory; returns its handler. */
  decodeSlot(page: DecodedPage, slot: number): Handler {
    const word = page.mapping.view.getInt32(page.viewOffset + slot * 4, true);
    const h = this.decoder.decode(word);
    page.words[slot] = word;
    page.handlers[slot] = h;
    page.marks[page.markIndex] = 1;
    this.decodes++;
    return h;
  }

  /** Forget decoded instructions overlapping `[ipa, ipa + size)` (a store, IC IVAU). */
  invalidateRange(ipa: number, size: number): void {
    let a = ipa;
    const end = ipa + size;
    while (a < end) {
      const key = Math.floor(a / PAGE_SIZE);
      const pageEnd = (key + 1) * PAGE_SIZE;
      const p = this.#pages.get(key);
      if (p !== undefined) {
        const first = ((a - key * PAGE_SIZE) / 4) | 0;
        const last = ((Math.min(end, pageEnd) - 1 - key * PAGE_SIZE) / 4) | 0;
        for (let s = first; s <= last; s++) p.handlers[s] = NOT_DECODED;
        p.dropBlocks();
      }
      a = pageEnd;
    }
  }

  /** Forget everything (IC IALLU, stage-2 change). */
  invalidateAll(): void {
    for (const p of this.#pages.values()) {
      p.reset();
      p.valid = false;
      p.marks[p.markIndex] = 0;
    }
    this.#pages.clear();
    this.#generation = this.memory.generation;
  }

  /** Number of cached pages. */
  get pageCount(): number {
    return this.#pages.size;
  }
}
