/**
 * The run loop: executes instructions of one vCPU until the budget is spent
 * or an instruction leaves the vCPU (HVC, SMC, WFI, WFE, MMIO exit, trapped
 * access), taking IRQ/FIQ exceptions between instructions.
 *
 * Instructions run in chunks of at most {@link TIMER_POLL_INTERVAL}
 * ({@link executeChunk}); between chunks the generic timer's lines are
 * brought up to date, so a timer interrupt is seen within that many
 * instructions of its deadline.
 *
 * Fetch goes through the decoded-instruction cache: the current code page
 * (its handler and word arrays) is kept in locals (and in the vCPU's
 * {@link FetchCursor} between chunks) and looked up again only after a taken
 * branch that leaves it, a page crossing, an exception, an interrupt, or a
 * context-synchronizing instruction (decode/a64.ts). The per-instruction
 * path is: interrupt-line check, slot load, handler call, retired count, PC
 * advance. It allocates nothing.
 *
 * Accounting: `cpu.retiredTotal` counts every completed instruction and
 * every synchronous exception taken (so a guest stuck in an exception loop
 * still spends its budget); an instruction that leaves for an MMIO exit is
 * not counted (it re-executes). HVC/SMC/WFI/WFE exits count.
 *
 * @module
 */
import { DebugStopReason, ExitKind } from "@gunyah-ts/core/plugin";
import {
  afterInstruction,
  beforeInstruction,
  checkGuestBreakpoints,
  endResume,
  noteHostStop,
} from "../sys/debug.ts";
import { type DecodedPage, NOT_DECODED } from "../decode/cache.ts";
import type { Handler } from "../decode/entry.ts";
import { translateFetch } from "../mmu/access.ts";
import { takeFiq, takeIrq } from "../sys/exception.ts";
import { beginSlice, updateTimers } from "../sys/slice.ts";
import type { Cpu } from "./cpu.ts";
import { CPU_EXIT, GUEST_EXCEPTION } from "./state.ts";
import { HEAT_NEVER, TIME_SAMPLE_PERIOD, type Translator } from "../jit/translator.ts";
import { runWasmBlock } from "../jit/wasm/glue.ts";

/** Instructions between two updates of the generic timer's interrupt lines. */
export const TIMER_POLL_INTERVAL = 1024;
/**
 * Synchronous exceptions taken in a row without a completed instruction in
 * between after which the vCPU gives up with {@link ExitKind.Fault} (e.g. a
 * vector table in unmapped memory).
 */
export const EXCEPTION_LOOP_LIMIT = 64;

/*
 * Exit kinds as module constants: `ExitKind` is a const enum of another
 * module, which Deno compiles to an object, and a property read on it in the
 * slice-exit path made V8 deoptimize runCpu at the end of every run.
 */
const EXIT_BUDGET: ExitKind = ExitKind.Budget;
const EXIT_MMIO: ExitKind = ExitKind.Mmio;
const EXIT_FAULT: ExitKind = ExitKind.Fault;
const EXIT_DEBUG: ExitKind = ExitKind.Debug;

/**
 * Longest block entry counted by the time sample, ms: one pass ends at the
 * chunk end (at most {@link TIMER_POLL_INTERVAL} instructions, ~20 us at 50
 * MIPS); a longer sample was preempted by the host.
 */
const SAMPLE_CAP_MS = 0.02;

const EMPTY_HANDLERS: Handler[] = [];
const EMPTY_WORDS = new Int32Array(0);

/**
 * Where the run loop is fetching from: the current code page of the decode
 * cache and the VA page / EL / epoch it was translated under. Kept per vCPU
 * between chunks (see {@link executeChunk}).
 */
export class FetchCursor {
  /** Handlers of the current code page. */
  handlers: Handler[] = EMPTY_HANDLERS;
  /** Instruction words of the current code page. */
  words: Int32Array = EMPTY_WORDS;
  /** The current code page, or null before the first lookup. */
  page: DecodedPage | null = null;
  /** VA bits 31:12 of the current page (as an address, bits 11:0 zero). */
  vaPageLo = 0;
  /** VA bits 63:32 of the current page. */
  vaPageHi = 0;
  /** `cpu.fetchEpoch` at the time of the lookup. */
  epoch = 0;
  /** True when PC must be translated before the next fetch. */
  needLookup = true;
}

