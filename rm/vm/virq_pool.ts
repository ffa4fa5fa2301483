/**
 * VIRQ numbers of one virtual interrupt controller that the RM hands out:
 * the lowest free INTID in a range, returned when the object bound to it
 * goes away (VM_RESET / VM_DEALLOCATE), so VMs can be created and destroyed
 * forever without running out.
 *
 * @module
 */

/** A pool of INTIDs `[first, end)`. */
export class VirqPool {
  readonly #used = new Set<number>();

  /** A pool of INTIDs `first` ≤ INTID < `end`. */
  constructor(readonly first: number, readonly end: number) {}

  /** The lowest free INTID, now taken; null when none is left. */
  take(): number | null {
    for (let v = this.first; v < this.end; v++) {
      if (!this.#used.has(v)) {
        this.#used.add(v);
        return v;
      }
    }
    return null;
  }

  /**
   * Take a given INTID (one a VM's config asked for; it may lie outside the
   * pool's range); false when it is already taken.
   */
  claim(virq: number): boolean {
    if (this.#used.has(virq)) return false;
    this.#used.add(virq);
    return true;
  }

  /** Give `virq` back (ignores INTIDs not taken). */
  give(virq: number): void {
    this.#used.delete(virq);
  }

  /** INTIDs taken. */
  get used(): number {
    return this.#used.size;
  }
}
