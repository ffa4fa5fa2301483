/**
 * The GICv3 redistributors (GICR_*) of all vCPUs as one MMIO region: for
 * vCPU `i`, the RD_base frame at `i * 0x20000` and the SGI_base frame 64 KiB
 * above it (IHI 0069 §12.10, §12.11).
 *
 * RD_base: GICR_CTLR (no LPIs: EnableLPIs, RWP and UWP read 0), GICR_IIDR,
 * GICR_TYPER (64-bit: Processor_Number, Affinity_Value from the vCPU's MPIDR,
 * Last on the final redistributor, PLPIS = 0), GICR_STATUSR (RAZ/WI),
 * GICR_WAKER (ProcessorSleep writable; ChildrenAsleep follows it at once, so
 * the handshake Linux polls completes immediately), identification
 * registers. SGI_base: the SGI/PPI bitmaps, IPRIORITYR0..7 (byte access),
 * ICFGR0 (SGIs: always edge, read-only), ICFGR1 (PPIs: programmable),
 * IGRPMODR0 and NSACR (RAZ/WI with one Security state). Everything else,
 * including the LPI registers, is RAZ/WI.
 *
 * GICR_WAKER.ProcessorSleep does not gate delivery: like QEMU's model, the
 * bit is state only.
 *
 * @module
 */
import { MmioResult } from "@gunyah-ts/core/plugin";
import type { MmioData, MmioRegion } from "@gunyah-ts/core/plugin";
import type { GicLink } from "./gic_link.ts";
import { readBitmapWord, readConfigWord, writeBitmapWord, writeConfigWord } from "./bitmap_regs.ts";
import {
  GIC_IDREGS_BASE,
  GIC_IIDR,
  GIC_SGI_COUNT,
  GICR_ICACTIVER0,
  GICR_ICFGR0,
  GICR_ICFGR1,
  GICR_IDREGS,
  GICR_IGROUPR0,
  GICR_IIDR,
  GICR_IPRIORITYR0,
  GICR_SGI_BASE,
  GICR_STRIDE,
  GICR_TYPER,
  GICR_TYPER_LAST,
  GICR_TYPER_PROCNUM_SHIFT,
  GICR_WAKER,
  GICR_WAKER_CHILDREN_ASLEEP,
  GICR_WAKER_PROCESSOR_SLEEP,
} from "./registers.ts";

/** SGIs are edge-triggered only: their ICFGR bits are fixed. */
const SGI_EDGE_MASK = (1 << GIC_SGI_COUNT) - 1;

/** The redistributors of one vGIC. */
export class GicRedistributors implements MmioRegion {
  readonly base: number;
  readonly size: number;
  readonly #link: GicLink;
  /** GICR_WAKER.ProcessorSleep per vCPU (1 = asleep; reset value 1). */
  readonly processorSleep: Uint8Array;

  constructor(base: number, link: GicLink) {
    this.base = base;
    this.#link = link;
    this.size = link.state.vcpus * GICR_STRIDE;
    this.processorSleep = new Uint8Array(link.state.vcpus);
    this.reset();
  }

  /** Reset: every redistributor asleep (ProcessorSleep = ChildrenAsleep = 1). */
  reset(): void {
    this.processorSleep.fill(1);
  }

  /** GICR_TYPER low word of redistributor `v`. */
  typerLo(v: number): number {
    const state = this.#link.state;
    return ((v << GICR_TYPER_PROCNUM_SHIFT) |
      (v === state.vcpus - 1 ? GICR_TYPER_LAST : 0)) >>> 0;
  }

  /** GICR_TYPER high word of redistributor `v`: Affinity_Value = Aff3.Aff2.Aff1.Aff0. */
  typerHi(v: number): number {
    const state = this.#link.state;
    return ((state.affHi[v] << 24) | state.affLo[v]) >>> 0;
  }

