/**
 * AT S1E1R, S1E1W, S1E0R, S1E0W: stage-1 address translation into PAR_EL1.
 * Faults are reported in PAR_EL1 (F = 1, FST, S = 0 for stage 1), never
 * taken. The "physical" address reported is the IPA (stage 2 belongs to the
 * hypervisor and is invisible to the guest).
 *
 * Source: DDI 0487, C5.4 (AT instructions), D17.2.114 PAR_EL1 (success: F=0,
 * SH 8:7, NS 9, bit 11 RES1, PA 47:12, ATTR 63:56; fault: F=1, FST 6:1,
 * PTW 8, S 9, bit 11 RES1).
 *
 * @module
 */
import { FSC_PERMISSION } from "../../sys/esr.ts";
import type { SystemCpu } from "../../sys/system_cpu.ts";
import { P_EL0_R, P_EL0_W, P_EL1_R, P_EL1_W } from "../../mmu/tlb.ts";
import { translateStage1, walkResult } from "../../mmu/walk.ts";

/** PAR_EL1 bit 11, RES1 in both formats. */
const PAR_RES1 = 1 << 11;

/**
 * Translate `vaLo/vaHi` as an access at `el` (0 or 1), `write` or read, and
 * write the result to PAR_EL1.
 */
export function addressTranslate(
  cpu: SystemCpu,
  vaLo: number,
  vaHi: number,
  el: number,
  write: boolean,
): void {
  const s = cpu.sys;
  let fsc = 0;
  if (!translateStage1(s, vaLo, vaHi, false)) {
    fsc = walkResult.fsc;
  } else {
    const need = el === 0 ? (write ? P_EL0_W : P_EL0_R) : (write ? P_EL1_W : P_EL1_R);
    if ((walkResult.perm & need) === 0) fsc = FSC_PERMISSION | walkResult.level;
  }
  if (fsc !== 0) {
    s.parLo = (PAR_RES1 | (fsc << 1) | 1) >>> 0;
    s.parHi = 0;
    return;
  }
  const pa = walkResult.ipaPage;
  s.parLo = ((pa % 0x100000000) | PAR_RES1 | (walkResult.sh << 7)) >>> 0;
  s.parHi = ((Math.floor(pa / 0x100000000) & 0xffff) | (walkResult.attr << 24)) >>> 0;
}