const cursors = new WeakMap<Cpu, FetchCursor>();

/** The fetch cursor of `cpu`. */
function cursorOf(cpu: Cpu): FetchCursor {
  let c = cursors.get(cpu);
  if (c === undefined) {
    c = new FetchCursor();
    cursors.set(cpu, c);
  }
  return c;
}

/**
 * Run the slice-exit paths of {@link runCpu} and {@link executeChunk} once
 * with nothing to execute, so that V8 has type feedback for them before it
 * compiles their loops by on-stack replacement. Without this, the cached OSR
 * code lacked that feedback and deoptimized at the end of every run
 * (measured with --trace-deopt). Call once per vCPU, before its first run.
 */
export function warmUpRunLoop(cpu: Cpu): void {
  executeChunk(cpu, cursorOf(cpu), cpu.retiredTotal);
  runCpu(cpu, 0);
}

/**
 * Execute instructions until `cpu.retiredTotal` reaches `stop` (at most one
 * timer-poll interval), taking interrupts between them. Throws what the
 * handlers throw (GUEST_EXCEPTION, CPU_EXIT). Kept separate from
 * {@link runCpu} and called once per chunk so that V8 optimizes it as a whole
 * function with complete feedback, instead of only through on-stack
 * replacement of one long loop (measured: the OSR code deoptimized at the end
 * of every run).
 */
function executeChunk(cpu: Cpu, cur: FetchCursor, stop: number): void {
  if (cpu.sys.debug.perInstruction) {
    executeChunkDebug(cpu, cur, stop);
    return;
  }
  const jit = cpu.translator;
  if (jit !== null) {
    executeChunkTranslated(cpu, cur, stop, jit);
    return;
  }
  const cache = cpu.decodeCache;
  let handlers = cur.handlers, words = cur.words, page = cur.page;
  let vaPageLo = cur.vaPageLo, vaPageHi = cur.vaPageHi, epoch = cur.epoch;
  let needLookup = cur.needLookup;
  // Until the chunk ends normally, a throw leaves the cursor needing a lookup.
  cur.needLookup = true;
  let n = cpu.retiredTotal;
  while (n < stop) {
    if ((cpu.fiqLine && takeFiq(cpu)) || (cpu.irqLine && takeIrq(cpu))) needLookup = true;
    if (needLookup) {
      // Breakpoints or a step armed (by an MSR, seen at the next context synchronization or
      // branch, as the architecture allows): the per-instruction loop takes over.
      if (cpu.sys.debug.perInstruction) break;
      translateFetch(cpu, cpu.pcLo, cpu.pcHi); // faults are taken (and thrown) here
      page = cache.page(cpu.sys.fetchIpa)!;
      handlers = page.handlers;
      words = page.words;
      vaPageLo = (cpu.pcLo & 0xfffff000) >>> 0;
      vaPageHi = cpu.pcHi;
      epoch = cpu.fetchEpoch;
      needLookup = false;
    }
    const pcLo = cpu.pcLo;
    const slot = (pcLo & 0xfff) >>> 2;
    let h = handlers[slot];
    if (h === NOT_DECODED) h = cache.decodeSlot(page!, slot);
    h(cpu, words[slot]);
    cpu.retiredTotal = ++n;
    if (cpu.branched) {
      cpu.branched = false;
      const lo = cpu.pcLo;
      needLookup = ((lo & 0xfffff000) >>> 0) !== vaPageLo || cpu.pcHi !== vaPageHi ||
        (lo & 3) !== 0 || epoch !== cpu.fetchEpoch || !page!.valid;
    } else {
      const next = (pcLo + 4) >>> 0;
      cpu.pcLo = next;
      if ((next & 0xfff) === 0) {
        if (next === 0) cpu.pcHi = (cpu.pcHi + 1) >>> 0;
        needLookup = true;
      }
    }
  }
  cur.handlers = handlers;
  cur.words = words;
  cur.page = page;
  cur.vaPageLo = vaPageLo;
  cur.vaPageHi = vaPageHi;
  cur.epoch = epoch;
  cur.needLookup = needLookup;
}

