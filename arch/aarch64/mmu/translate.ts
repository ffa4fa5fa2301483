/**
 * Side-effect-free translation of a guest virtual address for the
 * hypervisor (hypercall buffers, `user_ptr_t`): stage 1 as an EL1 access of
 * the vCPU's current regime, then the stage-2 RAM check. No exception is
 * taken and the TLB is not touched.
 *
 * @module
 */
import { S2_ACCESS_R, S2_ACCESS_W } from "@gunyah-ts/core/plugin";
import type { SystemRegisters } from "../sys/registers.ts";
import { P_EL1_R, P_EL1_W } from "./tlb.ts";
import { translateStage1, walkResult } from "./walk.ts";

/**
 * The IPA of `vaLo/vaHi` for an EL1 read (or write), or -1 when stage 1
 * faults, denies the access, or the IPA is not RAM with the needed stage-2
 * right.
 */
export function translateForHypervisor(
  s: SystemRegisters,
  vaLo: number,
  vaHi: number,
  write: boolean,
): number {
  if (!translateStage1(s, vaLo, vaHi, false)) return -1;
  if ((walkResult.perm & (write ? P_EL1_W : P_EL1_R)) === 0) return -1;
  const ipa = walkResult.ipaPage + (vaLo & 0xfff);
  const m = s.memory.lookup(ipa);
  if (m === null || (m.access & (write ? S2_ACCESS_W : S2_ACCESS_R)) === 0) return -1;
  return ipa;
}
