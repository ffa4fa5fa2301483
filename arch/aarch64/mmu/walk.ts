/**
 * The stage-1 translation of the EL1&0 regime (VMSAv8-64): from a virtual
 * address to an IPA, the stage-1 permissions for EL0 and EL1, and the memory
 * attribute, by walking the guest's translation tables (read through the
 * VM's stage-2 view). With SCTLR_EL1.M = 0 the translation is flat.
 *
 * Supported: 4 KiB, 16 KiB and 64 KiB granules selected by TCR_EL1.TG0/TG1,
 * 48-bit VAs (T0SZ/T1SZ 16..39; out-of-range values are clamped, one of the
 * CONSTRAINED UNPREDICTABLE choices), TTBR0/TTBR1 selection by VA bit 55,
 * top-byte-ignore (TBI0/TBI1), EPD0/EPD1, IPS capped at the implemented IPA
 * size, table (APTable/UXNTable/PXNTable), block and page descriptors at the
 * levels Armv8.0 permits, AP[2:1], UXN/PXN, SCTLR.WXN, the implicit PXN of
 * EL0-writable memory, nG, and AF (an access flag fault when AF is 0: hardware
 * update of AF, TCR.HA, is not implemented). The contiguous hint is ignored,
 * which the architecture permits.
 *
 * Source: DDI 0487, D8 "The AArch64 Virtual Memory System Architecture"
 * (D8.2 translation table walks, D8.3 descriptor formats, D8.4 memory access
 * control) and the pseudocode AArch64.S1Translate / AArch64.S1ComputePermissions.
 *
 * The walk is the TLB-miss path; it allocates nothing and reports its result
 * in the module-level {@link walkResult}.
 *
 * @module
 */
import { FSC_ACCESS_FLAG, FSC_ADDR_SIZE, FSC_SEA_WALK, FSC_TRANSLATION } from "../sys/esr.ts";
import { SCTLR_M, SCTLR_WXN, type SystemRegisters } from "../sys/registers.ts";
import { P_EL0_R, P_EL0_W, P_EL0_X, P_EL1_R, P_EL1_W, P_EL1_X } from "./tlb.ts";

const TWO32 = 0x100000000;

/** The outcome of the last {@link translateStage1}. */
export interface WalkResult {
  /** 0 on success, otherwise the fault status code (FSC_* | level). */
  fsc: number;
  /** Level of the final descriptor (or of the fault). */
  level: number;
  /** IPA of the 4 KiB page holding the VA. */
  ipaPage: number;
  /** Stage-1 permissions (P_EL0_R ... P_EL1_X). */
  perm: number;
  /** MAIR attribute byte (0x00 = Device-nGnRnE; MMU off: 0x00 data, Normal for fetch). */
  attr: number;
  /** Shareability SH[1:0] of the descriptor (0 with the MMU off). */
  sh: number;
  /** nG = 0 (or MMU off): the translation is global. */
  global: boolean;
  /** Size of the translation in 4 KiB pages (page or block size). */
  blockPages: number;
}

/** Scratch result of the last walk (single-threaded; read it before the next walk). */
export const walkResult: WalkResult = {
  fsc: 0,
  level: 0,
  ipaPage: 0,
  perm: 0,
  attr: 0,
  sh: 0,
  global: true,
  blockPages: 1,
};

/** PA size in bits for TCR_EL1.IPS / ID_AA64MMFR0_EL1.PARange encodings 0..6. */
const PA_BITS_BY_IPS = [32, 36, 40, 42, 44, 48, 52];

/** Effective output-address size: TCR_EL1.IPS capped at the implemented IPA size. */
export function outputAddressBits(s: SystemRegisters): number {
  const ips = s.tcrHi & 7; // TCR_EL1.IPS, bits 34:32
  const bits = ips < PA_BITS_BY_IPS.length ? PA_BITS_BY_IPS[ips] : s.ipaBits;
  return bits < s.ipaBits ? bits : s.ipaBits;
}

/** Mask of bits [from, to] (inclusive, 0..31) of a 32-bit word; 0 if from > to. */
function bitRange(from: number, to: number): number {
  if (from > to) return 0;
  const width = to - from + 1;
  return (width >= 32 ? 0xffffffff : ((1 << width) - 1) << from) >>> 0;
}

