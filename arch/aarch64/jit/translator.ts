/**
 * The block translator: guest A64 code to host (JavaScript) functions, with
 * the interpreter kept for cold code and as the reference.
 *
 * - **Keying.** A block is installed in the decode cache's page object
 *   (decode/cache.ts, one per 4 KiB IPA page of a VM) at the slot of its
 *   first instruction, so it is keyed by guest-physical PC. Nothing in the
 *   generated code depends on EL, the MMU regime or the VA it is entered at:
 *   EL-dependent permissions, the TLB and the ASID are read when the block is
 *   entered, and PC-relative values are offsets from the PC it is entered at.
 *   Fetch translation is done by the run loop exactly as for the interpreter
 *   (on entering a page, after a change of `fetchEpoch`).
 * - **Hotness.** The run loop counts interpreter executions per slot and asks
 *   for a block once a slot reaches the threshold (0 = translate everything
 *   on first execution).
 * - **Invalidation.** Blocks go with their page's decoded instructions: a
 *   store into a code page (the code-page marks), IC IVAU / IC IALLU(IS), a
 *   stage-2 change. A block that stores into its own page leaves right after
 *   the store.
 * - **Code cache.** Generated source is cached by text: the same code at
 *   another address, or again after an invalidation, reuses the compiled
 *   factory. Both the installed blocks and the factories are bounded; the
 *   oldest are evicted first.
 *
 * @module
 */
import type { Handler } from "../decode/entry.ts";
import { type DecodedPage, NOT_DECODED, SLOTS_PER_PAGE } from "../decode/cache.ts";
import type { DecodeCache } from "../decode/cache.ts";
import { DecodedPage as DecodedPageClass } from "../decode/cache.ts";
import { readMem, writeMem } from "../mmu/access.ts";
import { checkSpAlignment } from "../sys/exception.ts";
import { type BlockCode, TranslatedBlock } from "./block.ts";
import {
  type BlockInsn,
  classify,
  emitBlock,
  isConditionalBranch,
  isTerminator,
  Op,
} from "./emit.ts";
import { DEFAULT_JIT_BACKEND, type JitBackend } from "./config.ts";
import { emitWasmBlock } from "./wasm/emit.ts";
import { WasmBlockCode, wasmBlockEntry, WasmBlocks } from "./wasm/glue.ts";

/** Longest block, in instructions. */
export const MAX_BLOCK_INSTRUCTIONS = 128;
/** Installed blocks per VM above which the oldest are evicted. */
export const MAX_BLOCKS = 65536;
/** Compiled factories kept for reuse by source text. */
export const MAX_FACTORIES = 32768;
/** Heat value marking a slot where no block can start (its first instruction is not translatable). */
export const HEAT_NEVER = 0xffff;

/** What the translator has done (read-only view; see {@link Translator.stats}). */
export interface TranslatorStats {
  /** Blocks translated (installed), including those whose code came from the cache. */
  readonly blocksTranslated: number;
  /** Of those, blocks that needed a new `new Function` compile. */
  readonly compiles: number;
  /** Blocks dropped because their page was written or I-cache maintenance ran (all VMs of the process). */
  readonly invalidations: number;
  /** Blocks evicted to keep the cache bounded. */
  readonly evictions: number;
  /** Blocks currently installed. */
  readonly blocks: number;
  /** Characters of generated source held by the factory cache. */
  readonly cacheSourceChars: number;
  /** Host milliseconds spent translating (emitting and compiling). */
  readonly translateMs: number;
  /** Blocks entered by the run loop. */
  readonly blockEntries: number;
  /** Guest instructions retired inside translated blocks. */
  readonly retiredInBlocks: number;
  /**
   * Host milliseconds spent in translated code, estimated: every
   * {@link TIME_SAMPLE_PERIOD}th block entry is timed (minus the cost of
   * reading the clock, measured at the same sample) and counts that many
   * times. Coarse: preemption of the host thread lands in it.
   */
  readonly timeInBlocksMs: number;
}

/** One block entry in this many is timed for {@link TranslatorStats.timeInBlocksMs} (a power of two). */
export const TIME_SAMPLE_PERIOD = 1024;

type Factory = (deps: unknown, handlers: readonly Handler[]) => BlockCode;

const DEPS = { readMem, writeMem, checkSpAlignment };

/** Every translator of this process (for {@link translatorTotals}). */
const live = new Set<WeakRef<Translator>>();

/** The counters of all translators of this process, summed (benchmarks, diagnostics). */
export function translatorTotals(): TranslatorStats {
  const sum = {
    blocksTranslated: 0,
    compiles: 0,
    invalidations: DecodedPageClass.blocksDropped,
    evictions: 0,
    blocks: 0,
    cacheSourceChars: 0,
    translateMs: 0,
    blockEntries: 0,
    retiredInBlocks: 0,
    timeInBlocksMs: 0,
  };
  for (const ref of live) {
    const t = ref.deref();
    if (t === undefined) {
      live.delete(ref);
      continue;
    }
    const s = t.stats();
    sum.blocksTranslated += s.blocksTranslated;
    sum.compiles += s.compiles;
    sum.evictions += s.evictions;
    sum.blocks += s.blocks;
    sum.cacheSourceChars += s.cacheSourceChars;
    sum.translateMs += s.translateMs;
    sum.blockEntries += s.blockEntries;
    sum.retiredInBlocks += s.retiredInBlocks;
    sum.timeInBlocksMs += s.timeInBlocksMs;
  }
  return sum;
}

