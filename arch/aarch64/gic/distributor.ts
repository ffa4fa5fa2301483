/**
 * The GICv3 distributor frame (GICD_*, 64 KiB) as an MMIO region.
 *
 * Configuration: one Security state (GICD_CTLR.DS reads 1, RAO/WI), affinity
 * routing always on (GICD_CTLR.ARE RAO/WI), no LPIs, no message-based SPIs,
 * no extended SPI range. With affinity routing on, the distributor's copies
 * of the SGI/PPI registers (the first word of each bitmap, IPRIORITYR0..7,
 * ICFGR0..1) are RAZ/WI: those interrupts live in the redistributors. With
 * DS = 1, GICD_IGRPMODR and GICD_NSACR are RAZ/WI. GICD_ITARGETSR,
 * GICD_SGIR, GICD_CPENDSGIR and GICD_SPENDSGIR are legacy (ARE = 0)
 * registers and read as zero. Reserved offsets are RAZ/WI. Writes take
 * effect at once, so GICD_CTLR.RWP is always 0. (IHI 0069 §12.9.)
 *
 * @module
 */
import { MmioResult } from "@gunyah-ts/core/plugin";
import type { MmioData, MmioRegion } from "@gunyah-ts/core/plugin";
import type { GicLink } from "./gic_link.ts";
import {
  GIC_IDREGS_BASE,
  GIC_IIDR,
  GIC_SPI_BASE,
  GICD_CTLR,
  GICD_CTLR_ARE,
  GICD_CTLR_DS,
  GICD_CTLR_ENABLE_GRP0,
  GICD_CTLR_ENABLE_GRP1,
  GICD_ICACTIVER,
  GICD_ICFGR,
  GICD_IDREGS,
  GICD_IGROUPR,
  GICD_IIDR,
  GICD_IPRIORITYR,
  GICD_IROUTER,
  GICD_IROUTER_END,
  GICD_IROUTER_HI_MASK,
  GICD_IROUTER_LO_MASK,
  GICD_SIZE,
  GICD_TYPER,
  GICD_TYPER_A3V,
  GICD_TYPER_CPUNUMBER_SHIFT,
  GICD_TYPER_IDBITS_SHIFT,
  GICD_TYPER_ITLINES_SHIFT,
  INTID_BITS,
} from "./registers.ts";
import { readBitmapWord, readConfigWord, writeBitmapWord, writeConfigWord } from "./bitmap_regs.ts";

/** The bitmap register blocks: IGROUPR .. ICACTIVER, 0x80 bytes each. */
const BITMAP_BLOCK_FIRST = GICD_IGROUPR;
const BITMAP_BLOCK_END = GICD_ICACTIVER + 0x80;
/** End of the GICD_IPRIORITYR array (1020 bytes, word aligned). */
const IPRIORITYR_END = GICD_IPRIORITYR + 1020;
/** End of the GICD_ICFGR array (64 words). */
const ICFGR_END = GICD_ICFGR + 0x100;

/** The distributor of one vGIC. */
export class GicDistributor implements MmioRegion {
  readonly base: number;
  readonly size: number = GICD_SIZE;
  readonly #link: GicLink;
  readonly #typer: number;

  constructor(base: number, link: GicLink) {
    this.base = base;
    this.#link = link;
    const state = link.state;
    // ITLinesNumber: INTIDs up to 32 * (N + 1) - 1 (IHI 0069 §12.9.38).
    const itLines = ((GIC_SPI_BASE + state.spis + 31) >>> 5) - 1;
    // CPUNumber counts the PEs usable with affinity routing off; ARE is
    // RAO/WI here, so the field is 000 (IHI 0069 §12.9.38; QEMU reports 0 too).
    this.#typer = (itLines << GICD_TYPER_ITLINES_SHIFT) |
      (0 << GICD_TYPER_CPUNUMBER_SHIFT) |
      ((INTID_BITS - 1) << GICD_TYPER_IDBITS_SHIFT) |
      GICD_TYPER_A3V;
  }

  /** GICD_CTLR as the guest reads it. */
  get ctlr(): number {
    return this.#link.groupEnables | GICD_CTLR_ARE | GICD_CTLR_DS;
  }

