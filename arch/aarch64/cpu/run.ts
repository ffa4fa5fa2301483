/**
 * The run loop: executes instructions of one vCPU until the budget is spent
 * or an instruction leaves the vCPU (HVC, SMC, WFI, WFE, MMIO exit, trapped
 * access), taking IRQ/FIQ exceptions between instructions.
 *
 * Fetch goes through the decoded-instruction cache: the current code page
 * (its handler and word arrays) is kept in locals and looked up again only
 * after a taken branch that leaves it, a page crossing, an exception, an
 * interrupt, or a context-synchronizing instruction (decode/a64.ts). The
 * per-instruction path is: interrupt-line check, slot load, handler call,
 * retired count, PC advance. It allocates nothing.
 *
 * Accounting: `cpu.retiredTotal` counts every completed instruction and
 * every synchronous exception taken (so a guest stuck in an exception loop
 * still spends its budget); an instruction that leaves for an MMIO exit is
 * not counted (it re-executes). HVC/SMC/WFI/WFE exits count.
 *
 * @module
 */
import { ExitKind } from "../../../core/plugin/contracts.ts";
import { type DecodedPage, NOT_DECODED } from "../decode/cache.ts";
import type { Handler } from "../decode/entry.ts";
import { translateFetch } from "../mmu/access.ts";
import { takeFiq, takeIrq } from "../sys/exception.ts";
import { beginSlice, updateTimers } from "../sys/slice.ts";
import type { Cpu } from "./cpu.ts";
import { CPU_EXIT, GUEST_EXCEPTION } from "./state.ts";

/** Instructions between two updates of the generic timer's interrupt lines. */
export const TIMER_POLL_INTERVAL = 1024;
/**
 * Synchronous exceptions taken in a row without a completed instruction in
 * between after which the vCPU gives up with {@link ExitKind.Fault} (e.g. a
 * vector table in unmapped memory).
 */
export const EXCEPTION_LOOP_LIMIT = 64;

const EMPTY_HANDLERS: Handler[] = [];
const EMPTY_WORDS = new Int32Array(0);

/**
 * Run `cpu` for at most `budget` instructions; returns the exit kind (also
 * in `cpu.exit.kind`). `cpu.lastRunRetired` receives the count.
 */
export function runCpu(cpu: Cpu, budget: number): ExitKind {
  const exit = cpu.exit;
  exit.kind = ExitKind.Budget;
  const start = cpu.retiredTotal;
  const end = start + budget;
  const cache = cpu.decodeCache;
  let handlers = EMPTY_HANDLERS;
  let words: Int32Array = EMPTY_WORDS;
  let page: DecodedPage | null = null;
  let vaPageLo = 0, vaPageHi = 0, epoch = 0;
  let needLookup = true;
  let timerAt = start + TIMER_POLL_INTERVAL;
  /** The next instruction count at which the loop must look up: min(end, timerAt). */
  let stop = timerAt < end ? timerAt : end;
  let loopCount = 0, lastExceptionAt = -1;
  cpu.branched = false;
  try {
    beginSlice(cpu);
  } catch (e) {
    return hostFault(cpu, e, start);
  }
  while (cpu.retiredTotal < end) {
    try {
      let n = cpu.retiredTotal;
      for (;;) {
        if (n >= stop) {
          if (n >= end) break;
          updateTimers(cpu);
          timerAt = n + TIMER_POLL_INTERVAL;
          stop = timerAt < end ? timerAt : end;
        }
        if ((cpu.fiqLine && takeFiq(cpu)) || (cpu.irqLine && takeIrq(cpu))) needLookup = true;
        if (needLookup) {
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
      break;
    } catch (e) {
      needLookup = true;
      cpu.branched = false;
      if (e === GUEST_EXCEPTION) {
        const n = cpu.retiredTotal;
        loopCount = lastExceptionAt === n ? loopCount + 1 : 0;
        cpu.retiredTotal = n + 1;
        lastExceptionAt = n + 1;
        if (loopCount >= EXCEPTION_LOOP_LIMIT) {
          exit.kind = ExitKind.Fault;
          exit.message = `exception loop: ${EXCEPTION_LOOP_LIMIT} exceptions taken without ` +
            `completing an instruction; now at pc 0x${cpu.getPc().toString(16)}, ESR_EL1 ` +
            `0x${cpu.sys.esr.toString(16)}, FAR_EL1 0x${cpu.sys.farHi.toString(16)}` +
            `${cpu.sys.farLo.toString(16).padStart(8, "0")}`;
          cpu.lastRunRetired = cpu.retiredTotal - start;
          return ExitKind.Fault;
        }
        continue;
      }
      if (e === CPU_EXIT) {
        if ((exit.kind as ExitKind) !== ExitKind.Mmio) cpu.retiredTotal++;
        cpu.lastRunRetired = cpu.retiredTotal - start;
        return exit.kind;
      }
      return hostFault(cpu, e, start);
    }
  }
  exit.kind = ExitKind.Budget;
  cpu.lastRunRetired = cpu.retiredTotal - start;
  return ExitKind.Budget;
}

/** A host-side error escaped a handler: report it as a Fault exit, never as a throw. */
function hostFault(cpu: Cpu, e: unknown, start: number): ExitKind {
  const exit = cpu.exit;
  exit.kind = ExitKind.Fault;
  exit.message = `internal error at pc 0x${cpu.getPc().toString(16)}: ${
    e instanceof Error ? (e.stack ?? e.message) : String(e)
  }`;
  cpu.lastRunRetired = cpu.retiredTotal - start;
  return ExitKind.Fault;
}
