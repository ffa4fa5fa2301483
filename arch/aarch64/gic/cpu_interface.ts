/**
 * The GICv3 CPU interface of one vCPU: the ICC_*_EL1 system registers
 * (IHI 0069 §12.2), priority masking, the active-priority registers that
 * implement preemption, acknowledge / priority drop / deactivation.
 *
 * Configuration modelled: one Security state (GICD_CTLR.DS = 1), no EL2/EL3
 * visible to the guest, system-register interface only (ICC_SRE_EL1.SRE is
 * RAO/WI), five priority and preemption bits (as QEMU's emulated GICv3), so a
 * single ICC_AP0R0/ICC_AP1R0 register with one bit per group priority.
 * Group 1 interrupts are signalled as IRQ, Group 0 as FIQ.
 *
 * The register access API (`readSysreg` / `writeSysreg` returning whether the
 * register exists, read data in `dataLo`/`dataHi`) is the one the system
 * register layer (arch/aarch64/sys/system_cpu.ts, `GicSysregInterface`)
 * delegates ICC_* accesses to.
 *
 * @module
 */
import {
  BPR0_MIN,
  BPR1_MIN,
  GIC_INTID_SPECIAL_FIRST,
  GIC_INTID_SPURIOUS,
  PREEMPTION_BITS,
  PRIORITY_BITS,
  PRIORITY_IDLE,
  PRIORITY_MASK,
} from "./registers.ts";
import {
  ICC_AP0R0_EL1,
  ICC_AP1R0_EL1,
  ICC_APR_COUNT,
  ICC_APR_IMPLEMENTED,
  ICC_ASGI1R_EL1,
  ICC_BPR0_EL1,
  ICC_BPR1_EL1,
  ICC_CTLR_A3V,
  ICC_CTLR_CBPR,
  ICC_CTLR_EL1,
  ICC_CTLR_EOIMODE,
  ICC_CTLR_PRIBITS_SHIFT,
  ICC_CTLR_WRITABLE,
  ICC_DIR_EL1,
  ICC_EOIR0_EL1,
  ICC_EOIR1_EL1,
  ICC_HPPIR0_EL1,
  ICC_HPPIR1_EL1,
  ICC_IAR0_EL1,
  ICC_IAR1_EL1,
  ICC_IGRPEN0_EL1,
  ICC_IGRPEN1_EL1,
  ICC_PMR_EL1,
  ICC_RPR_EL1,
  ICC_SGI0R_EL1,
  ICC_SGI1R_EL1,
  ICC_SRE_EL1,
  ICC_SRE_VALUE,
} from "./icc_sysregs.ts";
import { type GicLink, SgiKind } from "./gic_link.ts";

/** Shift from an active-priority bit number to the group priority it stands for. */
const APR_SHIFT = 8 - PREEMPTION_BITS;

/** ICC_CTLR_EL1 read-only fields: PRIbits, IDbits = 0 (16-bit INTIDs), A3V = 1, SEIS = 0. */
const ICC_CTLR_RO = ((PRIORITY_BITS - 1) << ICC_CTLR_PRIBITS_SHIFT) | ICC_CTLR_A3V;

/** Count trailing zeros of a non-zero 32-bit value. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** The ICC_* state of one vCPU. */
export class GicCpuInterface {
  /** Index of the vCPU (and of its redistributor). */
  readonly index: number;
  /** Low 32 bits of the last successful {@link readSysreg}. */
  dataLo = 0;
  /** High 32 bits of the last successful {@link readSysreg}. */
  dataHi = 0;

  /** ICC_PMR_EL1 (implemented bits only). */
  pmr = 0;
  /** ICC_BPR0_EL1. */
  bpr0: number = BPR0_MIN;
  /** ICC_BPR1_EL1 (its own value; reads show BPR0 + 1 while CBPR is set). */
  bpr1: number = BPR1_MIN;
  /** Writable bits of ICC_CTLR_EL1 (CBPR, EOImode, PMHE). */
  ctlr = 0;
  /** ICC_IGRPEN0_EL1.Enable. */
  igrpen0 = 0;
  /** ICC_IGRPEN1_EL1.Enable. */
  igrpen1 = 0;
  /** ICC_AP0R<n>_EL1 (only n = 0 is implemented; the rest are RAZ/WI). */
  readonly ap0: Uint32Array = new Uint32Array(ICC_APR_COUNT);
  /** ICC_AP1R<n>_EL1. */
  readonly ap1: Uint32Array = new Uint32Array(ICC_APR_COUNT);

  readonly #link: GicLink;

  constructor(index: number, link: GicLink) {
    this.index = index;
    this.#link = link;
  }