/**
 * {@link executeChunk} with the translator (arch/aarch64/jit/): at every
 * instruction, a translated block starting there runs instead when one is
 * installed and it cannot pass `stop`; otherwise the slot's heat is counted
 * and, at the threshold, a block is translated. Interrupts are checked
 * between blocks exactly as between interpreted instructions, and a block
 * leaves early after a slow-path access that raised an interrupt line, so
 * interrupts are taken at the same instruction as by the interpreter.
 */
function executeChunkTranslated(cpu: Cpu, cur: FetchCursor, stop: number, jit: Translator): void {
  const cache = cpu.decodeCache;
  const threshold = jit.threshold;
  let handlers = cur.handlers, words = cur.words, page = cur.page;
  let vaPageLo = cur.vaPageLo, vaPageHi = cur.vaPageHi, epoch = cur.epoch;
  let needLookup = cur.needLookup;
  cur.needLookup = true;
  let n = cpu.retiredTotal;
  // Set once a block was refused for ending past `stop`: the few instructions
  // left in the chunk are interpreted without translating blocks at each.
  let nearStop = false;
  // Whether the current instruction can start a block worth counting: after a
  // branch, a block, a fetch lookup, or an instruction no block can start with
  // (a system instruction ends the block before it). Straight-line code in
  // between belongs to the block of its head.
  let atHead = true;
  while (n < stop) {
    if ((cpu.fiqLine && takeFiq(cpu)) || (cpu.irqLine && takeIrq(cpu))) needLookup = true;
    if (needLookup) {
      if (cpu.sys.debug.perInstruction) break; // see executeChunk
      translateFetch(cpu, cpu.pcLo, cpu.pcHi);
      page = cache.page(cpu.sys.fetchIpa)!;
      handlers = page.handlers;
      words = page.words;
      vaPageLo = (cpu.pcLo & 0xfffff000) >>> 0;
      vaPageHi = cpu.pcHi;
      epoch = cpu.fetchEpoch;
      needLookup = false;
      atHead = true;
    }
    const pcLo = cpu.pcLo;
    const slot = (pcLo & 0xfff) >>> 2;
    const blocks = page!.blocks;
    let blk = blocks === null ? undefined : blocks[slot];
    let never = false;
    if (blk === undefined && atHead && !nearStop) {
      let heat = page!.heat;
      if (heat === null) heat = page!.heat = new Uint16Array(1024);
      const h = heat[slot];
      if (h === HEAT_NEVER) never = true;
      else if (h >= threshold) {
        const b = jit.translate(page!, slot);
        if (b !== null) blk = b;
        else never = true;
      } else heat[slot] = h + 1;
    }
    if (blk !== undefined) {
      if (n + blk.length > stop) nearStop = true;
      else {
        const sampled = (++jit.blockEntries & (TIME_SAMPLE_PERIOD - 1)) === 0;
        // Timer cost calibrated per sample (it is larger than a typical block).
        const t0 = sampled ? performance.now() : 0, t1 = sampled ? performance.now() : 0;
        if (blk.wasm !== null) jit.blockEntries += runWasmBlock(cpu, stop, blk);
        else blk.code(cpu, stop, blk);
        if (sampled) {
          const spent = performance.now() - t1 - (t1 - t0);
          if (spent > 0) jit.sampledBlockMs += spent < SAMPLE_CAP_MS ? spent : SAMPLE_CAP_MS;
        }
        const done = cpu.retiredTotal;
        jit.retiredInBlocks += done - n;
        n = done;
        const lo = cpu.pcLo;
        needLookup = ((lo & 0xfffff000) >>> 0) !== vaPageLo || cpu.pcHi !== vaPageHi ||
          (lo & 3) !== 0 || epoch !== cpu.fetchEpoch || !page!.valid;
        atHead = true;
        continue;
      }
    }
    let h = handlers[slot];
    if (h === NOT_DECODED) h = cache.decodeSlot(page!, slot);
    h(cpu, words[slot]);
    cpu.retiredTotal = ++n;
    if (cpu.branched) {
      cpu.branched = false;
      const lo = cpu.pcLo;
      needLookup = ((lo & 0xfffff000) >>> 0) !== vaPageLo || cpu.pcHi !== vaPageHi ||
        (lo & 3) !== 0 || epoch !== cpu.fetchEpoch || !page!.valid;
      atHead = true;
    } else {
      atHead = never;
      const next = (pcLo + 4) >>> 0;
      cpu.pcLo = next;
      if ((next & 0xfff) === 0) {
        if (next === 0) cpu.pcHi = (cpu.pcHi + 1) >>> 0;
        needLookup = true;
      }
    }
  }
  cur.handlers = handlers;
  cur.words = words;
  cur.page = page;
  cur.vaPageLo = vaPageLo;
  cur.vaPageHi = vaPageHi;
  cur.epoch = epoch;
  cur.needLookup = needLookup;
}