/** One VM's translator (shared by its vCPUs, like the decode cache). */
export class Translator {
  readonly #factories = new Map<string, Factory>();
  #factoryChars = 0;
  /** Installed blocks, oldest first, with their page and slot (for eviction). */
  readonly #installed: { block: TranslatedBlock; page: DecodedPage; slot: number }[] = [];
  #installedHead = 0;

  blocksTranslated = 0;
  compiles = 0;
  evictions = 0;
  translateMs = 0;
  blockEntries = 0;
  retiredInBlocks = 0;
  /** Host milliseconds of the timed block entries (see {@link TIME_SAMPLE_PERIOD}). */
  sampledBlockMs = 0;

  readonly #wasm: WasmBlocks;

  constructor(
    readonly cache: DecodeCache,
    /** Interpreter executions of a slot before a block is translated there (0 = at once). */
    readonly threshold: number,
    /** The host form of blocks. */
    readonly backend: JitBackend = DEFAULT_JIT_BACKEND,
    /** WebAssembly block ids per epoch (see jit/wasm/glue.ts; tests use few). */
    wasmBlockIds?: number,
  ) {
    this.#wasm = new WasmBlocks(MAX_FACTORIES, wasmBlockIds);
    live.add(new WeakRef(this));
  }

  /**
   * Translate the block starting at `slot` of `page` and install it; returns
   * null (and marks the slot {@link HEAT_NEVER}) when its first instruction is
   * not translatable.
   */
  translate(page: DecodedPage, slot: number): TranslatedBlock | null {
    const t0 = performance.now();
    const insns: BlockInsn[] = [];
    const decoder = this.cache.decoder;
    for (let s = slot; s < SLOTS_PER_PAGE && insns.length < MAX_BLOCK_INSTRUCTIONS; s++) {
      let h = page.handlers[s];
      if (h === NOT_DECODED) h = this.cache.decodeSlot(page, s);
      if (decoder.isUnallocated(h)) break;
      const word = page.words[s] >>> 0;
      const op = classify(word);
      if (op === Op.Stop) break;
      insns.push({ word, op, handler: h });
      // A WebAssembly block goes on past a conditional branch (a side exit when
      // taken): longer blocks, fewer transitions between them.
      if (isTerminator(op) && (this.backend !== "wasm" || !isConditionalBranch(op))) break;
    }
    if (page.heat === null) page.heat = new Uint16Array(SLOTS_PER_PAGE);
    if (insns.length === 0) {
      page.heat[slot] = HEAT_NEVER;
      this.translateMs += performance.now() - t0;
      return null;
    }
    if (this.backend === "wasm") {
      const wb = emitWasmBlock(insns, this.#wasm.handlerId);
      const module = this.#wasm.module(wb.bytes);
      return this.#install(
        page,
        slot,
        new TranslatedBlock(
          wasmBlockEntry,
          wb.length,
          page.ipa + slot * 4,
          wb.bytes.length,
          new WasmBlockCode(this.#wasm, module),
        ),
        t0,
      );
    }
    const emitted = emitBlock(insns, slot * 4);
    let factory = this.#factories.get(emitted.source);
    if (factory === undefined) {
      factory = new Function("D", "H", emitted.source) as Factory;
      this.compiles++;
      this.#factories.set(emitted.source, factory);
      this.#factoryChars += emitted.source.length;
      if (this.#factories.size > MAX_FACTORIES) {
        const oldest = this.#factories.keys().next().value as string;
        this.#factories.delete(oldest);
        this.#factoryChars -= oldest.length;
      }
    }
    const block = new TranslatedBlock(
      factory(DEPS, emitted.handlers),
      emitted.length,
      page.ipa + slot * 4,
      emitted.source.length,
    );
    return this.#install(page, slot, block, t0);
  }

  /** Install `block` at `slot` of `page` (evicting the oldest above the bound). */
  #install(page: DecodedPage, slot: number, block: TranslatedBlock, t0: number): TranslatedBlock {
    if (page.blocks === null) page.blocks = new Array(SLOTS_PER_PAGE);
    page.blocks[slot] = block;
    this.blocksTranslated++;
    this.#installed.push({ block, page, slot });
    this.#evict();
    this.translateMs += performance.now() - t0;
    return block;
  }

  /** Drop the oldest blocks above {@link MAX_BLOCKS} (and forget dropped ones). */
  #evict(): void {
    const list = this.#installed;
    while (list.length - this.#installedHead > MAX_BLOCKS) {
      const e = list[this.#installedHead++];
      if (e.block.valid) {
        e.block.valid = false;
        if (e.page.blocks !== null && e.page.blocks[e.slot] === e.block) {
          e.page.blocks[e.slot] = undefined;
        }
        this.evictions++;
      }
    }
    if (this.#installedHead > 4096 && this.#installedHead * 2 > list.length) {
      // Compact: drop evicted entries and blocks already invalidated.
      const live = list.slice(this.#installedHead).filter((e) => e.block.valid);
      list.length = 0;
      list.push(...live);
      this.#installedHead = 0;
    }
  }

  /** Counters (see {@link TranslatorStats}). */
  stats(): TranslatorStats {
    let live = 0;
    for (let i = this.#installedHead; i < this.#installed.length; i++) {
      if (this.#installed[i].block.valid) live++;
    }
    return {
      blocksTranslated: this.blocksTranslated,
      compiles: this.compiles + this.#wasm.compiles,
      invalidations: DecodedPageClass.blocksDropped,
      evictions: this.evictions,
      blocks: live,
      cacheSourceChars: this.#factoryChars + this.#wasm.bytes,
      translateMs: this.translateMs,
      blockEntries: this.blockEntries,
      retiredInBlocks: this.retiredInBlocks,
      timeInBlocksMs: this.sampledBlockMs * TIME_SAMPLE_PERIOD,
    };
  }
}