  /** Reset values (IHI 0069 §12.2: PMR 0, BPRs at their minimum, groups disabled). */
  reset(): void {
    this.pmr = 0;
    this.bpr0 = BPR0_MIN;
    this.bpr1 = BPR1_MIN;
    this.ctlr = 0;
    this.igrpen0 = 0;
    this.igrpen1 = 0;
    this.ap0.fill(0);
    this.ap1.fill(0);
  }

  /** Group enables of this interface: bit 0 Group 0, bit 1 Group 1. */
  get groupEnables(): number {
    return this.igrpen0 | (this.igrpen1 << 1);
  }

  /** ICC_RPR_EL1: the group priority of the highest active priority, or 0xFF when idle. */
  runningPriority(): number {
    const bits = this.ap0[0] | this.ap1[0];
    return bits === 0 ? PRIORITY_IDLE : ctz32(bits) << APR_SHIFT;
  }

  /**
   * Mask selecting the group-priority field of a priority for `group`
   * (IHI 0069 §4.8.3, "Priority grouping"): Group 0 uses BPR0 with the field
   * [7:BPR0+1]; Group 1 uses BPR1 with the field [7:BPR1], or behaves as
   * Group 0 when ICC_CTLR_EL1.CBPR is set.
   */
  groupPriorityMask(group: number): number {
    if (group === 0 || (this.ctlr & ICC_CTLR_CBPR) !== 0) {
      return (0xff << (this.bpr0 + 1)) & 0xff;
    }
    return (0xff << this.bpr1) & 0xff;
  }

  /**
   * Whether an interrupt of `priority`/`group` would be signalled now: above
   * the priority mask and, if something is active, of a higher group priority
   * than the running priority (preemption).
   */
  canSignal(priority: number, group: number): boolean {
    if (priority >= this.pmr) return false;
    const running = this.runningPriority();
    if (running === PRIORITY_IDLE) return true;
    const mask = this.groupPriorityMask(group);
    return (priority & mask) < (running & mask);
  }

  /**
   * ICC_IAR0/1_EL1: acknowledge the highest-priority pending interrupt of
   * `group` if it can be signalled, else return 1023 (spurious).
   */
  acknowledge(group: number): number {
    const link = this.#link, state = link.state;
    state.highestPending(this.index, link.groupEnables & link.cpuGroupEnables(this.index));
    const intid = state.hpIntid;
    if (intid === GIC_INTID_SPURIOUS || state.hpGroup !== group) return GIC_INTID_SPURIOUS;
    const priority = state.hpPriority;
    if (!this.canSignal(priority, group)) return GIC_INTID_SPURIOUS;
    const slot = state.slotOf(intid, this.index);
    state.activate(slot);
    const bit = (priority & this.groupPriorityMask(group)) >>> APR_SHIFT;
    if (group === 0) this.ap0[0] |= 1 << bit;
    else this.ap1[0] |= 1 << bit;
    // The slot was visible to this vCPU, so this re-evaluates it (with the
    // new running priority) and any other vCPU an IRM = 1 SPI was offered to.
    link.slotChanged(slot);
    return intid;
  }

  /** ICC_HPPIR0/1_EL1: the highest-priority pending interrupt if it is of `group`, else 1023. */
  highestPendingOf(group: number): number {
    const link = this.#link, state = link.state;
    state.highestPending(this.index, link.groupEnables & link.cpuGroupEnables(this.index));
    return state.hpIntid !== GIC_INTID_SPURIOUS && state.hpGroup === group
      ? state.hpIntid
      : GIC_INTID_SPURIOUS;
  }

  /**
   * ICC_EOIR0/1_EL1: drop the running priority (if the highest active priority
   * belongs to `group`), and deactivate `intid` unless ICC_CTLR_EL1.EOImode
   * splits the two. Special INTIDs (1020..1023) are ignored.
   */
  endOfInterrupt(group: number, intid: number): void {
    intid &= 0xffffff;
    if (intid >= GIC_INTID_SPECIAL_FIRST && intid <= GIC_INTID_SPURIOUS) return;
    const a0 = this.ap0[0], a1 = this.ap1[0];
    const both = a0 | a1;
    if (both === 0) return;
    const bit = ctz32(both);
    const activeGroup = ((a0 >>> bit) & 1) !== 0 ? 0 : 1;
    if (activeGroup !== group) return;
    if (group === 0) this.ap0[0] = a0 & ~(1 << bit);
    else this.ap1[0] = a1 & ~(1 << bit);
    if ((this.ctlr & ICC_CTLR_EOIMODE) === 0) this.deactivate(intid);
    this.#link.update(this.index);
  }