/**
 * {@link executeChunk} while a breakpoint (host or guest) or a step (host
 * single step, MDSCR_EL1.SS) is armed: interpreted, one instruction at a
 * time, with the debug checks of sys/debug.ts around each — a host
 * breakpoint and a pending software step before the fetch, guest
 * breakpoints after it (instruction aborts have priority), the step's
 * completion after the instruction. Translated blocks never run here, so no
 * block can pass a breakpoint; the translator's code stays cached for when
 * debugging ends. Returns when the set of armed features no longer needs it.
 */
function executeChunkDebug(cpu: Cpu, cur: FetchCursor, stop: number): void {
  const cache = cpu.decodeCache;
  const d = cpu.sys.debug;
  cur.needLookup = true;
  let page: DecodedPage | null = null;
  let vaPageLo = 0, vaPageHi = 0, epoch = 0;
  let needLookup = true;
  let n = cpu.retiredTotal;
  while (n < stop) {
    if (d.hostStep && d.hostStepDone) hostStepStop(cpu);
    if ((cpu.fiqLine && takeFiq(cpu)) || (cpu.irqLine && takeIrq(cpu))) {
      needLookup = true;
      if (d.hostStep) hostStepStop(cpu); // one exception entry is one step
    }
    beforeInstruction(cpu);
    if (needLookup) {
      translateFetch(cpu, cpu.pcLo, cpu.pcHi);
      page = cache.page(cpu.sys.fetchIpa)!;
      vaPageLo = (cpu.pcLo & 0xfffff000) >>> 0;
      vaPageHi = cpu.pcHi;
      epoch = cpu.fetchEpoch;
      needLookup = false;
    }
    checkGuestBreakpoints(cpu);
    const slot = (cpu.pcLo & 0xfff) >>> 2;
    let h = page!.handlers[slot];
    if (h === NOT_DECODED) h = cache.decodeSlot(page!, slot);
    const insn = page!.words[slot];
    h(cpu, insn);
    cpu.retiredTotal = ++n;
    if (cpu.branched) cpu.branched = false;
    else {
      const next = (cpu.pcLo + 4) >>> 0;
      cpu.pcLo = next;
      if (next === 0) cpu.pcHi = (cpu.pcHi + 1) >>> 0;
    }
    const lo = cpu.pcLo;
    needLookup = ((lo & 0xfffff000) >>> 0) !== vaPageLo || cpu.pcHi !== vaPageHi ||
      (lo & 3) !== 0 || epoch !== cpu.fetchEpoch || !page!.valid;
    if (d.resumePending) endResume(cpu);
    afterInstruction(cpu, insn);
    if (d.hostStep) hostStepStop(cpu);
    if (!d.perInstruction) return;
  }
}

/** End a host single step: ExitKind.Debug with reason Step; throws CPU_EXIT. */
function hostStepStop(cpu: Cpu): never {
  recordHostStepStop(cpu);
  throw CPU_EXIT;
}

