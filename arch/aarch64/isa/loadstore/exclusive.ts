/**
 * Load/store exclusive and load-acquire/store-release: LDXR, LDAXR, STXR,
 * STLXR (B, H, W, X), LDXP, LDAXP, STXP, STLXP (W, X pairs), LDAR, STLR
 * (B, H, W, X). Arm ARM C4.1.94 "Load/store exclusive", B2.9
 * "Synchronization and semaphores" (the exclusive monitors).
 *
 * A load-exclusive arms the local monitor (`cpu.exclusiveArmed/Addr/Size`,
 * by IPA) and this vCPU's reservation in the VM's global monitor
 * (cpu/exclusive_monitor.ts), and marks the page in the code-page marks so
 * that the store path reports stores into it (`cpu.codePageWritten`), which
 * clears other vCPUs' reservations there. A store-exclusive translates and
 * permission-checks its address first (faults are taken whether or not the
 * monitors pass), then stores and writes status 0 only if both monitors
 * still hold the same address and size; otherwise status 1 and nothing is
 * stored. The local monitor is cleared in both cases.
 *
 * Memory ordering: every vCPU of a VM runs on one host thread, so all
 * accesses are sequentially consistent; acquire/release semantics hold
 * trivially. They still require natural alignment (ACC_ORDERED).
 *
 * Not advertised, so unallocated here: LSE (CAS, CASP, LDADD, SWP, ...),
 * FEAT_LOR (LDLAR, STLLR), FEAT_LRCPC (LDAPR).
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import { R_DISCARD } from "../../cpu/state.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { ACC_EXCLUSIVE, ACC_ORDERED, readMem, translateData, writeMem } from "../../mmu/access.ts";
import { markCodePage } from "../../mmu/code_pages.ts";
import { FSC_ALIGNMENT } from "../../sys/esr.ts";
import { dataAbort } from "../../sys/exception.ts";
import { address, addressOf } from "./transfer.ts";

/** Arm both monitors for an exclusive access of `size` bytes at IPA `ipa`. */
function armMonitors(cpu: Cpu, ipa: number, size: number): void {
  cpu.exclusiveArmed = true;
  cpu.exclusiveAddr = ipa;
  cpu.exclusiveSize = size;
  cpu.monitor.reserve(cpu.index, ipa);
  const m = cpu.memory.lookup(ipa);
  if (m !== null) markCodePage(m, ipa);
}

/**
 * Store-exclusive check (AArch64.ExclusiveMonitorsPass): alignment, then
 * translation with write permission, then both monitors. Clears the local
 * monitor and this vCPU's reservation.
 */
function monitorsPass(cpu: Cpu, size: number): boolean {
  const aLo = address[0], aHi = address[1];
  if ((aLo & (size - 1)) !== 0) dataAbort(cpu, FSC_ALIGNMENT, aLo, aHi, true, false);
  translateData(cpu, aLo, aHi, true, ACC_EXCLUSIVE);
  const ipa = cpu.sys.lastIpa;
  const pass = cpu.exclusiveArmed && cpu.exclusiveAddr === ipa && cpu.exclusiveSize === size &&
    cpu.monitor.holds(cpu.index, ipa);
  cpu.clearExclusive();
  return pass;
}

function dest(t: number): number {
  return t === 31 ? R_DISCARD : t;
}

/** LDXR/LDAXR/STXR/STLXR (o2 = 0, o1 = 0). */
function exclusiveRegister(cpu: Cpu, insn: number): void {
  const size = insn >>> 30, bytes = 1 << size;
  const t = insn & 31;
  addressOf(cpu, (insn >>> 5) & 31, 0);
  if ((insn & (1 << 22)) !== 0) {
    const lo = readMem(cpu, address[0], address[1], bytes, ACC_EXCLUSIVE);
    const d = dest(t);
    cpu.xlo[d] = lo;
    cpu.xhi[d] = size === 3 ? cpu.memHi : 0;
    armMonitors(cpu, cpu.sys.lastIpa, bytes);
    return;
  }
  const s = dest((insn >>> 16) & 31);
  const lo = cpu.xlo[t], hi = cpu.xhi[t];
  if (monitorsPass(cpu, bytes)) {
    writeMem(cpu, address[0], address[1], bytes, lo, hi, ACC_EXCLUSIVE);
    cpu.xlo[s] = 0;
  } else cpu.xlo[s] = 1;
  cpu.xhi[s] = 0;
}