function fault(fsc: number, level: number): boolean {
  walkResult.fsc = fsc | level;
  walkResult.level = level;
  return false;
}

/**
 * Translate `vaLo/vaHi` through stage 1 of the EL1&0 regime. `fetch` selects
 * the MMU-off attributes of instruction fetches (Normal) versus data (Device).
 * Returns true and fills {@link walkResult} on success; on a translation,
 * address-size, access-flag or external-abort-on-walk fault returns false
 * with `walkResult.fsc` set. Permissions are not checked here.
 */
export function translateStage1(
  s: SystemRegisters,
  vaLo: number,
  vaHi: number,
  fetch: boolean,
): boolean {
  const r = walkResult;
  r.fsc = 0;
  r.sh = 0;
  r.global = true;
  r.blockPages = 1;
  if ((s.sctlr & SCTLR_M) === 0) {
    // Flat mapping: VA bits above the PA size must be zero (address size fault, level 0).
    const paBits = s.ipaBits;
    if ((vaHi & bitRange(paBits - 32, 31)) !== 0) return fault(FSC_ADDR_SIZE, 0);
    r.level = 0;
    r.ipaPage = vaHi * TWO32 + ((vaLo & ~0xfff) >>> 0);
    r.perm = P_EL0_R | P_EL0_W | P_EL0_X | P_EL1_R | P_EL1_W | P_EL1_X;
    // Data accesses are Device-nGnRnE; instruction fetches Normal (DDI 0487 D8.2.11).
    r.attr = fetch ? 0xff : 0x00;
    return true;
  }

  const tcrLo = s.tcrLo, tcrHi = s.tcrHi;
  const upper = (vaHi >>> 23) & 1; // VA bit 55 selects TTBR1
  let tsz: number, tg: number, epd: number, tbi: number, ttbrLo: number, ttbrHi: number;
  if (upper) {
    tsz = (tcrLo >>> 16) & 0x3f;
    epd = (tcrLo >>> 23) & 1;
    const tg1 = (tcrLo >>> 30) & 3; // 01 16K, 10 4K, 11 64K
    tg = tg1 === 1 ? 14 : tg1 === 3 ? 16 : 12;
    tbi = (tcrHi >>> 6) & 1; // TBI1, bit 38
    ttbrLo = s.ttbr1Lo;
    ttbrHi = s.ttbr1Hi;
  } else {
    tsz = tcrLo & 0x3f;
    epd = (tcrLo >>> 7) & 1;
    const tg0 = (tcrLo >>> 14) & 3; // 00 4K, 01 64K, 10 16K
    tg = tg0 === 1 ? 16 : tg0 === 2 ? 14 : 12;
    tbi = (tcrHi >>> 5) & 1; // TBI0, bit 37
    ttbrLo = s.ttbr0Lo;
    ttbrHi = s.ttbr0Hi;
  }
  if (tsz < 16) tsz = 16;
  if (tsz > 39) tsz = 39;
  const inputBits = 64 - tsz;
  // Bits [top : inputBits] must all equal the selecting bit (55).
  const top = tbi ? 55 : 63;
  const hiMask = bitRange(inputBits > 32 ? inputBits - 32 : 0, top - 32);
  const loMask = inputBits < 32 ? bitRange(inputBits, 31) : 0;
  if (
    ((vaHi & hiMask) >>> 0) !== (upper ? hiMask : 0) ||
    ((vaLo & loMask) >>> 0) !== (upper ? loMask : 0)
  ) {
    return fault(FSC_TRANSLATION, 0);
  }
  if (epd) return fault(FSC_TRANSLATION, 0);

  const paBits = outputAddressBits(s);
  const paLimit = 2 ** paBits;
  const stride = tg - 3;
  const level0 = 4 - Math.ceil((inputBits - tg) / stride);
  // VA restricted to the input size, as a double (< 2^48: exact).
  const va = (vaHi & bitRange(0, inputBits - 33 >= 0 ? inputBits - 33 : -1)) * TWO32 +
    (inputBits >= 32 ? vaLo >>> 0 : (vaLo & bitRange(0, inputBits - 1)) >>> 0);

  let level = level0;
  let indexBits = inputBits - (tg + stride * (3 - level0));
  // Table base: TTBR BADDR (bits 47:1), aligned to the size of the start table.
  const tableBytes = 8 * 2 ** indexBits;
  let table = (ttbrHi & 0xffff) * TWO32 + ((ttbrLo & ~1) >>> 0);
  table = Math.floor(table / (tableBytes < 64 ? 64 : tableBytes)) *
    (tableBytes < 64 ? 64 : tableBytes);
  if (table >= paLimit) return fault(FSC_ADDR_SIZE, level);

  let apTable = 0, uxnTable = 0, pxnTable = 0;
  const memory = s.memory;
  for (;;) {
    const shift = tg + stride * (3 - level);
    const index = Math.floor(va / 2 ** shift) % 2 ** indexBits;
    const descAddr = table + index * 8;
    const m = memory.lookup(descAddr);
    if (m === null) return fault(FSC_SEA_WALK, level);
    const off = m.offset + (descAddr - m.ipaBase);
    const lo = m.view.getUint32(off, true);
    const hi = m.view.getUint32(off + 4, true);
    if ((lo & 1) === 0) return fault(FSC_TRANSLATION, level);
    if (level < 3 && (lo & 2) !== 0) {
      // Table descriptor: next-level table address in bits 47:granule.
      const next = (hi & 0xffff) * TWO32 + ((lo & ~((1 << tg) - 1)) >>> 0);
      if (next >= paLimit) return fault(FSC_ADDR_SIZE, level);
      apTable |= (hi >>> 29) & 3; // APTable, bits 62:61
      uxnTable |= (hi >>> 28) & 1; // UXNTable, bit 60
      pxnTable |= (hi >>> 27) & 1; // PXNTable, bit 59
      table = next;
      level++;
      indexBits = stride;
      continue;
    }
    // Block (levels 1-2) or page (level 3, bits[1:0] = 0b11).
    if (level === 3) {
      if ((lo & 2) === 0) return fault(FSC_TRANSLATION, level); // reserved encoding
    } else {
      // Armv8.0 block levels: 4K granule levels 1 and 2; 16K and 64K level 2 only.
      const blockOk = tg === 12 ? level >= 1 : level === 2;
      if (!blockOk) return fault(FSC_TRANSLATION, level);
    }
    // Output address: bits 47:shift of the descriptor (shift <= 30 here).
    const oaBase = (hi & 0xffff) * TWO32 + ((lo & ~((1 << shift) - 1)) >>> 0);
    if (oaBase >= paLimit) return fault(FSC_ADDR_SIZE, level);
    if ((lo & 0x400) === 0) return fault(FSC_ACCESS_FLAG, level); // AF, bit 10
    const inBlock = va % 2 ** shift;
    r.ipaPage = oaBase + Math.floor(inBlock / 4096) * 4096;
    r.level = level;
    r.blockPages = 2 ** (shift - 12);
    r.global = (lo & 0x800) === 0; // nG, bit 11
    r.sh = (lo >>> 8) & 3;
    const attrIndx = (lo >>> 2) & 7;
    r.attr = attrIndx < 4
      ? (s.mairLo >>> (attrIndx * 8)) & 0xff
      : (s.mairHi >>> ((attrIndx - 4) * 8)) & 0xff;

    // Permissions (DDI 0487 D8.4): AP[2:1] is bits 7:6, limited by APTable.
    let ap = (lo >>> 6) & 3;
    if (apTable & 1) ap &= ~1; // APTable[0]: no EL0 access at lower levels
    if (apTable & 2) ap |= 2; // APTable[1]: read-only at lower levels
    const el1w = (ap & 2) === 0;
    const el0r = (ap & 1) !== 0;
    const el0w = ap === 1;
    const uxn = ((hi >>> 22) & 1) | uxnTable; // UXN, bit 54
    const pxn = ((hi >>> 21) & 1) | pxnTable; // PXN, bit 53
    const wxn = (s.sctlr & SCTLR_WXN) !== 0;
    let el1x = pxn === 0 && !el0w; // memory writable at EL0 is never executable at EL1
    let el0x = uxn === 0;
    if (wxn) {
      if (el1w) el1x = false;
      if (el0w) el0x = false;
    }
    r.perm = P_EL1_R | (el1w ? P_EL1_W : 0) | (el1x ? P_EL1_X : 0) | (el0r ? P_EL0_R : 0) |
      (el0w ? P_EL0_W : 0) | (el0x ? P_EL0_X : 0);
    return true;
  }
}
