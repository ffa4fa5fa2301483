/**
 * The preallocated {@link ExitRecord} of one vCPU.
 *
 * @module
 */
import { ExitKind, type ExitRecord } from "../../../core/plugin/contracts.ts";

/** Mutable exit description; one per vCPU, overwritten at each exit. */
export class VcpuExitRecord implements ExitRecord {
  kind: ExitKind = ExitKind.Budget;
  imm = 0;
  ipa = 0;
  size = 0;
  write = false;
  valueLo = 0;
  valueHi = 0;
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