/** LDXP/LDAXP/STXP/STLXP (o2 = 0, o1 = 1); size 2 (W pair) or 3 (X pair). */
function exclusivePair(cpu: Cpu, insn: number): void {
  const wide = (insn & (1 << 30)) !== 0;
  const total = wide ? 16 : 8;
  const t = insn & 31, t2 = (insn >>> 10) & 31;
  addressOf(cpu, (insn >>> 5) & 31, 0);
  const aLo = address[0], aHi = address[1];
  if ((insn & (1 << 22)) !== 0) {
    if ((aLo & (total - 1)) !== 0) dataAbort(cpu, FSC_ALIGNMENT, aLo, aHi, false, false);
    let lo1: number, hi1: number, lo2: number, hi2: number;
    if (wide) {
      lo1 = readMem(cpu, aLo, aHi, 8, ACC_EXCLUSIVE);
      hi1 = cpu.memHi;
      const ipa = cpu.sys.lastIpa;
      lo2 = readMem(cpu, (aLo + 8) >>> 0, aHi, 8, ACC_EXCLUSIVE); // 16-aligned: no carry
      hi2 = cpu.memHi;
      cpu.sys.lastIpa = ipa;
    } else {
      lo1 = readMem(cpu, aLo, aHi, 8, ACC_EXCLUSIVE);
      lo2 = cpu.memHi;
      hi1 = 0;
      hi2 = 0;
    }
    const d = dest(t), d2 = dest(t2);
    cpu.xlo[d] = lo1;
    cpu.xhi[d] = hi1;
    cpu.xlo[d2] = lo2;
    cpu.xhi[d2] = hi2;
    armMonitors(cpu, cpu.sys.lastIpa, total);
    return;
  }
  const s = dest((insn >>> 16) & 31);
  const lo1 = cpu.xlo[t], hi1 = cpu.xhi[t], lo2 = cpu.xlo[t2], hi2 = cpu.xhi[t2];
  if (monitorsPass(cpu, total)) {
    if (wide) {
      writeMem(cpu, aLo, aHi, 8, lo1, hi1, ACC_EXCLUSIVE);
      writeMem(cpu, (aLo + 8) >>> 0, aHi, 8, lo2, hi2, ACC_EXCLUSIVE);
    } else writeMem(cpu, aLo, aHi, 8, lo1, lo2, ACC_EXCLUSIVE);
    cpu.xlo[s] = 0;
  } else cpu.xlo[s] = 1;
  cpu.xhi[s] = 0;
}

/** LDAR/STLR (o2 = 1, o1 = 0, o0 = 1). */
function acquireRelease(cpu: Cpu, insn: number): void {
  const size = insn >>> 30, bytes = 1 << size;
  const t = insn & 31;
  addressOf(cpu, (insn >>> 5) & 31, 0);
  if ((insn & (1 << 22)) !== 0) {
    const lo = readMem(cpu, address[0], address[1], bytes, ACC_ORDERED);
    const d = dest(t);
    cpu.xlo[d] = lo;
    cpu.xhi[d] = size === 3 ? cpu.memHi : 0;
  } else writeMem(cpu, address[0], address[1], bytes, cpu.xlo[t], cpu.xhi[t], ACC_ORDERED);
}

/** Encoding table of the exclusive and ordered classes. */
export const entries: EncodingEntry[] = [
  //          size        o2 L o1 Rs    o0 Rt2   Rn    Rt
  {
    pattern: "xx   001000 0  x 0  xxxxx x  xxxxx xxxxx xxxxx",
    name: "LDXR/LDAXR/STXR/STLXR",
    exec: exclusiveRegister,
  },
  {
    pattern: "1x   001000 0  x 1  xxxxx x  xxxxx xxxxx xxxxx",
    name: "LDXP/LDAXP/STXP/STLXP",
    exec: exclusivePair,
  },
  // Rs and Rt2 are (1)(1)(1)(1)(1): other values are CONSTRAINED UNPREDICTABLE,
  // and executing as if they were ones is one of the permitted behaviours.
  {
    pattern: "xx   001000 1  x 0  xxxxx 1  xxxxx xxxxx xxxxx",
    name: "LDAR/STLR",
    exec: acquireRelease,
  },
];