  read(offset: number, size: number, _vcpu: number, out: MmioData): MmioResult {
    out.lo = 0;
    out.hi = 0;
    const v = Math.floor(offset / GICR_STRIDE);
    const off = offset - v * GICR_STRIDE;
    if (off >= GICR_SGI_BASE) {
      this.#readSgiBase(v, off - GICR_SGI_BASE, size, out);
      return MmioResult.Handled;
    }
    if (off === GICR_TYPER && size === 8) {
      out.lo = this.typerLo(v);
      out.hi = this.typerHi(v);
      return MmioResult.Handled;
    }
    if (size !== 4 || (off & 3) !== 0) return MmioResult.Handled;
    if (off >= GIC_IDREGS_BASE) {
      out.lo = GICR_IDREGS[(off - GIC_IDREGS_BASE) >>> 2];
      return MmioResult.Handled;
    }
    switch (off) {
      case GICR_IIDR:
        out.lo = GIC_IIDR;
        break;
      case GICR_TYPER:
        out.lo = this.typerLo(v);
        break;
      case GICR_TYPER + 4:
        out.lo = this.typerHi(v);
        break;
      case GICR_WAKER:
        out.lo = this.processorSleep[v] !== 0
          ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP
          : 0;
        break;
    }
    return MmioResult.Handled;
  }

  write(offset: number, size: number, lo: number, _hi: number, _vcpu: number): MmioResult {
    const v = Math.floor(offset / GICR_STRIDE);
    const off = offset - v * GICR_STRIDE;
    if (off >= GICR_SGI_BASE) {
      this.#writeSgiBase(v, off - GICR_SGI_BASE, size, lo);
      return MmioResult.Handled;
    }
    if (size === 4 && off === GICR_WAKER) {
      this.processorSleep[v] = (lo & GICR_WAKER_PROCESSOR_SLEEP) !== 0 ? 1 : 0;
    }
    return MmioResult.Handled;
  }

  #readSgiBase(v: number, off: number, size: number, out: MmioData): void {
    const state = this.#link.state;
    if (off >= GICR_IPRIORITYR0 && off < GICR_IPRIORITYR0 + 32) {
      if (size !== 1 && size !== 2 && size !== 4) return;
      let value = 0;
      for (let i = 0; i < size; i++) {
        const intid = off - GICR_IPRIORITYR0 + i;
        if (intid < 32) value |= state.priority[v * 32 + intid] << (8 * i);
      }
      out.lo = value >>> 0;
      return;
    }
    if (size !== 4 || (off & 3) !== 0) return;
    if (off >= GICR_IGROUPR0 && off < GICR_ICACTIVER0 + 4) {
      if ((off & 0x7f) === 0) out.lo = readBitmapWord(state, off, v);
    } else if (off === GICR_ICFGR0) {
      out.lo = readConfigWord(state, v, 0);
    } else if (off === GICR_ICFGR1) {
      out.lo = readConfigWord(state, v, 16);
    } else if (off >= GIC_IDREGS_BASE) {
      out.lo = GICR_IDREGS[(off - GIC_IDREGS_BASE) >>> 2];
    }
  }

  #writeSgiBase(v: number, off: number, size: number, lo: number): void {
    const link = this.#link, state = link.state;
    if (off >= GICR_IPRIORITYR0 && off < GICR_IPRIORITYR0 + 32) {
      if (size !== 1 && size !== 2 && size !== 4) return;
      for (let i = 0; i < size; i++) {
        const intid = off - GICR_IPRIORITYR0 + i;
        if (intid < 32) state.setPriority(v * 32 + intid, (lo >>> (8 * i)) & 0xff);
      }
      link.update(v);
      return;
    }
    if (size !== 4 || (off & 3) !== 0) return;
    if (off >= GICR_IGROUPR0 && off < GICR_ICACTIVER0 + 4) {
      if ((off & 0x7f) === 0 && writeBitmapWord(state, off, v, lo)) link.update(v);
    } else if (off === GICR_ICFGR1) {
      writeConfigWord(state, v, 16, lo, SGI_EDGE_MASK);
      link.update(v);
    }
  }
}
