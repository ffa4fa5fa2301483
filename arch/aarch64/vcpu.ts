/**
 * One AArch64 vCPU as the core sees it ({@link ArchVcpu}): run for a
 * budget, reset, register access, address translation for hypercall
 * buffers, wake-up and timer queries.
 *
 * @module
 */
import {
  type ArchVcpu,
  type ExitKind,
  type ExitRecord,
  RegisterSet,
  type VcpuInit,
} from "@gunyah-ts/core/plugin";
import { Cpu } from "./cpu/cpu.ts";
import { runCpu, warmUpRunLoop } from "./cpu/run.ts";
import { DAIF_A, DAIF_D, DAIF_F, DAIF_I, GPR_SLOTS, R_SP } from "./cpu/state.ts";
import type { A64Decoder } from "./decode/compile.ts";
import { a64Decoder } from "./decode/a64.ts";
import { translateForHypervisor } from "./mmu/translate.ts";
import { nextTimerDeadline, updateTimers } from "./sys/slice.ts";
import { type CpuMode, type CpuModeOptions, resolveCpuMode } from "./jit/config.ts";
import type { TranslatorStats } from "./jit/translator.ts";
import { vmShared, vmTranslator } from "./cpu/vm_shared.ts";
import { Aarch64VcpuDebug } from "./debug/host.ts";

/** Highest X register index addressable through {@link RegisterSet.X} (X30). */
const MAX_X = 30;

/** The AArch64 implementation of {@link ArchVcpu}. */
export class Aarch64Vcpu implements ArchVcpu {
  /** The emulated CPU (the vGIC connects to its `irqLine`/`fiqLine`/`gic`). */
  readonly cpu: Cpu;

  /** How this vCPU executes guest code (jit/config.ts). */
  readonly cpuMode: CpuMode;

  /** Host debugger control (debug/host.ts). */
  readonly debug: Aarch64VcpuDebug;

  /**
   * A vCPU for `init` (in reset state only after {@link reset}), executing
   * in the mode `options` select (default: jit/config.ts).
   */
  constructor(init: VcpuInit, decoder: A64Decoder = a64Decoder(), options: CpuModeOptions = {}) {
    this.cpu = new Cpu(init, decoder);
    this.debug = new Aarch64VcpuDebug(this.cpu);
    const { mode, threshold, backend } = resolveCpuMode(options);
    this.cpuMode = mode;
    if (mode === "jit") {
      this.cpu.translator = vmTranslator(vmShared(init.memory, decoder), threshold, backend);
    }
    warmUpRunLoop(this.cpu);
  }

  /** The counters of the VM's block translator, or null in `interp` mode. */
  get translatorStats(): TranslatorStats | null {
    return this.cpu.translator?.stats() ?? null;
  }

  get exit(): ExitRecord {
    return this.cpu.exit;
  }

  get retired(): number {
    return this.cpu.lastRunRetired;
  }

  run(budget: number): ExitKind {
    return runCpu(this.cpu, budget);
  }

  /**
   * Architectural reset (EL1h, D/A/I/F masked, all registers zero, system
   * registers at their reset values), then PC = `entry`, X0 = `context`.
   */
  reset(entry: bigint, context: bigint): void {
    const c = this.cpu;
    c.xlo.fill(0);
    c.xhi.fill(0);
    c.otherSpLo = 0;
    c.otherSpHi = 0;
    c.el = 1;
    c.spsel = 1;
    c.nzcv = 0;
    c.daif = DAIF_D | DAIF_A | DAIF_I | DAIF_F;
    c.pan = 0;
    c.ss = 0;
    c.il = 0;
    c.v.fill(0);
    c.fpcr = 0;
    c.fpsr = 0;
    c.clearExclusive();
    c.branched = false;
    c.sys.reset();
    c.invalidateFetch();
    c.setPc(entry);
    c.setX(0, context);
  }

  getRegister(set: RegisterSet, index: number): bigint {
    const c = this.cpu;
    switch (set) {
      case RegisterSet.X:
        if (index < 0 || index > MAX_X) throw new RangeError(`X register index ${index} (0..30)`);
        return c.getX(index);
      case RegisterSet.PC:
        return c.getPc();
      case RegisterSet.SP_EL:
        if (index !== 0 && index !== 1) throw new RangeError(`SP_EL index ${index} (0..1)`);
        return this.#spIsLive(index)
          ? c.getX(R_SP)
          : (BigInt(c.otherSpHi >>> 0) << 32n) | BigInt(c.otherSpLo >>> 0);
      default:
        throw new RangeError(`unknown register set ${set}`);
    }
  }

  setRegister(set: RegisterSet, index: number, value: bigint): boolean {
    const c = this.cpu;
    switch (set) {
      case RegisterSet.X:
        if (index < 0 || index > MAX_X || index >= GPR_SLOTS) return false;
        c.setX(index, value);
        return true;
      case RegisterSet.PC:
        c.setPc(value);
        c.invalidateFetch();
        return true;
      case RegisterSet.SP_EL: {
        if (index !== 0 && index !== 1) return false;
        if (this.#spIsLive(index)) c.setX(R_SP, value);
        else {
          const v = BigInt.asUintN(64, value);
          c.otherSpLo = Number(v & 0xffffffffn);
          c.otherSpHi = Number(v >> 32n);
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** Whether SP_EL`index` is the one currently held in R_SP. */
  #spIsLive(index: number): boolean {
    const c = this.cpu;
    const el1Live = c.el === 1 && c.spsel === 1;
    return index === 1 ? el1Live : !el1Live;
  }

  translate(va: bigint, write: boolean): number | null {
    const v = BigInt.asUintN(64, va);
    const lo = Number(v & 0xffffffffn), hi = Number(v >> 32n);
    const ipa = translateForHypervisor(this.cpu.sys, lo, hi, write);
    return ipa < 0 ? null : ipa;
  }

  hasPendingInterrupt(): boolean {
    const c = this.cpu;
    updateTimers(c);
    return c.irqLine || c.fiqLine || c.irq.hasPending(c.index);
  }

  nextDeadline(): number {
    return nextTimerDeadline(this.cpu);
  }

  describe(): Record<string, string | number | boolean> {
    const c = this.cpu;
    return {
      index: c.index,
      pc: `0x${c.getPc().toString(16)}`,
      el: c.el,
      spsel: c.spsel,
      nzcv: `0x${(c.nzcv >>> 28).toString(16)}`,
      daif: `0x${(c.daif >>> 6).toString(16)}`,
      irqLine: c.irqLine,
      fiqLine: c.fiqLine,
      retiredTotal: c.retiredTotal,
      lastExit: c.exit.kind,
      decodedPages: c.decodeCache.pageCount,
      decodes: c.decodeCache.decodes,
      cpuMode: this.cpuMode,
      ...(c.translator === null ? {} : translatorFields(c.translator.stats())),
    };
  }
}

/** Translator counters as `describe()` fields. */
function translatorFields(s: TranslatorStats): Record<string, number> {
  return {
    jitBlocksTranslated: s.blocksTranslated,
    jitCompiles: s.compiles,
    jitInvalidations: s.invalidations,
    jitEvictions: s.evictions,
    jitBlocks: s.blocks,
    jitCacheSourceChars: s.cacheSourceChars,
    jitTranslateMs: Math.round(s.translateMs),
    jitBlockEntries: s.blockEntries,
    jitRetiredInBlocks: s.retiredInBlocks,
    jitTimeInBlocksMs: Math.round(s.timeInBlocksMs),
  };
}
