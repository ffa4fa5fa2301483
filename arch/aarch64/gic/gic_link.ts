/**
 * What the parts of the vGIC (distributor frame, redistributor frames, CPU
 * interfaces) need from the controller that ties them together. The
 * controller (gicv3.ts) implements it; the parts never import each other.
 *
 * @module
 */
import type { InterruptState } from "./interrupt_state.ts";

/** Which kind of SGI an ICC_SGI*R_EL1 write generates. */
export const enum SgiKind {
  /** ICC_SGI0R_EL1: Group 0. */
  Group0 = 0,
  /** ICC_SGI1R_EL1: Group 1. */
  Group1 = 1,
  /** ICC_ASGI1R_EL1: Group 1 of the other Security state. */
  AlternateGroup1 = 2,
}

/** The controller as seen by its parts. */
export interface GicLink {
  /** All interrupt state. */
  readonly state: InterruptState;
  /** GICD_CTLR.EnableGrp0 / EnableGrp1 (bits 0 and 1). */
  readonly groupEnables: number;
  /** Write the group-enable bits of GICD_CTLR and re-evaluate every vCPU. */
  setGroupEnables(bits: number): void;
  /** Re-evaluate whichever vCPUs can see the interrupt in `slot`. */
  slotChanged(slot: number): void;
  /** Re-evaluate the interrupt signals of one vCPU. */
  update(vcpu: number): void;
  /** Re-evaluate every vCPU (routing or distributor-wide changes). */
  updateAll(): void;
  /** The CPU interface group enables of `vcpu` (bit 0 Group 0, bit 1 Group 1). */
  cpuGroupEnables(vcpu: number): number;
  /** Generate SGIs from `source` as an ICC_SGI*R_EL1 write with value lo/hi. */
  sendSgi(source: number, lo: number, hi: number, kind: SgiKind): void;
}
