/**
 * Cache maintenance: DC ZVA (zero a 64-byte block), DC by VA (IVAC, CVAC,
 * CVAU, CVAP, CIVAC), DC by set/way (ISW, CSW, CISW), IC IALLU/IALLUIS/IVAU.
 *
 * This machine has no data caches to maintain (guest RAM is the point of
 * coherence), so DC operations by VA only perform the checks the
 * architecture requires (translation and access flag faults, and permission
 * faults where required: DC IVAC needs write permission; at EL0 the
 * operations need read permission), reported as Data Aborts with CM = 1.
 * IC operations invalidate the decoded-instruction cache.
 *
 * Source: DDI 0487, C5.3 (DC and IC instructions), D7.5 (cache maintenance
 * and permission faults), D17.2.24 DCZID_EL0.
 *
 * @module
 */
import { FSC_ALIGNMENT } from "../../sys/esr.ts";
import { dataAbort } from "../../sys/exception.ts";
import { DC_ZVA_BYTES } from "../../sys/id_registers.ts";
import type { SystemCpu } from "../../sys/system_cpu.ts";
import { ACC_CACHE_MAINT, ACC_WATCH_CHECKED, translateData, writeMem } from "../../mmu/access.ts";
import { checkWatchpoints } from "../../sys/debug.ts";

/**
 * DC ZVA: write zeros to the naturally aligned 64-byte block holding the
 * address. Faults as a store to that address (WnR = 1, CM = 0); Device
 * memory gives an alignment fault.
 */
export function dcZva(cpu: SystemCpu, vaLo: number, vaHi: number): void {
  const i = translateData(cpu, vaLo, vaHi, true, 0);
  const t = cpu.sys.tlb;
  // Device memory (MAIR attribute 0b0000dd00): DC ZVA generates an alignment fault.
  if ((t.attr[i] & 0xf0) === 0) dataAbort(cpu, FSC_ALIGNMENT, vaLo, vaHi, true, false);
  const base = (vaLo & ~(DC_ZVA_BYTES - 1)) >>> 0;
  // A watchpoint on any byte of the block stops the whole instruction (as a store, CM = 0).
  if (cpu.sys.debug.watchActive) {
    checkWatchpoints(cpu, base, vaHi, DC_ZVA_BYTES, true, false, false);
  }
  for (let k = 0; k < DC_ZVA_BYTES; k += 8) {
    writeMem(cpu, base + k, vaHi, 8, 0, 0, ACC_WATCH_CHECKED);
  }
}

/**
 * DC by VA (IVAC, CVAC, CVAU, CVAP, CIVAC) and IC IVAU: the translation and
 * permission checks, no data effect. `write` selects a write-permission
 * check (DC IVAC), otherwise a read check.
 */
export function maintenanceByVa(cpu: SystemCpu, vaLo: number, vaHi: number, write: boolean): void {
  translateData(cpu, vaLo, vaHi, write, ACC_CACHE_MAINT);
}

/**
 * IC IVAU: check the address, then drop the decoded instructions of its
 * 4 KiB IPA page if the page is marked as holding decoded code. The mark is
 * cleared, so the other cache lines of the same page (Linux invalidates line
 * by line) cost nothing until code is decoded from the page again.
 */
export function icIvau(cpu: SystemCpu, vaLo: number, vaHi: number): void {
  const i = translateData(cpu, vaLo, vaHi, false, ACC_CACHE_MAINT);
  const t = cpu.sys.tlb;
  const marks = t.marks[i];
  if (marks[t.markIndex[i]] !== 0) {
    marks[t.markIndex[i]] = 0;
    cpu.codePageWritten(t.ipa[i]);
  }
}

/** IC IALLU / IC IALLUIS: drop every decoded instruction of the VM. */
export function icIallu(cpu: SystemCpu): void {
  cpu.flushDecodeCache();
}