/** Fill the exit record and debug state for a host single-step stop at the current PC. */
function recordHostStepStop(cpu: Cpu): void {
  const d = cpu.sys.debug;
  d.hostStepDone = false;
  d.stopReason = DebugStopReason.Step;
  noteHostStop(cpu);
  cpu.exit.kind = EXIT_DEBUG;
  cpu.exit.imm = DebugStopReason.Step;
}

/**
 * Run `cpu` for at most `budget` instructions; returns the exit kind (also
 * in `cpu.exit.kind`). `cpu.lastRunRetired` receives the count.
 */
export function runCpu(cpu: Cpu, budget: number): ExitKind {
  const exit = cpu.exit;
  exit.kind = EXIT_BUDGET;
  const start = cpu.retiredTotal;
  const end = start + budget;
  const cur = cursorOf(cpu);
  cur.needLookup = true; // PC, registers or memory may have been changed since the last run
  let loopCount = 0, lastExceptionAt = -1;
  cpu.branched = false;
  try {
    beginSlice(cpu);
  } catch (e) {
    return hostFault(cpu, e, start);
  }
  while (cpu.retiredTotal < end) {
    try {
      const n = cpu.retiredTotal;
      const poll = n + TIMER_POLL_INTERVAL;
      executeChunk(cpu, cur, poll < end ? poll : end);
      if (cpu.retiredTotal < end) updateTimers(cpu);
    } catch (e) {
      cur.needLookup = true;
      cpu.branched = false;
      if (e === GUEST_EXCEPTION) {
        const n = cpu.retiredTotal;
        loopCount = lastExceptionAt === n ? loopCount + 1 : 0;
        cpu.retiredTotal = n + 1;
        lastExceptionAt = n + 1;
        const d = cpu.sys.debug;
        d.stepArmed = false;
        if (d.hostStep) {
          // The step ended in an exception entry (the instruction's own, or a debug exception).
          recordHostStepStop(cpu);
          cpu.lastRunRetired = cpu.retiredTotal - start;
          return EXIT_DEBUG;
        }
        if (loopCount >= EXCEPTION_LOOP_LIMIT) {
          exit.kind = EXIT_FAULT;
          exit.message = `exception loop: ${EXCEPTION_LOOP_LIMIT} exceptions taken without ` +
            `completing an instruction; now at pc 0x${cpu.getPc().toString(16)}, ESR_EL1 ` +
            `0x${cpu.sys.esr.toString(16)}, FAR_EL1 0x${cpu.sys.farHi.toString(16)}` +
            `${cpu.sys.farLo.toString(16).padStart(8, "0")}`;
          cpu.lastRunRetired = cpu.retiredTotal - start;
          return EXIT_FAULT;
        }
        continue;
      }
      if (e === CPU_EXIT) {
        if (exit.kind !== EXIT_MMIO && exit.kind !== EXIT_DEBUG) {
          // The instruction retired (HVC, SMC, WFI, WFE, trapped access): a step over it is done.
          cpu.retiredTotal++;
          const d = cpu.sys.debug;
          if (d.stepArmed) {
            d.stepArmed = false;
            cpu.ss = 0;
          }
          if (d.hostStep) d.hostStepDone = true;
        }
        cpu.lastRunRetired = cpu.retiredTotal - start;
        return exit.kind;
      }
      return hostFault(cpu, e, start);
    }
  }
  exit.kind = EXIT_BUDGET;
  cpu.lastRunRetired = cpu.retiredTotal - start;
  return EXIT_BUDGET;
}

/** A host-side error escaped a handler: report it as a Fault exit, never as a throw. */
function hostFault(cpu: Cpu, e: unknown, start: number): ExitKind {
  const exit = cpu.exit;
  exit.kind = EXIT_FAULT;
  exit.message = `internal error at pc 0x${cpu.getPc().toString(16)}: ${
    e instanceof Error ? (e.stack ?? e.message) : String(e)
  }`;
  cpu.lastRunRetired = cpu.retiredTotal - start;
  return EXIT_FAULT;
}
