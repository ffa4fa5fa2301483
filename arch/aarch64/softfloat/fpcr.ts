/**
 * FPCR and FPSR bit fields (Arm ARM, D17.2 "FPCR, Floating-point Control
 * Register" and "FPSR, Floating-point Status Register"), and the rounding
 * modes the softfloat layer understands.
 *
 * @module
 */

/** FPSR.IOC, bit 0: Invalid Operation cumulative flag. */
export const FPSR_IOC = 1 << 0;
/** FPSR.DZC, bit 1: Divide by Zero cumulative flag. */
export const FPSR_DZC = 1 << 1;
/** FPSR.OFC, bit 2: Overflow cumulative flag. */
export const FPSR_OFC = 1 << 2;
/** FPSR.UFC, bit 3: Underflow cumulative flag. */
export const FPSR_UFC = 1 << 3;
/** FPSR.IXC, bit 4: Inexact cumulative flag. */
export const FPSR_IXC = 1 << 4;
/** FPSR.IDC, bit 7: Input Denormal cumulative flag. */
export const FPSR_IDC = 1 << 7;
/** FPSR.QC, bit 27: cumulative saturation flag of the AdvSIMD saturating instructions. */
export const FPSR_QC = 1 << 27;
/** FPSR bits that hold state in AArch64 (QC and the cumulative flags; the rest are RES0). */
export const FPSR_WRITABLE = 0x0800009f;

/** FPCR.AHP, bit 26: alternative half-precision format for conversions to and from half. */
export const FPCR_AHP = 1 << 26;
/** FPCR.DN, bit 25: Default NaN mode. */
export const FPCR_DN = 1 << 25;
/** FPCR.FZ, bit 24: flush denormal inputs and outputs of single/double operations to zero. */
export const FPCR_FZ = 1 << 24;
/** FPCR.RMode, bits 23:22. */
export const FPCR_RMODE_SHIFT = 22;
/** Mask of FPCR.RMode after shifting right by {@link FPCR_RMODE_SHIFT}. */
export const FPCR_RMODE_MASK = 3;
/**
 * FPCR bits that hold state in this implementation: AHP, DN, FZ and RMode.
 * The trap enables (IOE, DZE, OFE, UFE, IXE, IDE) are RAZ/WI because
 * floating-point exception trapping is not implemented (the architecture
 * permits this); FZ16 is RES0 without FEAT_FP16; Len/Stride are AArch32 only.
 */
export const FPCR_WRITABLE = FPCR_AHP | FPCR_DN | FPCR_FZ | (FPCR_RMODE_MASK << FPCR_RMODE_SHIFT);

/**
 * Rounding modes (FPRounding in the Arm ARM pseudocode). The first four values
 * equal the FPCR.RMode encoding.
 */
export const RN = 0; // FPRounding_TIEEVEN, round to nearest, ties to even
/** FPRounding_POSINF: towards plus infinity. */
export const RP = 1;
/** FPRounding_NEGINF: towards minus infinity. */
export const RM = 2;
/** FPRounding_ZERO: towards zero. */
export const RZ = 3;
/** FPRounding_TIEAWAY: to nearest, ties away from zero (FCVTA*, FRINTA only). */
export const RA = 4;

/** The rounding mode FPCR.RMode selects. */
export function fpcrRounding(fpcr: number): number {
  return (fpcr >>> FPCR_RMODE_SHIFT) & FPCR_RMODE_MASK;
}

/**
 * Where an operation reads FPCR and accumulates FPSR flags. `CpuState`
 * satisfies it, so handlers pass the vCPU itself.
 */
export interface FpEnv {
  /** FPCR (read). */
  fpcr: number;
  /** FPSR (cumulative flags are ORed in). */
  fpsr: number;
}
