/**
 * The JavaScript side of WebAssembly blocks (./emit.ts): compiling block
 * modules (cached by their bytes), one instance per block and vCPU (each
 * imports that vCPU's state memory and Wasm RAM memory), the slow-path
 * imports (`rd`, `wr`, `gen`, `spa`) that run the interpreter's code with
 * the block's state, and the {@link BlockCode} wrapper the run loop calls.
 *
 * @module
 */
import type { Handler } from "../../decode/entry.ts";
import type { Cpu } from "../../cpu/cpu.ts";
import {
  JUMP_CACHE,
  JUMP_CACHE_ENTRIES,
  JUMP_CACHE_ENTRY_BYTES,
  STATE_ASID,
  STATE_BUDGET,
  STATE_CHAIN_BASE,
  STATE_CHAINED,
  STATE_CODE_GEN,
  STATE_EL0,
  STATE_MEM_HI,
  STATE_NZCV,
  STATE_PC_HI,
  STATE_PC_LO,
  STATE_RETIRED,
  STATE_TRANSLATION_KEY,
} from "../../cpu/state_memory.ts";
import { DecodedPage } from "../../decode/cache.ts";
import { readMem, writeMem } from "../../mmu/access.ts";
import { codeMarkMemory } from "../../mmu/code_pages.ts";
import { checkSpAlignment } from "../../sys/exception.ts";
import type { BlockCode, TranslatedBlock } from "../block.ts";
import { STATE_LEAVE } from "./emit.ts";
import { assembleDispatcher } from "./encoder.ts";

const NZ = STATE_NZCV >> 2, PC_LO = STATE_PC_LO >> 2, PC_HI = STATE_PC_HI >> 2;
const RETIRED = STATE_RETIRED >> 2, MEM_HI = STATE_MEM_HI >> 2, LEAVE = STATE_LEAVE >> 2;
const BUDGET = STATE_BUDGET >> 2, ASID = STATE_ASID >> 2, EL0 = STATE_EL0 >> 2;
const CHAIN_BASE = STATE_CHAIN_BASE >> 2, TRANSLATION_KEY = STATE_TRANSLATION_KEY >> 2;
const CODE_GEN = STATE_CODE_GEN >> 2, CHAINED = STATE_CHAINED >> 2;
const JC = JUMP_CACHE >> 2,
  JC_WORDS = JUMP_CACHE_ENTRY_BYTES >> 2,
  JC_MASK = JUMP_CACHE_ENTRIES - 1;

/**
 * Block ids (function-table indices) a translator hands out before starting
 * a new epoch (as many as it keeps blocks installed): each vCPU's table, and
 * the instances it holds, stays within this many entries.
 */
export const WASM_BLOCK_IDS = 65536;

/** A shared one-page memory for vCPUs whose RAM is not a WebAssembly memory (every probe misses). */
let noRam: WebAssembly.Memory | null = null;
let dispatcherModule: WebAssembly.Module | null = null;

/**
 * The translator-wide side of WebAssembly blocks: compiled modules by their
 * bytes and the block ids (each vCPU's function-table index of a block).
 * Ids are handed out on a block's first entry in an epoch; when they run
 * out, a new epoch starts and every vCPU refills its table as blocks run.
 */
export class WasmBlocks {
  readonly #modules = new Map<string, WebAssembly.Module>();
  readonly #decoder = new TextDecoder("latin1");
  /** Bytes of the modules held. */
  bytes = 0;
  /** Modules compiled (cache misses). */
  compiles = 0;
  epoch = 0;
  #nextId = 0;
  /** Interpreter handlers blocks call through `gen`, by their number. */
  readonly handlers: Handler[] = [];
  readonly #handlerIds = new Map<Handler, number>();
  /** The number of `h` (for emitWasmBlock). */
  readonly handlerId = (h: Handler): number => {
    let id = this.#handlerIds.get(h);
    if (id === undefined) {
      id = this.handlers.length;
      this.handlers.push(h);
      this.#handlerIds.set(h, id);
    }
    return id;
  };

  constructor(
    /** Compiled modules kept (the oldest is dropped beyond). */
    readonly limit: number,
    /** Ids handed out per epoch. */
    readonly idLimit: number = WASM_BLOCK_IDS,
  ) {}

