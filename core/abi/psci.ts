/**
 * PSCI 1.1 function IDs, return codes and argument formats: the one
 * definition for the system (the PSCI service in core/psci and its hosts use
 * these; the SMCCC fields they are built from are in smccc.ts).
 *
 * Source: Arm DEN 0022 "Arm Power State Coordination Interface" (PSCI 1.1,
 * issue D/E), §5.1 "Function prototypes" and Table 5 "Return error codes";
 * function IDs also in platform-facts.md. PSCI functions are fast calls of
 * the SMCCC STANDARD owner (4): `0x84000000 | n` for SMC32 and
 * `0xC4000000 | n` for SMC64.
 *
 * @module
 */

/** First SMC32 PSCI function ID. */
export const PSCI_SMC32_BASE = 0x84000000;
/** First SMC64 PSCI function ID. */
export const PSCI_SMC64_BASE = 0xc4000000;

/** PSCI function numbers (low 16 bits of the ID; DEN 0022 §5.1). */
export const enum PsciFunction {
  VERSION = 0x00,
  CPU_SUSPEND = 0x01,
  CPU_OFF = 0x02,
  CPU_ON = 0x03,
  AFFINITY_INFO = 0x04,
  MIGRATE = 0x05,
  MIGRATE_INFO_TYPE = 0x06,
  MIGRATE_INFO_UP_CPU = 0x07,
  SYSTEM_OFF = 0x08,
  SYSTEM_RESET = 0x09,
  PSCI_FEATURES = 0x0a,
  CPU_FREEZE = 0x0b,
  CPU_DEFAULT_SUSPEND = 0x0c,
  NODE_HW_STATE = 0x0d,
  SYSTEM_SUSPEND = 0x0e,
  PSCI_SET_SUSPEND_MODE = 0x0f,
  PSCI_STAT_RESIDENCY = 0x10,
  PSCI_STAT_COUNT = 0x11,
  SYSTEM_RESET2 = 0x12,
  MEM_PROTECT = 0x13,
  MEM_PROTECT_CHECK_RANGE = 0x14,
}

/** PSCI_VERSION: major 1, minor 1 (bits 31:16 major, 15:0 minor). */
export const PSCI_VERSION_1_1 = 0x00010001;

/** PSCI return codes (DEN 0022 Table 5). */
export const enum PsciReturn {
  SUCCESS = 0,
  NOT_SUPPORTED = -1,
  INVALID_PARAMETERS = -2,
  DENIED = -3,
  ALREADY_ON = -4,
  ON_PENDING = -5,
  INTERNAL_FAILURE = -6,
  NOT_PRESENT = -7,
  DISABLED = -8,
  INVALID_ADDRESS = -9,
}

/** AFFINITY_INFO results (DEN 0022 §5.7). */
export const enum PsciAffinityState {
  ON = 0,
  OFF = 1,
  ON_PENDING = 2,
}

/**
 * MIGRATE_INFO_TYPE result 2: "Trusted OS is either not present or does not
 * require migration" (DEN 0022 §5.9); MIGRATE and MIGRATE_INFO_UP_CPU are
 * then not supported.
 */
export const PSCI_MIGRATE_INFO_TYPE_NONE = 2;

/**
 * PSCI_FEATURES(CPU_SUSPEND) flags (DEN 0022 §5.15.2): bit 1 = extended
 * StateID power_state format, bit 0 = OS-initiated mode supported. Zero:
 * the original format, platform-coordinated mode only.
 */
export const PSCI_CPU_SUSPEND_FEATURES = 0;

/**
 * Original-format power_state fields (DEN 0022 §5.4.2.1): StateID bits 15:0,
 * StateType bit 16 (1 = power down, 0 = standby/retention), PowerLevel bits
 * 25:24; the remaining bits must be zero.
 */
export const POWER_STATE_TYPE_POWERDOWN = 1 << 16;
/** PowerLevel field shift of an original-format power_state. */
export const POWER_STATE_LEVEL_SHIFT = 24;
/** Bits that must be zero in an original-format power_state (31:26 and 23:17). */
export const POWER_STATE_RESERVED = 0xfc000000 | 0x00fe0000;
