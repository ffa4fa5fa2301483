/**
 * The preallocated {@link ExitRecord} of one vCPU.
 *
 * @module
 */
import { ExitKind, type ExitRecord } from "@gunyah-ts/core/plugin";

/** Mutable exit description; one per vCPU, overwritten at each exit. */
export class VcpuExitRecord implements ExitRecord {
  /** Why the vCPU stopped. */
  kind: ExitKind = ExitKind.Budget;
  /** HVC/SMC immediate, or the trapped sysreg encoding. */
  imm = 0;
  /** MMIO exits: the IPA. */
  ipa = 0;
  /** MMIO exits: the access size in bytes. */
  size = 0;
  /** MMIO exits: true for a write. */
  write = false;
  /** MMIO writes: low half of the value. */
  valueLo = 0;
  /** MMIO writes: high half of the value. */
  valueHi = 0;
  /** Fault exits: why. */
  message = "";

  /** Clear every field to the `Budget` exit. */
  clear(): void {
    this.kind = ExitKind.Budget;
    this.imm = 0;
    this.ipa = 0;
    this.size = 0;
    this.write = false;
    this.valueLo = 0;
    this.valueHi = 0;
    this.message = "";
  }
}
