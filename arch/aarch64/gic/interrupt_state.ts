/**
 * The state of every interrupt of one vGIC: group, enable, pending, active,
 * priority, trigger mode, input line level and SPI routing, held in typed
 * arrays so that nothing on an interrupt path allocates.
 *
 * Layout. Every interrupt has a *slot*. The 32 private interrupts (SGIs and
 * PPIs) of vCPU `v` take slots `v*32 .. v*32+31`; SPI `n` (INTID 32+n) takes
 * slot `vcpus*32 + n`. Bitmaps hold one bit per slot, 32 to a word, so word
 * `v` is vCPU `v`'s private interrupts and word `vcpus + k` holds INTIDs
 * `32 + 32k .. 63 + 32k`: the same words the GICD/GICR bitmap registers show.
 *
 * Pending (IHI 0069 §4.1.2): an interrupt is pending when its *latch* is set
 * (an edge on its line, a pulse, an SGI, a write to ISPENDR) or, if it is
 * level-sensitive, while its line is asserted. Acknowledging clears the
 * latch; a level interrupt whose line is still high stays pending, so it
 * becomes active-and-pending, as the architecture requires.
 *
 * @module
 */
import {
  GIC_INTID_SPURIOUS,
  GIC_SGI_COUNT,
  GIC_SPI_BASE,
  GIC_SPI_NUM,
  GICD_IROUTER_IRM,
  PRIORITY_MASK,
} from "./registers.ts";

/** Routing of an SPI whose IROUTER names no existing vCPU: delivered nowhere. */
export const ROUTE_NONE = -1;
/** Routing of an SPI with IROUTER.IRM = 1: any vCPU may take it. */
export const ROUTE_ANY = -2;

/** Mask of the affinity fields Aff2.Aff1.Aff0 in the low word of MPIDR/IROUTER. */
const AFF210_MASK = 0x00ffffff;

/** Count trailing zeros of a non-zero 32-bit value. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** All interrupt state of one vGIC (distributor + redistributors). */
export class InterruptState {
  /** Number of vCPUs (redistributors). */
  readonly vcpus: number;
  /** Number of SPIs implemented (INTIDs 32 .. 32 + spis - 1). */
  readonly spis: number;
  /** Bitmap words holding SPIs. */
  readonly spiWords: number;
  /** Bitmap words in total: one per vCPU, then the SPI words. */
  readonly words: number;

  /** IGROUPR: 1 = Group 1. */
  readonly group: Uint32Array;
  /** ISENABLER/ICENABLER. */
  readonly enabled: Uint32Array;
  /** Pending latch (edge seen, pulse, SGI, ISPENDR). */
  readonly latch: Uint32Array;
  /** Current level of each input line. */
  readonly line: Uint32Array;
  /** ICFGR: 1 = edge-triggered (SGIs always are). */
  readonly edge: Uint32Array;
  /** ISACTIVER/ICACTIVER. */
  readonly active: Uint32Array;
  /** Bits that exist: private words all 32, the last SPI word partially. */
  readonly valid: Uint32Array;
  /** Priority byte per slot (implemented bits only). */
  readonly priority: Uint8Array;

  /** GICD_IROUTER<32+n> low word (IRM, Aff2.Aff1.Aff0). */
  readonly irouterLo: Uint32Array;
  /** GICD_IROUTER<32+n> high word (Aff3). */
  readonly irouterHi: Uint32Array;
  /** Resolved target of each SPI: a vCPU index, {@link ROUTE_ANY} or {@link ROUTE_NONE}. */
  readonly spiTarget: Int32Array;
  /** Per vCPU, SPI words: bit set when the SPI may be delivered to that vCPU. */
  readonly routeMask: Uint32Array;

  /** Affinity Aff2.Aff1.Aff0 (MPIDR bits 23:0) of each vCPU. */
  readonly affLo: Uint32Array;
  /** Affinity Aff3 (MPIDR bits 39:32) of each vCPU. */
  readonly affHi: Uint32Array;

  /** Result of {@link highestPending}: INTID, or {@link GIC_INTID_SPURIOUS} when none. */
  hpIntid: number = GIC_INTID_SPURIOUS;
  /** Result of {@link highestPending}: priority. */
  hpPriority = 0xff;
  /** Result of {@link highestPending}: group (0 or 1). */
  hpGroup = 0;

