/**
 * The GICv3 CPU interface system registers (ICC_*_EL1) as keys of the MRS/MSR
 * encoding, and their fields.
 *
 * A key is `(op0 << 14) | (op1 << 11) | (CRn << 7) | (CRm << 3) | op2`, i.e.
 * bits 20:5 of an MRS/MSR instruction word, so the system-register decoder
 * (arch/aarch64/sys/) can pass its own field straight through.
 *
 * Source: Arm IHI 0069 §12.2 ("AArch64 System register descriptions of the
 * CPU interface"), encodings in each register's "Accessing" table; Arm ARM
 * DDI 0487 §D19 for the same encodings.
 *
 * @module
 */

/** Build the key of a system register from its encoding fields. */
export function sysregKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

/** ICC_PMR_EL1: S3_0_C4_C6_0 (note CRn = 4, not 12). */
export const ICC_PMR_EL1: number = sysregKey(3, 0, 4, 6, 0);
/** ICC_IAR0_EL1: S3_0_C12_C8_0. */
export const ICC_IAR0_EL1: number = sysregKey(3, 0, 12, 8, 0);
/** ICC_EOIR0_EL1: S3_0_C12_C8_1. */
export const ICC_EOIR0_EL1: number = sysregKey(3, 0, 12, 8, 1);
/** ICC_HPPIR0_EL1: S3_0_C12_C8_2. */
export const ICC_HPPIR0_EL1: number = sysregKey(3, 0, 12, 8, 2);
/** ICC_BPR0_EL1: S3_0_C12_C8_3. */
export const ICC_BPR0_EL1: number = sysregKey(3, 0, 12, 8, 3);
/** ICC_AP0R0_EL1 .. ICC_AP0R3_EL1: S3_0_C12_C8_{4..7}. */
export const ICC_AP0R0_EL1: number = sysregKey(3, 0, 12, 8, 4);
/** ICC_AP1R0_EL1 .. ICC_AP1R3_EL1: S3_0_C12_C9_{0..3}. */
export const ICC_AP1R0_EL1: number = sysregKey(3, 0, 12, 9, 0);
/** ICC_DIR_EL1: S3_0_C12_C11_1. */
export const ICC_DIR_EL1: number = sysregKey(3, 0, 12, 11, 1);
/** ICC_RPR_EL1: S3_0_C12_C11_3. */
export const ICC_RPR_EL1: number = sysregKey(3, 0, 12, 11, 3);
/** ICC_SGI1R_EL1: S3_0_C12_C11_5 (64-bit). */
export const ICC_SGI1R_EL1: number = sysregKey(3, 0, 12, 11, 5);
/** ICC_ASGI1R_EL1: S3_0_C12_C11_6 (64-bit). */
export const ICC_ASGI1R_EL1: number = sysregKey(3, 0, 12, 11, 6);
/** ICC_SGI0R_EL1: S3_0_C12_C11_7 (64-bit). */
export const ICC_SGI0R_EL1: number = sysregKey(3, 0, 12, 11, 7);
/** ICC_IAR1_EL1: S3_0_C12_C12_0. */
export const ICC_IAR1_EL1: number = sysregKey(3, 0, 12, 12, 0);
/** ICC_EOIR1_EL1: S3_0_C12_C12_1. */
export const ICC_EOIR1_EL1: number = sysregKey(3, 0, 12, 12, 1);
/** ICC_HPPIR1_EL1: S3_0_C12_C12_2. */
export const ICC_HPPIR1_EL1: number = sysregKey(3, 0, 12, 12, 2);
/** ICC_BPR1_EL1: S3_0_C12_C12_3. */
export const ICC_BPR1_EL1: number = sysregKey(3, 0, 12, 12, 3);
/** ICC_CTLR_EL1: S3_0_C12_C12_4. */
export const ICC_CTLR_EL1: number = sysregKey(3, 0, 12, 12, 4);
/** ICC_SRE_EL1: S3_0_C12_C12_5. */
export const ICC_SRE_EL1: number = sysregKey(3, 0, 12, 12, 5);
/** ICC_IGRPEN0_EL1: S3_0_C12_C12_6. */
export const ICC_IGRPEN0_EL1: number = sysregKey(3, 0, 12, 12, 6);
/** ICC_IGRPEN1_EL1: S3_0_C12_C12_7. */
export const ICC_IGRPEN1_EL1: number = sysregKey(3, 0, 12, 12, 7);

