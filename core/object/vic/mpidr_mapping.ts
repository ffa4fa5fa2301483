/**
 * A vic's MPIDR ↔ vCPU-index mapping (HYP `platform_mpidr_mapping`,
 * `hyp/interfaces/platform/platform.tc`; set by vgic_set_mpidr_mapping in
 * `hyp/vm/vgic/src/distrib.c`; applied by `platform_cpu_map_*` in
 * `hyp/platform/arm_generic/aarch64/src/cpu.c`).
 *
 * Affinity field i of a vCPU's MPIDR_EL1 is `(index >> affShift[i]) &
 * affMask[i]`; the index of an MPIDR is the OR of `(Aff_i & affMask[i]) <<
 * affShift[i]`. A mapping built by {@link createMpidrMapping} is dense: the
 * index bits it produces are contiguous from bit 0 and do not overlap.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import { CPU_INDEX_INVALID } from "../../abi/formats.ts";
import { MPIDR_AFF_SHIFTS, MPIDR_MT_BIT, MPIDR_U_BIT } from "../../abi/mpidr.ts";

/**
 * Largest shift vgic_set_mpidr_mapping accepts plus one: only 32 affinity
 * bits exist, so HYP refuses shifts of 32 or more.
 */
export const MPIDR_MAPPING_MAX_SHIFT = 32;

/** One mapping (HYP `platform_mpidr_mapping`). */
export interface MpidrMapping {
  /** Index bit where each affinity field's value starts (Aff0..Aff3). */
  readonly affShift: readonly [number, number, number, number];
  /** Which bits of each affinity field carry index bits (Aff0..Aff3). */
  readonly affMask: readonly [number, number, number, number];
  /** MPIDR_EL1.MT of every vCPU. */
  readonly multiThread: boolean;
  /** MPIDR_EL1.U of every vCPU: set when the mapping produces only index 0. */
  readonly uniprocessor: boolean;
}

/**
 * Build a mapping from vgic_set_mpidr_mapping's arguments with HYP's
 * checks: `mask` is read as an MPIDR_EL1 value (only its Aff fields count);
 * each shift must be below 32; the shifted fields must not overlap and
 * together be a contiguous mask from bit 0 below {@link CPU_INDEX_INVALID}.
 * Anything else is ERROR_ARGUMENT_INVALID.
 */
export function createMpidrMapping(
  mask: bigint,
  shifts: readonly [number, number, number, number],
  multiThread: boolean,
): MpidrMapping {
  const masks = MPIDR_AFF_SHIFTS.map((s) => Number((mask >> BigInt(s)) & 0xffn)) as [
    number,
    number,
    number,
    number,
  ];
  let indexMask = 0n;
  for (let i = 0; i < 4; i++) {
    if (shifts[i] >= MPIDR_MAPPING_MAX_SHIFT) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `aff${i}_shift ${shifts[i]} ≥ 32`);
    }
    const field = BigInt(masks[i]) << BigInt(shifts[i]);
    if ((indexMask & field) !== 0n) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `aff${i} index bits overlap`);
    }
    indexMask |= field;
  }
  if (((indexMask + 1n) & indexMask) !== 0n || indexMask >= BigInt(CPU_INDEX_INVALID)) {
    throwHypError(
      HypError.ERROR_ARGUMENT_INVALID,
      `index mask 0x${indexMask.toString(16)} is not contiguous from bit 0 below 0x8000`,
    );
  }
  return {
    affShift: [shifts[0], shifts[1], shifts[2], shifts[3]],
    affMask: masks,
    multiThread,
    uniprocessor: indexMask === 0n,
  };
}

/**
 * The affinity of vCPU `index` under `mapping`: Aff0..Aff2 in bits 23:0 and
 * Aff3 in bits 39:32, as `VcpuInit.mpidr` carries it (MT and U excluded:
 * see {@link mpidrFlagBits}).
 */
export function mpidrAffinityOf(mapping: MpidrMapping, index: number): number {
  let affinity = 0;
  for (let i = 0; i < 4; i++) {
    const field = Math.floor(index / 2 ** mapping.affShift[i]) & mapping.affMask[i];
    affinity += field * 2 ** MPIDR_AFF_SHIFTS[i];
  }
  return affinity;
}

/** The MT and U bits of MPIDR_EL1 under `mapping`. */
export function mpidrFlagBits(mapping: MpidrMapping): bigint {
  return (mapping.multiThread ? MPIDR_MT_BIT : 0n) | (mapping.uniprocessor ? MPIDR_U_BIT : 0n);
}

/** Whether `mpidr` names a vCPU under `mapping` (no affinity bit outside the masks). */
export function mpidrValidFor(mapping: MpidrMapping, mpidr: bigint): boolean {
  for (let i = 0; i < 4; i++) {
    const aff = Number((mpidr >> BigInt(MPIDR_AFF_SHIFTS[i])) & 0xffn);
    if ((aff & ~mapping.affMask[i]) !== 0) return false;
  }
  return true;
}

/** The vCPU index `mpidr` names under `mapping` (check {@link mpidrValidFor} first). */
export function vcpuIndexOfMpidr(mapping: MpidrMapping, mpidr: bigint): number {
  let index = 0;
  for (let i = 0; i < 4; i++) {
    const aff = Number((mpidr >> BigInt(MPIDR_AFF_SHIFTS[i])) & 0xffn) & mapping.affMask[i];
    index += aff * 2 ** mapping.affShift[i];
  }
  return index;
}