  /** The module for `bytes`, compiled on first use. */
  module(bytes: Uint8Array): WebAssembly.Module {
    const key = this.#decoder.decode(bytes);
    let m = this.#modules.get(key);
    if (m === undefined) {
      m = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
      this.compiles++;
      this.#modules.set(key, m);
      this.bytes += bytes.length;
      if (this.#modules.size > this.limit) {
        const oldest = this.#modules.keys().next().value as string;
        this.#modules.delete(oldest);
        this.bytes -= oldest.length;
      }
    }
    return m;
  }

  /** Give `code` an id of the current epoch. */
  assign(code: WasmBlockCode): void {
    if (this.#nextId === this.idLimit) {
      this.epoch++;
      this.#nextId = 0;
    }
    code.id = this.#nextId++;
    code.epoch = this.epoch;
  }
}

/** The host part of one WebAssembly block (TranslatedBlock.wasm). */
export class WasmBlockCode {
  /** Function-table index in every vCPU's table (valid in {@link epoch}). */
  id = -1;
  epoch = -1;

  constructor(readonly owner: WasmBlocks, readonly module: WebAssembly.Module) {}
}

/** One vCPU's side of its blocks: imports, function table, dispatcher. */
export class WasmCpuContext {
  readonly st: Int32Array;
  readonly imports: WebAssembly.Imports;
  readonly table: WebAssembly.Table;
  readonly dispatch: (id: number) => number;
  /** The block code whose instance is at each table index (this epoch). */
  installed: (WasmBlockCode | undefined)[] = [];
  epoch = 0;
  /** `cpu.retiredTotal` when the dispatch began. */
  base = 0;

  constructor(readonly cpu: Cpu, blk: TranslatedBlock, owner: WasmBlocks) {
    const tlb = cpu.sys.tlb;
    if (tlb.wasmRam === null) {
      const m = cpu.memory.lookup(blk.ipa);
      if (m !== null && m.memory !== undefined) tlb.adoptWasmRam(m.memory);
    }
    let ram = tlb.wasmRam;
    if (ram === null) {
      noRam ??= new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      ram = noRam;
    }
    const st = this.st = new Int32Array(cpu.stateMemory.buffer);
    this.table = new WebAssembly.Table({ element: "anyfunc", initial: 1024 });
    dispatcherModule ??= new WebAssembly.Module(
      assembleDispatcher({
        pcLo: STATE_PC_LO,
        pcHi: STATE_PC_HI,
        budget: STATE_BUDGET,
        leave: STATE_LEAVE,
        chainBase: STATE_CHAIN_BASE,
        translationKey: STATE_TRANSLATION_KEY,
        codeGen: STATE_CODE_GEN,
        chained: STATE_CHAINED,
        jumpCache: JUMP_CACHE,
        jumpCacheMask: JUMP_CACHE_ENTRIES - 1,
        entryBytes: JUMP_CACHE_ENTRY_BYTES,
      }) as Uint8Array<ArrayBuffer>,
    );
    const d = new WebAssembly.Instance(dispatcherModule, {
      m: { s: cpu.stateMemory },
      t: { t: this.table },
    });
    this.dispatch = d.exports.d as (id: number) => number;
    const sync = () => {
      cpu.pcLo = st[PC_LO] >>> 0;
      cpu.pcHi = st[PC_HI] >>> 0;
      cpu.nzcv = st[NZ] >>> 0;
      cpu.retiredTotal = this.base + st[CHAIN_BASE] + st[RETIRED];
    };
    // Leave when code was invalidated (the running block may be gone) or an
    // unmasked interrupt line is up.
    const leave = () =>
      codeGeneration(owner) !== st[CODE_GEN] || (cpu.irqLine && (cpu.daif & 0x80) === 0) ||
        (cpu.fiqLine && (cpu.daif & 0x40) === 0)
        ? 1
        : 0;
    const handlers = owner.handlers;
    this.imports = {
      m: { s: cpu.stateMemory, r: ram, k: codeMarkMemory() },
      f: {
        rd: (al: number, ah: number, bytes: number): number => {
          sync();
          const v = readMem(cpu, al >>> 0, ah >>> 0, bytes, 0);
          st[MEM_HI] = cpu.memHi;
          st[LEAVE] = leave();
          return v;
        },
        wr: (al: number, ah: number, bytes: number, vl: number, vh: number): void => {
          sync();
          writeMem(cpu, al >>> 0, ah >>> 0, bytes, vl >>> 0, vh >>> 0, 0);
          st[LEAVE] = leave();
        },
        gen: (k: number, word: number): void => {
          sync();
          handlers[k](cpu, word);
          st[NZ] = cpu.nzcv;
          st[LEAVE] = leave();
        },
        spa: (): void => {
          sync();
          checkSpAlignment(cpu);
        },
      },
    };
  }

