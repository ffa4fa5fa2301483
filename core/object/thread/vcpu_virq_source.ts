/**
 * The VIRQ sources of a vCPU: its HALT VIRQ and its VCPU_RUN_WAKEUP VIRQ
 * (`vcpu_bind_virq` types 0 and 1). Both are edge sources: HYP asserts them
 * with `virq_assert(source, edge_only = true)` when the vCPU halts, or when
 * a blocked proxy-scheduled vCPU becomes able to run (HYP
 * `hyp/vm/vcpu_run/src/vcpu_run.c`); they have no level to re-check.
 *
 * @module
 */
import { VirqSource } from "../vic/virq_source.ts";
import type { VirqLine } from "./thread.ts";

/** One vCPU VIRQ source; as a {@link VirqLine} it is what the thread asserts. */
export class VcpuVirqSource extends VirqSource implements VirqLine {
  /** Edge source: never held pending by a level. */
  checkPending(): boolean {
    return false;
  }

  /** Assert as an edge (pending once). */
  override assert(): void {
    this.assertEdge();
  }
}
