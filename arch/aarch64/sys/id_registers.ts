/**
 * The identification registers this CPU presents: one coherent description
 * of an Armv8.0-A EL0/EL1 AArch64-only core with FP/AdvSIMD, CRC32, the
 * GICv3 system-register interface, 4K/16K/64K granules, 16-bit ASIDs and a
 * 36- or 40-bit IPA, no PMU, no SVE, no LSE atomics, no PAuth/BTI/PAN.
 *
 * Field layouts: DDI 0487, D17.2 (ID_AA64PFR0_EL1, ID_AA64ISAR0_EL1,
 * ID_AA64ISAR1_EL1, ID_AA64MMFR0_EL1, ID_AA64DFR0_EL1, MIDR_EL1, MPIDR_EL1,
 * CTR_EL0, DCZID_EL0, CLIDR_EL1, CCSIDR_EL1).
 *
 * @module
 */

/**
 * MIDR_EL1: Implementer 0x00 ("reserved for software use", so no
 * implementation-specific errata workaround in a guest kernel matches),
 * Variant 0, Architecture 0xF (features in the ID registers), PartNum 0,
 * Revision 0.
 */
export const MIDR_VALUE = 0x000f0000;
/** REVIDR_EL1: no revision-specific information. */
export const REVIDR_VALUE = 0;

/**
 * ID_AA64PFR0_EL1: EL0 = 1 and EL1 = 1 (AArch64 only), EL2 = EL3 = 0 (not
 * implemented, as seen by the guest), FP = 0 and AdvSIMD = 0 (implemented,
 * without half-precision arithmetic), GIC = 1 (GICv3 system registers).
 */
export const ID_AA64PFR0_VALUE = 0x0100_0011;
/**
 * ID_AA64PFR0_EL1 bits 63:32: CSV2 = 1 (bits 59:56) and CSV3 = 1 (bits
 * 63:60). This CPU executes nothing speculatively, so branch targets cannot
 * be steered across contexts (FEAT_CSV2) and faulting loads leak nothing
 * (FEAT_CSV3); both are permitted from Armv8.0. A guest kernel then needs
 * neither branch-predictor hardening nor kernel page-table isolation.
 */
export const ID_AA64PFR0_HI = 0x1100_0000;
/** ID_AA64PFR1_EL1: no BTI, SSBS, MTE, ... */
export const ID_AA64PFR1_VALUE = 0;
/**
 * ID_AA64ISAR0_EL1: CRC32 = 1 (bits 19:16); AES, SHA1, SHA2, Atomic, RDM,
 * SHA3, SM3/4, DP, FHM, TS, TLB, RNDR all 0.
 */
export const ID_AA64ISAR0_VALUE = 0x0001_0000;
/** ID_AA64ISAR1_EL1: DPB = 1 (DC CVAP); no PAuth, JSCVT, FCMA, LRCPC, ... */
export const ID_AA64ISAR1_VALUE = 0x0000_0001;

/** ID_AA64MMFR0_EL1.PARange encoding for an IPA size in bits. */
export function paRangeFor(ipaBits: number): number {
  return ipaBits === 36 ? 0b0001 : 0b0010;
}

/**
 * ID_AA64MMFR0_EL1 for the given IPA size: PARange (bits 3:0), ASIDBits = 2
 * (16 bits, bits 7:4), BigEnd = 0, SNSMem = 0, BigEndEL0 = 0, TGran16 = 1
 * (16K supported, bits 23:20), TGran64 = 0 (supported, bits 27:24),
 * TGran4 = 0 (supported, bits 31:28).
 */
export function idAa64Mmfr0(ipaBits: number): number {
  return (0x0010_0020 | paRangeFor(ipaBits)) >>> 0;
}
/** ID_AA64MMFR1_EL1 bits 31:0: no HAFDBS, VH, HPDS, LOR, PAN, ... */
export const ID_AA64MMFR1_VALUE = 0;
/**
 * ID_AA64MMFR1_EL1 bits 63:32: ECBHB = 1 (bits 63:60): there is no branch
 * history that could survive an exception (FEAT_ECBHB, permitted from
 * Armv8.0), so no Spectre-BHB mitigation is needed.
 */
export const ID_AA64MMFR1_HI = 0x1000_0000;
/** ID_AA64MMFR2_EL1: no CnP, UAO, LSM, IESB, 52-bit VA, ... */
export const ID_AA64MMFR2_VALUE = 0;

/**
 * ID_AA64DFR0_EL1 as a Cortex-A57 has it (TRM r1p3, 4.3.13: 0x10305106)
 * except PMUVer: DebugVer = 6 (Armv8.0 debug), TraceVer = 0, PMUVer = 0
 * (no PMU: PMU registers are UNDEFINED), BRPs = 5 (six breakpoints),
 * WRPs = 3 (four watchpoints), CTX_CMPs = 1 (two context-aware breakpoints,
 * the highest-numbered).
 */
export const ID_AA64DFR0_VALUE = 0x1030_5006;
/** Number of breakpoint register pairs implied by ID_AA64DFR0_EL1.BRPs. */
export const DEBUG_BREAKPOINTS = 6;
/** Number of watchpoint register pairs implied by ID_AA64DFR0_EL1.WRPs. */
export const DEBUG_WATCHPOINTS = 4;
/** Context-aware breakpoints (ID_AA64DFR0_EL1.CTX_CMPs + 1): DBGBCR4/5 of the six. */
export const DEBUG_CONTEXT_BREAKPOINTS = 2;

/**
 * CTR_EL0: bit 31 RES1, CWG = 4 and ERG = 4 (64-byte granules), DminLine = 4
 * and IminLine = 4 (64-byte lines), L1Ip = 0b11 (PIPT), IDC = DIC = 0 (cache
 * maintenance is required for coherence, which the decode cache relies on).
 */
export const CTR_VALUE = 0x8444_c004;
/** DCZID_EL0.BS: log2 of the DC ZVA block size in 4-byte words (4: 64 bytes). */
export const DCZID_BS = 4;
/** DC ZVA block size in bytes. */
export const DC_ZVA_BYTES = 4 << DCZID_BS;
/** DCZID_EL0.DZP (bit 4): DC ZVA prohibited. */
export const DCZID_DZP = 1 << 4;

/**
 * CLIDR_EL1: Ctype1 = 0b011 (separate L1 I and D), Ctype2 = 0b100 (unified
 * L2), LoUIS = 1, LoC = 2, LoUU = 1.
 */
export const CLIDR_VALUE = 0x0a20_0023;

/**
 * CCSIDR_EL1 by CSSELR_EL1 value (Level << 1 | InD), in the Armv8.0 format
 * (NumSets 27:13, Associativity 12:3, LineSize 2:0, WT/WB/RA/WA 31:28):
 * L1 D 32 KiB 4-way, L1 I 32 KiB 2-way, L2 1 MiB 16-way, 64-byte lines.
 * Selections of caches that do not exist read as 0 (the value is UNKNOWN).
 */
export function ccsidrFor(csselr: number): number {
  switch (csselr & 0xf) {
    case 0b0000: // L1 data: 128 sets, 4 ways, WB/RA/WA
      return 0x700f_e01a;
    case 0b0001: // L1 instruction: 256 sets, 2 ways, RA
      return 0x201f_e00a;
    case 0b0010: // L2 unified: 1024 sets, 16 ways, WB/RA/WA
      return 0x707f_e07a;
    default:
      return 0;
  }
}