  /** Instantiate `code` for this vCPU and put it at its table index. */
  install(code: WasmBlockCode): void {
    if (this.epoch !== code.epoch) {
      // A new epoch: every index means another block now; let the old instances go.
      this.installed = [];
      this.epoch = code.epoch;
      for (let i = 0; i < this.table.length; i++) this.table.set(i, null);
    }
    const inst = new WebAssembly.Instance(code.module, this.imports);
    const id = code.id;
    if (id >= this.table.length) {
      this.table.grow(Math.max(id + 1 - this.table.length, this.table.length));
    }
    this.table.set(id, inst.exports.b as () => number);
    this.installed[id] = code;
  }
}

/**
 * Run a WebAssembly block (the run loop calls it directly: one monomorphic
 * call for every block; the contract of ../block.ts BlockCode): inputs to
 * the exchange words, the block through this vCPU's dispatcher, NZCV, PC and
 * the retired count back. Returns the blocks the dispatcher chained into.
 */
export function runWasmBlock(cpu: Cpu, stop: number, blk: TranslatedBlock): number {
  const code = blk.wasm!;
  const owner = code.owner;
  let ctx = cpu.wasmContext;
  if (ctx === null) ctx = cpu.wasmContext = new WasmCpuContext(cpu, blk, owner);
  if (code.epoch !== owner.epoch) owner.assign(code);
  const id = code.id;
  if (ctx.epoch !== code.epoch || ctx.installed[id] !== code) ctx.install(code);
  const st = ctx.st, base = cpu.retiredTotal;
  // Chains are keyed by VA and EL under the current translations (exception
  // entry and return change EL, not the translations).
  const key = (cpu.translationEpoch * 2 + cpu.el) | 0;
  const pcLo = cpu.pcLo, pcHi = cpu.pcHi, gen = codeGeneration(owner);
  // This block is where the run loop found it for this PC: remember it for chaining.
  const e = JC + ((pcLo >>> 2) & JC_MASK) * JC_WORDS;
  st[e] = pcLo;
  st[e + 1] = pcHi;
  st[e + 2] = key;
  st[e + 3] = gen;
  st[e + 4] = id;
  st[e + 5] = blk.length;
  st[PC_LO] = pcLo;
  st[PC_HI] = pcHi;
  st[NZ] = cpu.nzcv;
  st[BUDGET] = stop - base;
  st[ASID] = cpu.sys.tlb.curAsid;
  st[EL0] = cpu.el === 0 ? 1 : 0;
  st[TRANSLATION_KEY] = key;
  st[CODE_GEN] = gen;
  st[CHAINED] = 0;
  st[LEAVE] = 0;
  ctx.base = base;
  const k = ctx.dispatch(id);
  cpu.nzcv = st[NZ] >>> 0;
  cpu.pcLo = st[PC_LO] >>> 0;
  cpu.pcHi = st[PC_HI] >>> 0;
  cpu.retiredTotal = base + k;
  return st[CHAINED];
}

/** The BlockCode of a WebAssembly block (for callers other than the run loop). */
export const wasmBlockEntry: BlockCode = (cpu, stop, blk) => {
  const chained = runWasmBlock(cpu, stop, blk);
  const jit = cpu.translator;
  if (jit !== null) jit.blockEntries += chained;
};

/** Changes whenever translated code may have gone: blocks dropped anywhere, or a new block-id epoch. */
function codeGeneration(owner: WasmBlocks): number {
  return (DecodedPage.blocksDropped + owner.epoch) | 0;
}