  /** Read `size` bytes at `offset`; unimplemented and reserved registers read as zero. */
  read(offset: number, size: number, _vcpu: number, out: MmioData): MmioResult {
    out.lo = 0;
    out.hi = 0;
    if (offset >= GICD_IROUTER && offset < GICD_IROUTER_END) {
      this.#readIrouter(offset, size, out);
      return MmioResult.Handled;
    }
    if (offset >= GICD_IPRIORITYR && offset < IPRIORITYR_END) {
      out.lo = this.#readPriorities(offset, size);
      return MmioResult.Handled;
    }
    if (size !== 4 || (offset & 3) !== 0) return MmioResult.Handled;
    const state = this.#link.state;
    if (offset >= BITMAP_BLOCK_FIRST && offset < BITMAP_BLOCK_END) {
      const n = (offset & 0x7f) >>> 2;
      if (n === 0 || n > state.spiWords) return MmioResult.Handled;
      out.lo = readBitmapWord(state, offset & ~0x7f, state.vcpus + n - 1);
      return MmioResult.Handled;
    }
    if (offset >= GICD_ICFGR && offset < ICFGR_END) {
      const n = (offset - GICD_ICFGR) >>> 2; // 16 INTIDs per word
      if (n < 2 || n >= 2 + 2 * state.spiWords) return MmioResult.Handled;
      out.lo = readConfigWord(state, state.vcpus + ((n - 2) >>> 1), (n & 1) * 16);
      return MmioResult.Handled;
    }
    if (offset >= GIC_IDREGS_BASE) {
      out.lo = GICD_IDREGS[(offset - GIC_IDREGS_BASE) >>> 2];
      return MmioResult.Handled;
    }
    switch (offset) {
      case GICD_CTLR:
        out.lo = this.ctlr;
        break;
      case GICD_TYPER:
        out.lo = this.#typer;
        break;
      case GICD_IIDR:
        out.lo = GIC_IIDR;
        break;
    }
    return MmioResult.Handled;
  }

  /** Write `size` bytes at `offset`; read-only, unimplemented and reserved registers ignore it. */
  write(offset: number, size: number, lo: number, hi: number, _vcpu: number): MmioResult {
    if (offset >= GICD_IROUTER && offset < GICD_IROUTER_END) {
      this.#writeIrouter(offset, size, lo, hi);
      return MmioResult.Handled;
    }
    if (offset >= GICD_IPRIORITYR && offset < IPRIORITYR_END) {
      this.#writePriorities(offset, size, lo);
      return MmioResult.Handled;
    }
    if (size !== 4 || (offset & 3) !== 0) return MmioResult.Handled;
    const link = this.#link, state = link.state;
    if (offset >= BITMAP_BLOCK_FIRST && offset < BITMAP_BLOCK_END) {
      const n = (offset & 0x7f) >>> 2;
      if (n === 0 || n > state.spiWords) return MmioResult.Handled;
      if (writeBitmapWord(state, offset & ~0x7f, state.vcpus + n - 1, lo)) link.updateAll();
      return MmioResult.Handled;
    }
    if (offset >= GICD_ICFGR && offset < ICFGR_END) {
      const n = (offset - GICD_ICFGR) >>> 2;
      if (n < 2 || n >= 2 + 2 * state.spiWords) return MmioResult.Handled;
      writeConfigWord(state, state.vcpus + ((n - 2) >>> 1), (n & 1) * 16, lo, 0);
      link.updateAll();
      return MmioResult.Handled;
    }
    if (offset === GICD_CTLR) {
      link.setGroupEnables(lo & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1));
    }
    return MmioResult.Handled;
  }

  #readIrouter(offset: number, size: number, out: MmioData): void {
    const n = ((offset - GICD_IROUTER) >>> 3) - GIC_SPI_BASE;
    const state = this.#link.state;
    if (n < 0 || n >= state.spis) return;
    const high = (offset & 4) !== 0;
    if (size === 8 && !high) {
      out.lo = state.irouterLo[n];
      out.hi = state.irouterHi[n];
    } else if (size === 4) {
      out.lo = high ? state.irouterHi[n] : state.irouterLo[n];
    }
  }

  #writeIrouter(offset: number, size: number, lo: number, hi: number): void {
    const n = ((offset - GICD_IROUTER) >>> 3) - GIC_SPI_BASE;
    const state = this.#link.state;
    if (n < 0 || n >= state.spis) return;
    const high = (offset & 4) !== 0;
    let newLo = state.irouterLo[n], newHi = state.irouterHi[n];
    if (size === 8 && !high) {
      newLo = lo;
      newHi = hi;
    } else if (size === 4) {
      if (high) newHi = lo;
      else newLo = lo;
    } else {
      return;
    }
    state.setRoute(n, (newLo & GICD_IROUTER_LO_MASK) >>> 0, newHi & GICD_IROUTER_HI_MASK);
    this.#link.updateAll();
  }

  #readPriorities(offset: number, size: number): number {
    if (size !== 1 && size !== 2 && size !== 4) return 0;
    const state = this.#link.state;
    let value = 0;
    for (let i = 0; i < size; i++) {
      const intid = offset - GICD_IPRIORITYR + i;
      if (intid < GIC_SPI_BASE) continue;
      const slot = state.slotOf(intid, 0);
      if (slot >= 0) value |= state.priority[slot] << (8 * i);
    }
    return value >>> 0;
  }

  #writePriorities(offset: number, size: number, lo: number): void {
    if (size !== 1 && size !== 2 && size !== 4) return;
    const state = this.#link.state;
    for (let i = 0; i < size; i++) {
      const intid = offset - GICD_IPRIORITYR + i;
      if (intid < GIC_SPI_BASE) continue;
      const slot = state.slotOf(intid, 0);
      if (slot >= 0) state.setPriority(slot, (lo >>> (8 * i)) & 0xff);
    }
    this.#link.updateAll();
  }
}