  constructor(vcpus: number, spis: number) {
    if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > 0x10000) {
      throw new RangeError(`vGIC: vcpus must be an integer in 1..65536, got ${vcpus}`);
    }
    if (!Number.isInteger(spis) || spis < 0 || spis > GIC_SPI_NUM) {
      throw new RangeError(`vGIC: spis must be an integer in 0..${GIC_SPI_NUM}, got ${spis}`);
    }
    this.vcpus = vcpus;
    this.spis = spis;
    this.spiWords = (spis + 31) >>> 5;
    this.words = vcpus + this.spiWords;
    this.group = new Uint32Array(this.words);
    this.enabled = new Uint32Array(this.words);
    this.latch = new Uint32Array(this.words);
    this.line = new Uint32Array(this.words);
    this.edge = new Uint32Array(this.words);
    this.active = new Uint32Array(this.words);
    this.valid = new Uint32Array(this.words);
    this.priority = new Uint8Array(this.words * 32);
    this.irouterLo = new Uint32Array(spis);
    this.irouterHi = new Uint32Array(spis);
    this.spiTarget = new Int32Array(spis);
    this.routeMask = new Uint32Array(vcpus * this.spiWords);
    this.affLo = new Uint32Array(vcpus);
    this.affHi = new Uint32Array(vcpus);
    for (let v = 0; v < vcpus; v++) {
      this.valid[v] = 0xffffffff;
      // Default affinity as QEMU virt lays out a GICv3 machine: 16 PEs per
      // cluster (Aff0 = index % 16, Aff1 = index / 16). The arch replaces it
      // with the vCPU's real MPIDR when it connects the CPU.
      this.affLo[v] = ((v >>> 4) << 8) | (v & 15);
    }
    for (let k = 0; k < this.spiWords; k++) {
      const left = spis - 32 * k;
      this.valid[vcpus + k] = left >= 32 ? 0xffffffff : ((1 << left) - 1) >>> 0;
    }
    this.reset();
  }

  /** Architectural reset: everything Group 0, disabled, idle, priority 0, routed to Aff 0.0.0.0. */
  reset(): void {
    this.group.fill(0);
    this.enabled.fill(0);
    this.latch.fill(0);
    this.active.fill(0);
    this.priority.fill(0);
    this.edge.fill(0);
    for (let v = 0; v < this.vcpus; v++) this.edge[v] = (1 << GIC_SGI_COUNT) - 1;
    this.irouterLo.fill(0);
    this.irouterHi.fill(0);
    this.resolveAllRoutes();
  }

  /** Slot of `intid` as seen from vCPU `vcpu`, or -1 if the INTID is not implemented. */
  slotOf(intid: number, vcpu: number): number {
    if (intid < GIC_SPI_BASE) return intid >= 0 ? vcpu * 32 + intid : -1;
    const n = intid - GIC_SPI_BASE;
    return n < this.spis ? this.vcpus * 32 + n : -1;
  }

  /** Whether the slot is pending (latched, or a level line that is high). */
  isPending(slot: number): boolean {
    const w = slot >>> 5, b = 1 << (slot & 31);
    return ((this.latch[w] | (this.line[w] & ~this.edge[w])) & b) !== 0;
  }

  /** Whether the slot is active. */
  isActive(slot: number): boolean {
    return (this.active[slot >>> 5] & (1 << (slot & 31))) !== 0;
  }

  /** Group (0/1) of the slot. */
  groupOf(slot: number): number {
    return (this.group[slot >>> 5] >>> (slot & 31)) & 1;
  }

  /**
   * Drive the input line of a slot. A rising edge latches an edge-triggered
   * interrupt. Returns true if the slot's pending state may have changed.
   */
  setLine(slot: number, level: boolean): boolean {
    const w = slot >>> 5, b = 1 << (slot & 31);
    const was = (this.line[w] & b) !== 0;
    if (was === level) return false;
    if (level) {
      this.line[w] |= b;
      if (this.edge[w] & b) this.latch[w] |= b;
    } else {
      this.line[w] &= ~b;
    }
    return true;
  }

  /** Set the pending latch of a slot. */
  setPending(slot: number): void {
    this.latch[slot >>> 5] |= 1 << (slot & 31);
  }

  /** Acknowledge: active, latch cleared (a high level line keeps it pending). */
  activate(slot: number): void {
    const w = slot >>> 5, b = 1 << (slot & 31);
    this.active[w] |= b;
    this.latch[w] &= ~b;
  }

  /** Clear the active state of a slot. */
  deactivate(slot: number): void {
    this.active[slot >>> 5] &= ~(1 << (slot & 31));
  }

  /** Write a priority (only the implemented bits are kept). */
  setPriority(slot: number, value: number): void {
    this.priority[slot] = value & PRIORITY_MASK;
  }

  /**
   * Find the highest-priority interrupt vCPU `vcpu` could be signalled: pending,
   * enabled, not active, of a group in `groupMask` (bit 0 = Group 0, bit 1 =
   * Group 1), and (for SPIs) routed to it. Lower priority value wins; on a tie
   * the lower INTID. Results in {@link hpIntid} / {@link hpPriority} /
   * {@link hpGroup}; `hpIntid` is {@link GIC_INTID_SPURIOUS} when there is none.
   */
  highestPending(vcpu: number, groupMask: number): void {
    let bestPrio = 0x100, bestSlot = -1;
    const g0 = (groupMask & 1) !== 0, g1 = (groupMask & 2) !== 0;
    const base = this.vcpus;
    for (let i = -1; i < this.spiWords; i++) {
      const w = i < 0 ? vcpu : base + i;
      const grp = this.group[w];
      let bits = (this.latch[w] | (this.line[w] & ~this.edge[w])) & this.enabled[w] &
        ~this.active[w] & ((g1 ? grp : 0) | (g0 ? ~grp : 0));
      if (i >= 0) bits &= this.routeMask[vcpu * this.spiWords + i];
      while (bits !== 0) {
        const b = ctz32(bits);
        bits &= bits - 1;
        const slot = w * 32 + b;
        const p = this.priority[slot];
        if (p < bestPrio) {
          bestPrio = p;
          bestSlot = slot;
        }
      }
    }
    if (bestSlot < 0) {
      this.hpIntid = GIC_INTID_SPURIOUS;
      this.hpPriority = 0xff;
      this.hpGroup = 0;
      return;
    }
    const w = bestSlot >>> 5;
    this.hpIntid = w < base ? bestSlot & 31 : GIC_SPI_BASE + bestSlot - base * 32;
    this.hpPriority = bestPrio;
    this.hpGroup = this.groupOf(bestSlot);
  }

  /** Set the affinity of a vCPU from its MPIDR value (Aff3 at bits 39:32) and re-route SPIs. */
  setAffinity(vcpu: number, mpidrLo: number, mpidrHi: number): void {
    this.affLo[vcpu] = mpidrLo & AFF210_MASK;
    this.affHi[vcpu] = mpidrHi & 0xff;
    this.resolveAllRoutes();
  }

  /** Find the vCPU with affinity `lo` (Aff2.Aff1.Aff0) / `hi` (Aff3), or -1. */
  vcpuByAffinity(lo: number, hi: number): number {
    lo &= AFF210_MASK;
    hi &= 0xff;
    for (let v = 0; v < this.vcpus; v++) {
      if (this.affLo[v] === lo && this.affHi[v] === hi) return v;
    }
    return -1;
  }

  /** Write GICD_IROUTER for SPI `n` (0-based) and recompute its route. */
  setRoute(n: number, lo: number, hi: number): void {
    this.irouterLo[n] = lo;
    this.irouterHi[n] = hi;
    this.resolveRoute(n);
  }

  /** Recompute every SPI's route (after affinities change or at reset). */
  resolveAllRoutes(): void {
    for (let n = 0; n < this.spis; n++) this.resolveRoute(n);
  }

  private resolveRoute(n: number): void {
    const lo = this.irouterLo[n];
    const target = (lo & GICD_IROUTER_IRM) !== 0
      ? ROUTE_ANY
      : this.vcpuByAffinity(lo, this.irouterHi[n]);
    this.spiTarget[n] = target < 0 && target !== ROUTE_ANY ? ROUTE_NONE : target;
    const k = n >>> 5, b = 1 << (n & 31);
    for (let v = 0; v < this.vcpus; v++) {
      const i = v * this.spiWords + k;
      if (target === ROUTE_ANY || target === v) this.routeMask[i] |= b;
      else this.routeMask[i] &= ~b;
    }
  }
}
