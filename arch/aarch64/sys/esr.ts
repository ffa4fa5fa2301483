/**
 * Exception Syndrome Register (ESR_EL1) encodings: exception classes and the
 * instruction-specific syndrome (ISS) fields this CPU reports.
 *
 * Source: Arm Architecture Reference Manual for A-profile (DDI 0487),
 * D17.2.37 "ESR_EL1, Exception Syndrome Register (EL1)" and the ISS encoding
 * sections it links to.
 *
 * @module
 */

/** ESR_ELx.EC field position (bits 31:26). */
export const ESR_EC_SHIFT = 26;
/** ESR_ELx.IL: instruction length is 32 bits (always 1 for A64 instructions and aborts here). */
export const ESR_IL = 1 << 25;

/** EC 0x00: unknown reason (UNDEFINED instructions). */
export const EC_UNKNOWN = 0x00;
/** EC 0x01: trapped WFI/WFE. */
export const EC_WFX = 0x01;
/** EC 0x07: access to SVE/AdvSIMD/FP trapped by CPACR_EL1.FPEN. */
export const EC_FP_ACCESS = 0x07;
/** EC 0x0E: Illegal Execution state. */
export const EC_ILLEGAL_STATE = 0x0e;
/** EC 0x15: SVC instruction execution in AArch64 state. */
export const EC_SVC64 = 0x15;
/** EC 0x16: HVC instruction execution in AArch64 state. */
export const EC_HVC64 = 0x16;
/** EC 0x17: SMC instruction execution in AArch64 state. */
export const EC_SMC64 = 0x17;
/** EC 0x18: trapped MSR, MRS or System instruction execution in AArch64 state. */
export const EC_SYSREG = 0x18;
/** EC 0x20: Instruction Abort from a lower Exception level. */
export const EC_IABT_LOWER = 0x20;
/** EC 0x21: Instruction Abort taken without a change in Exception level. */
export const EC_IABT_CUR = 0x21;
/** EC 0x22: PC alignment fault. */
export const EC_PC_ALIGN = 0x22;
/** EC 0x24: Data Abort from a lower Exception level. */
export const EC_DABT_LOWER = 0x24;
/** EC 0x25: Data Abort taken without a change in Exception level. */
export const EC_DABT_CUR = 0x25;
/** EC 0x26: SP alignment fault. */
export const EC_SP_ALIGN = 0x26;
/** EC 0x30: Breakpoint exception from a lower Exception level. */
export const EC_BREAKPT_LOWER = 0x30;
/** EC 0x31: Breakpoint exception from the current Exception level. */
export const EC_BREAKPT_CUR = 0x31;
/** EC 0x32: Software Step exception from a lower Exception level. */
export const EC_SOFTSTP_LOWER = 0x32;
/** EC 0x33: Software Step exception from the current Exception level. */
export const EC_SOFTSTP_CUR = 0x33;
/** EC 0x34: Watchpoint exception from a lower Exception level. */
export const EC_WATCHPT_LOWER = 0x34;
/** EC 0x35: Watchpoint exception from the current Exception level. */
export const EC_WATCHPT_CUR = 0x35;
/** EC 0x3C: BRK instruction execution in AArch64 state. */
export const EC_BRK64 = 0x3c;

// ---------------------------------------------------------------------------
// Data/Instruction Abort ISS (DDI 0487 D17.2.37, "ISS encoding for an exception from a Data Abort")
// ---------------------------------------------------------------------------

/** ISS.WnR (bit 6): the abort was caused by a write. */
export const ISS_WNR = 1 << 6;
/** ISS.S1PTW (bit 7): stage-2 fault on a stage-1 translation table walk. */
export const ISS_S1PTW = 1 << 7;
/** ISS.CM (bit 8): the abort came from a cache maintenance or address translation instruction. */
export const ISS_CM = 1 << 8;
/** ISS.EA (bit 9): external abort type (IMPLEMENTATION DEFINED; 0 here). */
export const ISS_EA = 1 << 9;
/** ISS.FnV (bit 10): FAR is not valid. */
export const ISS_FNV = 1 << 10;

/** Fault status code: address size fault, level n (0b0000nn). */
export const FSC_ADDR_SIZE = 0x00;
/** Fault status code: translation fault, level n (0b0001nn). */
export const FSC_TRANSLATION = 0x04;
/** Fault status code: access flag fault, level n (0b0010nn). */
export const FSC_ACCESS_FLAG = 0x08;
/** Fault status code: permission fault, level n (0b0011nn). */
export const FSC_PERMISSION = 0x0c;
/** Fault status code: synchronous external abort, not on a translation table walk (0b010000). */
export const FSC_SEA = 0x10;
/** Fault status code: synchronous external abort on a translation table walk, level n (0b0101nn). */
export const FSC_SEA_WALK = 0x14;
/** Fault status code: alignment fault (0b100001). */
export const FSC_ALIGNMENT = 0x21;
/** Fault status code of a debug exception: breakpoint, watchpoint, software step (0b100010). */
export const FSC_DEBUG = 0x22;

/** Software Step ISS.ISV (bit 24): ISS.EX is valid (the step completed an instruction). */
export const ISS_SS_ISV = 1 << 24;
/** Software Step ISS.EX (bit 6): the stepped instruction was a load-exclusive. */
export const ISS_SS_EX = 1 << 6;

/** ESR value for the given exception class with IL set and the given ISS (25 bits). */
export function esrFor(ec: number, iss: number): number {
  return ((ec << ESR_EC_SHIFT) | ESR_IL | (iss & 0x1ffffff)) >>> 0;
}