/** Number of ICC_AP0Rn / ICC_AP1Rn registers defined by the architecture. */
export const ICC_APR_COUNT = 4;
/**
 * Number of active-priority registers implemented: 1 for five preemption bits
 * (32 group-priority levels, one bit each), as `1 << max(PREbits - 5, 0)`.
 */
export const ICC_APR_IMPLEMENTED = 1;

/** ICC_SRE_EL1.SRE | DFB | DIB: all RAO/WI here. */
export const ICC_SRE_VALUE = 0x7;

/** ICC_CTLR_EL1.CBPR (bit 0): BPR0 also controls Group 1 preemption. */
export const ICC_CTLR_CBPR = 1 << 0;
/** ICC_CTLR_EL1.EOImode (bit 1): EOIR only drops priority; DIR deactivates. */
export const ICC_CTLR_EOIMODE = 1 << 1;
/** ICC_CTLR_EL1.PMHE (bit 6): priority mask hint enable. */
export const ICC_CTLR_PMHE = 1 << 6;
/** ICC_CTLR_EL1.PRIbits field shift (bits 10:8, read-only: priority bits - 1). */
export const ICC_CTLR_PRIBITS_SHIFT = 8;
/** ICC_CTLR_EL1.IDbits field shift (bits 13:11; 0 = 16-bit INTIDs). */
export const ICC_CTLR_IDBITS_SHIFT = 11;
/** ICC_CTLR_EL1.SEIS (bit 14): local SEI generation supported (0 here). */
export const ICC_CTLR_SEIS = 1 << 14;
/** ICC_CTLR_EL1.A3V (bit 15): Aff3 supported in SGI generation. */
export const ICC_CTLR_A3V = 1 << 15;
/** Writable bits of ICC_CTLR_EL1 with a single Security state. */
export const ICC_CTLR_WRITABLE = ICC_CTLR_CBPR | ICC_CTLR_EOIMODE | ICC_CTLR_PMHE;

/** ICC_SGI*R_EL1 field layout (IHI 0069 §12.2.21), low word. */
export const SGIR_TARGETLIST_MASK = 0xffff;
export const SGIR_AFF1_SHIFT = 16;
export const SGIR_INTID_SHIFT = 24;
/** High-word fields of ICC_SGI*R_EL1 (bit positions minus 32). */
export const SGIR_HI_AFF2_SHIFT = 0; // bits 39:32
export const SGIR_HI_IRM = 1 << 8; // bit 40
export const SGIR_HI_RS_SHIFT = 12; // bits 47:44
export const SGIR_HI_AFF3_SHIFT = 16; // bits 55:48

/** Key bits selecting op0, op1, CRn and CRm bit 3. */
const ICC_BLOCK_MASK = sysregKey(3, 7, 15, 8, 0);
/** op0 = 3, op1 = 0, CRn = 12, CRm = 8..15: where the ICC_*_EL1 registers live. */
const ICC_BLOCK = sysregKey(3, 0, 12, 8, 0);

/**
 * Whether `key` lies in the GIC CPU interface's part of the system-register
 * space: op0 = 3, op1 = 0, CRn = 12, CRm = 8..15 (every ICC_*_EL1 register
 * but one), or ICC_PMR_EL1, which sits at CRn = 4, CRm = 6. The rest of
 * CRn = 12 is not the GIC's (VBAR_EL1, RVBAR_EL1, RMR_EL1, ISR_EL1 and
 * DISR_EL1 have CRm = 0 or 1). The system-register layer sends these keys to
 * the vCPU's GIC CPU interface object (cpu_interface.ts), which answers which
 * of them exist.
 */
export function isIccRegisterKey(key: number): boolean {
  return (key & ICC_BLOCK_MASK) === ICC_BLOCK || key === ICC_PMR_EL1;
}
