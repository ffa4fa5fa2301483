/**
 * The A64 decoder of this CPU: every instruction group's encoding table,
 * compiled once (on first use) by ./compile.ts.
 *
 * Groups whose instructions may change how instructions are fetched (the
 * system group: MSR to SCTLR_EL1/TTBRn_EL1/TCR_EL1, TLBI, IC, ISB, ERET)
 * are wrapped by {@link contextSynchronizing}: after such an instruction the
 * run loop translates PC afresh.
 *
 * @module
 */
import type { Cpu } from "../cpu/cpu.ts";
import { entries as branch } from "../isa/branch/mod.ts";
import { entries as fp } from "../isa/fp/mod.ts";
import { entries as integer } from "../isa/integer/mod.ts";
import { entries as loadStore } from "../isa/loadstore/mod.ts";
import { entries as simd } from "../isa/simd/mod.ts";
import { entries as system } from "../isa/system/mod.ts";
import { type A64Decoder, compileDecoder, type EncodingGroup } from "./compile.ts";
import type { EncodingEntry, Handler } from "./entry.ts";
import { unallocatedEncoding } from "./unallocated.ts";

/**
 * Wrap a handler so that the run loop re-translates PC after it: bumps
 * `cpu.fetchEpoch` and, when the handler did not branch itself, moves PC to
 * the next instruction and marks the instruction as a branch. A handler
 * that wrote PC directly (exception return) is recognised by PC having
 * changed; such a handler returning to its own address is not supported.
 */
export function contextSynchronizing(h: Handler): Handler {
  return (cpu: Cpu, insn: number): void => {
    const lo = cpu.pcLo, hi = cpu.pcHi;
    h(cpu, insn);
    cpu.fetchEpoch++;
    if (cpu.branched) return;
    if (cpu.pcLo === lo && cpu.pcHi === hi) {
      const s = lo + 4;
      cpu.branchTo(s >>> 0, hi + (s > 0xffffffff ? 1 : 0));
    } else cpu.branched = true;
  };
}

/**
 * System-group instructions that cannot change instruction fetch and either
 * leave PC alone or leave by an exception/exit (which re-translates anyway):
 * they skip the wrapper, since HINT (NOP) sits at every function entry of a
 * kernel built with patchable function entries.
 */
const FETCH_NEUTRAL = new Set([
  "HINT",
  "CLREX",
  "DSB",
  "DMB",
  "MRS",
  "SVC",
  "HVC",
  "SMC",
  "BRK",
  "HLT",
]);

/** Apply {@link contextSynchronizing} to every entry of a table except the fetch-neutral ones. */
export function synchronizingEntries(entries: readonly EncodingEntry[]): EncodingEntry[] {
  return entries.map((e) =>
    FETCH_NEUTRAL.has(e.name) ? e : { ...e, exec: contextSynchronizing(e.exec) }
  );
}

/** The instruction groups compiled into the A64 decoder. */
export function a64Groups(): EncodingGroup[] {
  return [
    { name: "integer", entries: integer },
    { name: "branch", entries: branch },
    { name: "loadstore", entries: loadStore },
    { name: "system", entries: synchronizingEntries(system) },
    { name: "fp", entries: fp },
    { name: "simd", entries: simd },
  ];
}

let decoder: A64Decoder | null = null;

/** The process-wide A64 decoder (compiled on first call). */
export function a64Decoder(): A64Decoder {
  if (decoder === null) decoder = compileDecoder(a64Groups(), unallocatedEncoding);
  return decoder;
}
