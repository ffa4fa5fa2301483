/**
 * The MPIDR affinity a vCPU reports and is addressed by (MPIDR_EL1, GICR_TYPER,
 * PSCI CPU_ON/AFFINITY_INFO): from its vic's mapping when
 * vgic_set_mpidr_mapping set one (HYP sets `vcpu_regs_mpidr_el1` from the
 * vic's mapping at attach, and PSCI maps target MPIDRs through it), else the
 * platform's assignment.
 *
 * @module
 */
import type { GunyahObject } from "../object.ts";
import { mpidrAffinityOf } from "./mpidr_mapping.ts";
import { Vic } from "./vic.ts";

/**
 * Affinity (Aff0..Aff2 in bits 23:0, Aff3 in bits 39:32) of the vCPU with
 * `index` attached to `vic`; `platform(index)` when the vic has no mapping.
 */
export function vcpuMpidrAffinity(
  vic: GunyahObject | null,
  index: number,
  platform: (index: number) => number,
): number {
  const mapping = vic instanceof Vic ? vic.mpidrMapping : null;
  return mapping !== null ? mpidrAffinityOf(mapping, index) : platform(index);
}
