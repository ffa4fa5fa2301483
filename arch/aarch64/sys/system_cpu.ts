/**
 * What the system layer (memory access, MMU, exceptions, system registers,
 * timer) needs from the CPU object it works on.
 *
 * The execution core's `Cpu` class (arch/aarch64/cpu/cpu.ts) satisfies this
 * interface structurally: it extends {@link CpuState} and carries the fields
 * below. Keeping the requirement as an interface lets this layer be built
 * and tested without the decoder.
 *
 * @module
 */
import type { ExitRecord } from "@gunyah-ts/core/plugin";
import type { CpuState } from "../cpu/state.ts";
import type { SystemRegisters } from "./registers.ts";

/**
 * The GIC CPU interface as the system-register layer sees it (implemented by
 * the vGIC, arch/aarch64/gic/). Every ICC_* register access (op0=3, op1=0,
 * CRn=12, and ICC_SRE_EL1) is delegated here, keyed by
 * {@link sysregKey}-style keys: `(op0<<14)|(op1<<11)|(CRn<<7)|(CRm<<3)|op2`,
 * which is bits 20:5 of the MRS/MSR instruction.
 */
export interface GicSysregInterface {
  /** Low 32 bits of the last successful {@link readSysreg}. */
  dataLo: number;
  /** High 32 bits of the last successful {@link readSysreg}. */
  dataHi: number;
  /** Read the register `key`; false if it does not exist (the access is then UNDEFINED). */
  readSysreg(key: number): boolean;
  /** Write the register `key`; false if it does not exist or is read-only (UNDEFINED). */
  writeSysreg(key: number, lo: number, hi: number): boolean;
}

/** The CPU object as used by arch/aarch64/sys, mmu and isa/system. */
export interface SystemCpu extends CpuState {
  /** System registers, TLB, timer and the VM's memory/MMIO/IRQ handles. */
  readonly sys: SystemRegisters;
  /** The preallocated exit record of the vCPU (filled before throwing CPU_EXIT). */
  readonly exit: ExitRecord;
  /** The GIC CPU interface of this vCPU, once the vGIC has attached it. */
  gic: GicSysregInterface | null;
  /**
   * Called when a store (by this or another vCPU of the VM) writes into a
   * 4 KiB IPA page that was marked with `markCodePage` (mmu/code_pages.ts).
   * `ipaPage` is the IPA of the page's first byte. The mark is cleared before
   * the call; the decode cache must drop what it decoded from that page (for
   * every vCPU that shares it) and mark again when it re-decodes.
   */
  codePageWritten(ipaPage: number): void;
  /** IC IALLU / IC IALLUIS / IC IVAU: drop every decoded instruction. */
  flushDecodeCache(): void;
  /**
   * Instruction-fetch translation may have changed (TLB maintenance, writes
   * to SCTLR/TTBRn/TCR/MAIR, exception entry and return): the run loop must
   * translate PC again before its next fetch.
   */
  invalidateFetch(): void;
  /**
   * An exception entry or return changed EL and PC: the run loop must
   * translate PC again, but no translation itself changed (translated
   * blocks chained by VA and EL stay valid, jit/wasm/glue.ts).
   */
  changedEl(): void;
  /** Continue at `lo`/`hi` after the current instruction instead of PC + 4 (ERET). */
  branchTo(lo: number, hi: number): void;
  /** Clear the local and this vCPU's global exclusive reservation (CLREX, ERET). */
  clearExclusive(): void;
}