  /** ICC_DIR_EL1: deactivate `intid` (only meaningful with EOImode = 1; ignored otherwise). */
  deactivateInterrupt(intid: number): void {
    if ((this.ctlr & ICC_CTLR_EOIMODE) === 0) return;
    this.deactivate(intid & 0xffffff);
  }

  private deactivate(intid: number): void {
    const state = this.#link.state;
    const slot = state.slotOf(intid, this.index);
    if (slot < 0) return;
    state.deactivate(slot);
    this.#link.slotChanged(slot);
  }

  /** MRS of an ICC register. Returns false if `key` is not a readable ICC register. */
  readSysreg(key: number): boolean {
    let lo = 0;
    switch (key) {
      case ICC_PMR_EL1:
        lo = this.pmr;
        break;
      case ICC_IAR0_EL1:
        lo = this.acknowledge(0);
        break;
      case ICC_IAR1_EL1:
        lo = this.acknowledge(1);
        break;
      case ICC_HPPIR0_EL1:
        lo = this.highestPendingOf(0);
        break;
      case ICC_HPPIR1_EL1:
        lo = this.highestPendingOf(1);
        break;
      case ICC_BPR0_EL1:
        lo = this.bpr0;
        break;
      case ICC_BPR1_EL1:
        lo = (this.ctlr & ICC_CTLR_CBPR) !== 0 ? Math.min(this.bpr0 + 1, 7) : this.bpr1;
        break;
      case ICC_RPR_EL1:
        lo = this.runningPriority();
        break;
      case ICC_CTLR_EL1:
        lo = this.ctlr | ICC_CTLR_RO;
        break;
      case ICC_SRE_EL1:
        lo = ICC_SRE_VALUE;
        break;
      case ICC_IGRPEN0_EL1:
        lo = this.igrpen0;
        break;
      case ICC_IGRPEN1_EL1:
        lo = this.igrpen1;
        break;
      default: {
        const n0 = key - ICC_AP0R0_EL1, n1 = key - ICC_AP1R0_EL1;
        if (n0 >= 0 && n0 < ICC_APR_COUNT) lo = n0 < ICC_APR_IMPLEMENTED ? this.ap0[n0] : 0;
        else if (n1 >= 0 && n1 < ICC_APR_COUNT) lo = n1 < ICC_APR_IMPLEMENTED ? this.ap1[n1] : 0;
        else return false;
      }
    }
    this.dataLo = lo >>> 0;
    this.dataHi = 0;
    return true;
  }

  /** MSR to an ICC register. Returns false if `key` is not a writable ICC register. */
  writeSysreg(key: number, lo: number, hi: number): boolean {
    switch (key) {
      case ICC_PMR_EL1:
        this.pmr = lo & PRIORITY_MASK;
        break;
      case ICC_EOIR0_EL1:
        this.endOfInterrupt(0, lo);
        return true;
      case ICC_EOIR1_EL1:
        this.endOfInterrupt(1, lo);
        return true;
      case ICC_DIR_EL1:
        this.deactivateInterrupt(lo);
        return true;
      case ICC_BPR0_EL1:
        this.bpr0 = Math.max(lo & 7, BPR0_MIN);
        break;
      case ICC_BPR1_EL1:
        if ((this.ctlr & ICC_CTLR_CBPR) !== 0) return true;
        this.bpr1 = Math.max(lo & 7, BPR1_MIN);
        break;
      case ICC_CTLR_EL1:
        this.ctlr = lo & ICC_CTLR_WRITABLE;
        break;
      case ICC_SRE_EL1:
        return true; // SRE, DFB, DIB are RAO/WI.
      case ICC_IGRPEN0_EL1:
        this.igrpen0 = lo & 1;
        break;
      case ICC_IGRPEN1_EL1:
        this.igrpen1 = lo & 1;
        break;
      case ICC_SGI0R_EL1:
        this.#link.sendSgi(this.index, lo, hi, SgiKind.Group0);
        return true;
      case ICC_SGI1R_EL1:
        this.#link.sendSgi(this.index, lo, hi, SgiKind.Group1);
        return true;
      case ICC_ASGI1R_EL1:
        this.#link.sendSgi(this.index, lo, hi, SgiKind.AlternateGroup1);
        return true;
      default: {
        const n0 = key - ICC_AP0R0_EL1, n1 = key - ICC_AP1R0_EL1;
        if (n0 >= 0 && n0 < ICC_APR_COUNT) {
          if (n0 < ICC_APR_IMPLEMENTED) this.ap0[n0] = lo;
        } else if (n1 >= 0 && n1 < ICC_APR_COUNT) {
          if (n1 < ICC_APR_IMPLEMENTED) this.ap1[n1] = lo;
        } else {
          return false;
        }
      }
    }
    this.#link.update(this.index);
    return true;
  }
}
