/**
 * TLB maintenance (TLBI) for the EL1&0 regime: the Armv8.0 forms, local and
 * Inner Shareable. The Inner Shareable forms act on every vCPU of the VM
 * (through the per-VM registry of system states).
 *
 * Operand (for the by-VA and by-ASID forms): Xt bits 43:0 = VA[55:12],
 * bits 63:48 = ASID (only bits 55:48 with 8-bit ASIDs, TCR_EL1.AS = 0).
 *
 * Source: DDI 0487, D8.13 "TLB maintenance instructions" and C5.5 (TLBI
 * encodings: op1 = 0, CRn = 8, CRm = 3 (IS) or 7, op2 below).
 *
 * @module
 */
import type { SystemRegisters } from "../../sys/registers.ts";
import type { SystemCpu } from "../../sys/system_cpu.ts";

/** TLBI op2 (CRm = 3 for the IS form, 7 local): VMALLE1, all entries of the regime. */
export const TLBI_VMALLE1 = 0;
/** TLBI op2: VAE1, by VA for one ASID (and global entries). */
export const TLBI_VAE1 = 1;
/** TLBI op2: ASIDE1, every non-global entry of one ASID. */
export const TLBI_ASIDE1 = 2;
/** TLBI op2: VAAE1, by VA for every ASID. */
export const TLBI_VAAE1 = 3;
/** TLBI op2: VALE1, by VA for one ASID, last level only. */
export const TLBI_VALE1 = 5;
/** TLBI op2: VAALE1, by VA for every ASID, last level only. */
export const TLBI_VAALE1 = 7;

/** Apply one TLBI operation to one vCPU's system state. */
function apply(s: SystemRegisters, op2: number, xtLo: number, xtHi: number): void {
  const tlb = s.tlb;
  const as16 = (s.tcrHi >>> 4) & 1;
  const asid = (xtHi >>> 16) & (as16 ? 0xffff : 0xff);
  // VA[55:12] from Xt[43:0].
  const vaLo = (xtLo << 12) >>> 0;
  const vaHi = (((xtHi & 0xfff) << 12) | (xtLo >>> 20)) >>> 0;
  switch (op2) {
    case TLBI_VMALLE1:
      tlb.flushAll();
      break;
    case TLBI_ASIDE1:
      tlb.flushAsid(asid);
      break;
    case TLBI_VAE1:
    case TLBI_VALE1: // only leaf entries are cached: "last level" changes nothing
      tlb.flushPage(vaLo, vaHi, asid);
      break;
    case TLBI_VAAE1:
    case TLBI_VAALE1:
      tlb.flushPage(vaLo, vaHi, -1);
      break;
  }
  s.owner?.invalidateFetch();
}

/** Whether `op2` is an Armv8.0 TLBI operation for CRm 3/7. */
export function isTlbiOp(op2: number): boolean {
  return op2 === 0 || op2 === 1 || op2 === 2 || op2 === 3 || op2 === 5 || op2 === 7;
}

/**
 * Execute TLBI with `op2` and operand register value `xtLo/xtHi`; with
 * `broadcast` (the IS forms) on every vCPU of the VM.
 */
export function tlbi(
  cpu: SystemCpu,
  op2: number,
  broadcast: boolean,
  xtLo: number,
  xtHi: number,
): void {
  if (broadcast) {
    for (const p of cpu.sys.peers()) apply(p, op2, xtLo, xtHi);
  } else {
    apply(cpu.sys, op2, xtLo, xtHi);
  }
  cpu.invalidateFetch();
}
