/**
 * MPIDR_EL1, the Arm system register that names a PE by its affinity
 * (Arm ARM D19.2 "MPIDR_EL1"), the one definition of its fields for the
 * system: the vGIC's MPIDR mapping (core/object/vic), PSCI's target_cpu
 * (core/psci) and the arch's register file (arch/aarch64/sys) use these.
 *
 * @module
 */

/** Field positions: Aff0 7:0, Aff1 15:8, Aff2 23:16, Aff3 39:32. */
export const MPIDR_AFF_SHIFTS: readonly number[] = [0, 8, 16, 32];
/** MPIDR_EL1.MT, bit 24: the lowest affinity level is threads of a multithreaded core. */
export const MPIDR_MT_BIT = 1n << 24n;
/** MPIDR_EL1.U, bit 30: uniprocessor system. */
export const MPIDR_U_BIT = 1n << 30n;
/** MPIDR_EL1 bit 31 is RES1. */
export const MPIDR_RES1 = 0x80000000;
/** The affinity fields: Aff3 (39:32) and Aff2..Aff0 (23:0) — what PSCI's target_cpu may hold. */
export const MPIDR_AFFINITY_MASK = 0xff_00ff_ffffn;
