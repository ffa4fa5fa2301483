/**
 * Arm SMC Calling Convention (SMCCC 1.3) function IDs as Gunyah uses them.
 *
 * Source: HYP `hyp/interfaces/smccc/smccc.tc`, `hyp/vm/smccc/src/*.c`
 * (gunyah-abi.md §1.2) and Arm DEN 0028 (SMCCC) for the field layout.
 *
 * @module
 */

/** Function ID bit 31: fast call (otherwise yielding). */
export const SMCCC_FAST_CALL = 0x80000000;
/** Function ID bit 30: SMC64/HVC64 calling convention (otherwise SMC32). */
export const SMCCC_SMC64 = 0x40000000;
/** Function ID bits 29:24: owning entity. */
export const SMCCC_OWNER_SHIFT = 24;
/** Mask of the owner field after shifting. */
export const SMCCC_OWNER_MASK = 0x3f;
/** Function ID bits 23:17 must be zero. */
export const SMCCC_RES0_MASK = 0x00fe0000;
/** Function ID bit 16: SVE state is live (SMCCC 1.3 hint). */
export const SMCCC_SVE_LIVE_HINT = 0x00010000;
/** Function ID bits 15:0: function number. */
export const SMCCC_FUNCTION_MASK = 0xffff;

/** SMCCC owning entities (function ID bits 29:24). */
export const enum SmcccOwner {
  ARCH = 0,
  CPU = 1,
  SIP = 2,
  OEM = 3,
  STANDARD = 4,
  STANDARD_HYP = 5,
  VENDOR_HYP = 6,
}

/** SMCCC_UNKNOWN / NOT_SUPPORTED: -1 in X0. */
export const SMCCC_UNKNOWN_FUNCTION: number = -1;

/** SMCCC_VERSION's function ID (ARCH owner, fast SMC32; DEN 0028 §7.2). PSCI_FEATURES reports it. */
export const SMCCC_VERSION_FUNCTION_ID = 0x80000000;
/** SMCCC version reported by SMCCC_VERSION: 1.3 (`SMCCC_VERSION` in smccc.tc). */
export const SMCCC_VERSION_1_3 = 0x10003;

/** ARCH owner functions (Arm DEN 0028). */
export const enum SmcccArchFunction {
  VERSION = 0,
  ARCH_FEATURES = 1,
}

/** STANDARD_HYP and VENDOR_HYP service function numbers (Arm DEN 0028 §6). */
export const enum SmcccServiceFunction {
  CALL_COUNT = 0xff00,
  CALL_UID = 0xff01,
  REVISION = 0xff03,
}

/** VENDOR_HYP function bits 15:14: call class. */
export const enum VendorHypCallClass {
  PLATFORM_CALL = 0b00,
  HYPERCALL = 0b10,
  SERVICE = 0b11,
}

/** VENDOR_HYP function bits 13:0: hypercall number or service function. */
export const VENDOR_HYP_FUNCTION_MASK = 0x3fff;

/** Function ID of Gunyah hypercall N: fast, SMC64, VENDOR_HYP, class HYPERCALL. */
export function gunyahSmcccFunctionId(n: number): number {
  return (0xc6008000 | (n & VENDOR_HYP_FUNCTION_MASK)) >>> 0;
}

/** The vendor-hyp CALL_UID function ID (`ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID`). */
export const SMCCC_VENDOR_HYP_CALL_UID = 0x8600ff01;
/** The vendor-hyp REVISION function ID. */
export const SMCCC_VENDOR_HYP_REVISION = 0x8600ff03;
/** The vendor-hyp CALL_COUNT function ID (deprecated; answers -1). */
export const SMCCC_VENDOR_HYP_CALL_COUNT = 0x8600ff00;

/**
 * Gunyah UUID `c1d58fcd-a453-5fdb-9265-ce36673d5f14` as returned in X0..X3 by
 * CALL_UID (`SMCCC_GUNYAH_UID0..3` in smccc.tc).
 */
export const SMCCC_GUNYAH_UID: readonly [number, number, number, number] = [
  0xcd8fd5c1,
  0xdb5f53a4,
  0x36ce6592,
  0x145f3d67,
];

/** STANDARD_HYP REVISION: major 1, minor 0 (HYP `smccc.c` `smccc_std_hyp_revision`). */
export const SMCCC_STANDARD_HYP_REVISION: readonly [number, number] = [1, 0];

/** A decoded SMCCC function ID. */
export interface SmcccFunctionId {
  /** Bit 31: a fast call (otherwise yielding). */
  readonly fast: boolean;
  /** Bit 30: the SMC64/HVC64 convention (otherwise SMC32). */
  readonly smc64: boolean;
  /** Bits 29:24: the owning entity ({@link SmcccOwner}). */
  readonly owner: number;
  /** Bits 23:17 (must be 0). */
  readonly res0: number;
  /** Bits 15:0. */
  readonly fn: number;
}

/** Split a 32-bit function ID into its fields. */
export function decodeSmcccFunctionId(id: number): SmcccFunctionId {
  return {
    fast: (id & SMCCC_FAST_CALL) !== 0,
    smc64: (id & SMCCC_SMC64) !== 0,
    owner: (id >>> SMCCC_OWNER_SHIFT) & SMCCC_OWNER_MASK,
    res0: (id & SMCCC_RES0_MASK) >>> 17,
    fn: id & SMCCC_FUNCTION_MASK,
  };
}
