/**
 * The global exclusive monitor of one VM (Arm ARM B2.9 "Synchronization and
 * semaphores"): one reservation per vCPU, as an IPA granule. The local
 * monitor (address and size of the last load-exclusive) lives in
 * `CpuState.exclusiveArmed/Addr/Size`; a store-exclusive succeeds only when
 * both monitors still hold the address.
 *
 * Any store to guest RAM by any vCPU must be reported through
 * {@link GlobalMonitor.noteStore} (the data write path does this); a store to a
 * granule another vCPU has reserved clears that reservation. The check costs
 * one comparison while nobody holds a reservation.
 *
 * @module
 */

/**
 * Exclusives reservation granule in bytes: CTR_EL0.ERG = 4 (log2 of the size
 * in words) as on Cortex-A57 (Arm Cortex-A57 TRM, CTR_EL0), i.e. 16 words.
 */
export const EXCLUSIVE_GRANULE = 64;

/** Per-VM global monitor shared by all of its vCPUs. */
export class GlobalMonitor {
  /** Reserved granule base per vCPU index, or -1. */
  #granule: Float64Array = new Float64Array(8).fill(-1);
  /** Number of vCPUs currently holding a reservation. */
  armed = 0;

  /** Mark the granule containing `ipa` as reserved by `vcpu` (load-exclusive). */
  reserve(vcpu: number, ipa: number): void {
    if (vcpu >= this.#granule.length) {
      const g = new Float64Array(Math.max(vcpu + 1, this.#granule.length * 2)).fill(-1);
      g.set(this.#granule);
      this.#granule = g;
    }
    if (this.#granule[vcpu] < 0) this.armed++;
    this.#granule[vcpu] = ipa - (ipa % EXCLUSIVE_GRANULE);
  }

  /** Whether `vcpu` still holds a reservation covering `ipa`. */
  holds(vcpu: number, ipa: number): boolean {
    return vcpu < this.#granule.length &&
      this.#granule[vcpu] === ipa - (ipa % EXCLUSIVE_GRANULE);
  }

  /** Drop `vcpu`'s reservation (store-exclusive done, CLREX). */
  release(vcpu: number): void {
    if (vcpu < this.#granule.length && this.#granule[vcpu] >= 0) {
      this.#granule[vcpu] = -1;
      this.armed--;
    }
  }

  /** Whether any vCPU holds a reservation on a granule within `[ipa, ipa + size)`. */
  anyWithin(ipa: number, size: number): boolean {
    const g = this.#granule;
    for (let i = 0; i < g.length; i++) {
      if (g[i] >= 0 && g[i] + EXCLUSIVE_GRANULE > ipa && g[i] < ipa + size) return true;
    }
    return false;
  }

  /**
   * A store of `size` bytes at `ipa` by vCPU `vcpu`: clear the reservations
   * of other vCPUs on the granules it touches.
   */
  noteStore(ipa: number, size: number, vcpu: number): void {
    if (this.armed === 0) return;
    const g = this.#granule;
    const first = ipa - (ipa % EXCLUSIVE_GRANULE);
    const lastByte = ipa + size - 1;
    const last = lastByte - (lastByte % EXCLUSIVE_GRANULE);
    for (let i = 0; i < g.length; i++) {
      if (i !== vcpu && g[i] >= first && g[i] <= last) {
        g[i] = -1;
        this.armed--;
      }
    }
  }
}
