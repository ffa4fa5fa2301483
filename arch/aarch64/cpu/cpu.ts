/**
 * The vCPU object every instruction handler receives: the architectural
 * state ({@link CpuState}) plus what the handlers reach through it — the
 * VM's memory and MMIO bus, the exit record, the decoded-instruction cache,
 * the global exclusive monitor.
 *
 * Parts contributed by other modules hang off this class as fields added
 * there (system registers: `sys`, arch/aarch64/sys/; GIC CPU interface:
 * `gic`, arch/aarch64/gic/).
 *
 * @module
 */
import type {
  InterruptController,
  MmioBus,
  Stage2View,
  VcpuInit,
  VirtualClockReader,
} from "@gunyah-ts/core/plugin";
import type { A64Decoder } from "../decode/compile.ts";
import type { DecodeCache } from "../decode/cache.ts";
import { CpuState } from "./state.ts";
import { VcpuExitRecord } from "./exit_record.ts";
import type { GlobalMonitor } from "./exclusive_monitor.ts";
import { SystemRegisters } from "../sys/registers.ts";
import type { GicSysregInterface } from "../sys/system_cpu.ts";
import { PAGE_SIZE } from "../decode/cache.ts";
import { markCodePage } from "../mmu/code_pages.ts";
import { vmShared } from "./vm_shared.ts";
import type { Translator } from "../jit/translator.ts";
import type { WasmCpuContext } from "../jit/wasm/glue.ts";

/** One AArch64 vCPU as the handlers see it. */
export class Cpu extends CpuState {
  /** What the core gave when creating the vCPU. */
  readonly init: VcpuInit;
  /** Index within the VM. */
  readonly index: number;
  /** The VM's RAM (stage-2 view). */
  readonly memory: Stage2View;
  /** The VM's MMIO bus. */
  readonly mmio: MmioBus;
  /** The VM's interrupt controller. */
  readonly irq: InterruptController;
  /** Virtual time. */
  readonly clock: VirtualClockReader;
  /** Exit description, filled before throwing CPU_EXIT. */
  readonly exit: VcpuExitRecord = new VcpuExitRecord();
  /** The VM's decoded-instruction cache (shared by its vCPUs). */
  readonly decodeCache: DecodeCache;
  /** The VM's global exclusive monitor (shared by its vCPUs). */
  readonly monitor: GlobalMonitor;
  /** System registers, TLB and generic timer (arch/aarch64/sys/). */
  readonly sys: SystemRegisters;
  /** The GIC CPU interface (ICC_* registers), once the vGIC has attached this vCPU. */
  gic: GicSysregInterface | null = null;

  /**
   * Set by a handler that wrote PC (via {@link branchTo}); the run loop then
   * does not advance PC past the instruction, and clears the flag.
   */
  branched = false;

  /** Instructions retired by the last run (see cpu/run.ts for what counts). */
  lastRunRetired = 0;

  /**
   * Incremented whenever instruction-fetch translation may have changed
   * (TLB maintenance, writes to SCTLR_EL1/TTBRn_EL1/TCR_EL1, exception entry
   * and return): the run loop then translates PC again before fetching.
   */
  fetchEpoch = 0;

  /**
   * Incremented whenever an instruction-fetch translation itself may have
   * changed (TLB maintenance, translation-regime writes; not exception entry
   * and return, which change EL): with EL, what a VA-keyed chain of
   * translated blocks depends on (jit/wasm/glue.ts's jump cache).
   */
  translationEpoch = 0;

  /**
   * The VM's block translator when this vCPU runs in `jit` mode
   * (arch/aarch64/jit/), or null for the interpreter alone.
   */
  translator: Translator | null = null;

  /** This vCPU's side of translated WebAssembly blocks (jit/wasm/glue.ts), once one has run. */
  wasmContext: WasmCpuContext | null = null;

  /** Encodings already reported as unallocated (each is logged once). */
  readonly #reportedUnallocated = new Set<number>();

  /** A vCPU for `init`, decoding with `decoder` (shared per VM: see cpu/vm_shared.ts). */
  constructor(init: VcpuInit, decoder: A64Decoder) {
    super();
    this.init = init;
    this.index = init.index;
    this.memory = init.memory;
    this.mmio = init.mmio;
    this.irq = init.irq;
    this.clock = init.clock;
    const shared = vmShared(init.memory, decoder);
    this.decodeCache = shared.decodeCache;
    this.monitor = shared.monitor;
    this.sys = new SystemRegisters(init, undefined, this.stateMemory.buffer);
  }

  /**
   * A store by this vCPU hit a marked page (called by the store path, which
   * has cleared the mark): drop the page's decoded instructions, and clear
   * other vCPUs' exclusive reservations in the page. Pages are marked both
   * for decoded code and for reservations (isa/loadstore/exclusive.ts), so
   * the global monitor sees stores at page granularity: a store elsewhere in
   * a reserved granule's page also clears it, which the architecture allows
   * (a store-exclusive may fail for IMPLEMENTATION DEFINED reasons; the
   * usual retry loop makes progress since vCPUs interleave only between run
   * slices). The mark is restored while reservations remain in the page.
   */
  codePageWritten(ipaPage: number): void {
    this.decodeCache.invalidateRange(ipaPage, PAGE_SIZE);
    const mon = this.monitor;
    if (mon.armed !== 0) {
      mon.noteStore(ipaPage, PAGE_SIZE, this.index);
      if (mon.anyWithin(ipaPage, PAGE_SIZE)) {
        const m = this.memory.lookup(ipaPage);
        if (m !== null) markCodePage(m, ipaPage);
      }
    }
  }

  /** IC IALLU / IC IALLUIS / IC IVAU: drop every decoded instruction of the VM. */
  flushDecodeCache(): void {
    this.decodeCache.invalidateAll();
    this.fetchEpoch++;
  }

  /** Continue execution at `lo`/`hi` after this instruction (branches, ERET). */
  branchTo(lo: number, hi: number): void {
    this.pcLo = lo >>> 0;
    this.pcHi = hi >>> 0;
    this.branched = true;
  }

  /** Drop the local and this vCPU's global exclusive reservation (CLREX, ERET). */
  clearExclusive(): void {
    this.exclusiveArmed = false;
    this.monitor.release(this.index);
  }

  /** Mark instruction-fetch translation stale (see {@link fetchEpoch}, {@link translationEpoch}). */
  invalidateFetch(): void {
    this.fetchEpoch++;
    this.translationEpoch++;
  }

  /** An exception entry or return: PC and EL changed, translations did not (see SystemCpu). */
  changedEl(): void {
    this.fetchEpoch++;
  }

  /** Report a diagnostic through `init.log`, if the core gave one. */
  log(message: string): void {
    this.init.log?.(message);
  }

  /** Log an unallocated encoding the first time it is met. */
  reportUnallocated(insn: number): void {
    const w = insn >>> 0;
    if (this.#reportedUnallocated.has(w)) return;
    this.#reportedUnallocated.add(w);
    this.log(
      `vcpu ${this.index}: unallocated encoding 0x${w.toString(16).padStart(8, "0")} at pc ` +
        `0x${this.getPc().toString(16)} (UNDEFINED)`,
    );
  }
}
