/**
 * The Generic Timer of one vCPU: the system counter as seen through
 * CNTPCT_EL0/CNTVCT_EL0, and the EL1 physical (CNTP_*) and virtual (CNTV_*)
 * timers, which drive PPIs 30 and 27 of the vCPU as level-sensitive lines.
 *
 * Time is virtual and deterministic: the counter is the core's virtual clock
 * at the start of the current run slice plus the instructions this vCPU
 * retired since, times `nsPerInstruction`, converted to ticks at
 * {@link CNTFRQ_HZ}. CNTVOFF_EL2 is 0 (EL2 is the hypervisor, which uses no
 * offset), so the virtual and physical counts are equal.
 *
 * Register semantics: DDI 0487, D11 "The Generic Timer in AArch64 state" and
 * D17.8 (CNTP_CTL_EL0, CNTP_CVAL_EL0, CNTP_TVAL_EL0 and the CNTV_* twins).
 *
 * @module
 */
import type { InterruptController, VirtualClockReader } from "@gunyah-ts/core/plugin";

/** Counter frequency: 62.5 MHz, as QEMU's virt platform and Gunyah on it report in CNTFRQ_EL0. */
export const CNTFRQ_HZ = 62_500_000;
/** Nanoseconds per counter tick at {@link CNTFRQ_HZ} (exactly 16). */
export const NS_PER_TICK = 1e9 / CNTFRQ_HZ;

/** GIC INTID of the EL1 virtual timer (PPI 11; platform-facts: virtual timer 27). */
export const VIRTUAL_TIMER_INTID = 27;
/** GIC INTID of the EL1 non-secure physical timer (PPI 14; platform-facts: 30). */
export const PHYSICAL_TIMER_INTID = 30;

/** CNTx_CTL_EL0.ENABLE (bit 0). */
export const CNT_CTL_ENABLE = 1;
/** CNTx_CTL_EL0.IMASK (bit 1). */
export const CNT_CTL_IMASK = 2;
/** CNTx_CTL_EL0.ISTATUS (bit 2, read-only). */
export const CNT_CTL_ISTATUS = 4;

/** Which of the two EL1 timers. */
export const enum TimerId {
  Physical = 0,
  Virtual = 1,
}

const TWO32 = 0x100000000;

/** The counter and both timers of one vCPU. */
export class GenericTimer {
  /** CNTx_CTL_EL0 ENABLE|IMASK per timer (ISTATUS is computed). */
  readonly ctl: Uint8Array = new Uint8Array(2);
  /** CNTx_CVAL_EL0 low halves per timer. */
  readonly cvalLo: Uint32Array = new Uint32Array(2);
  /** CNTx_CVAL_EL0 high halves per timer. */
  readonly cvalHi: Uint32Array = new Uint32Array(2);
  /** Level currently driven on each timer's PPI. */
  readonly lineLevel: Uint8Array = new Uint8Array(2);
  /** CNTKCTL_EL1 (EL0 access controls; event stream bits stored). */
  cntkctl = 0;

  /** Retired-instruction count of the vCPU when the current slice began. */
  sliceRetired = 0;
  /** Virtual time (ns) when the current slice began. */
  sliceNow = 0;

  /** Low half of the last {@link readCounter} value. */
  countLo = 0;
  /** High half of the last {@link readCounter} value. */
  countHi = 0;

  readonly #irq: InterruptController;
  readonly #clock: VirtualClockReader;
  readonly #vcpu: number;

  /** A timer driving PPIs of vCPU `vcpuIndex` on `irq`, reading time from `clock`. */
  constructor(irq: InterruptController, clock: VirtualClockReader, vcpuIndex: number) {
    this.#irq = irq;
    this.#clock = clock;
    this.#vcpu = vcpuIndex;
  }

  /** Reset both timers (CTL.ENABLE = 0) and drop their lines. */
  reset(): void {
    this.ctl.fill(0);
    this.cvalLo.fill(0);
    this.cvalHi.fill(0);
    this.cntkctl = 0;
    this.#drive(TimerId.Physical, false);
    this.#drive(TimerId.Virtual, false);
  }

  /**
   * Start of a run slice: remember where virtual time and the retired count
   * stand, and bring both timer lines up to date. The run loop calls this
   * before executing the slice's first instruction.
   */
  beginSlice(retiredTotal: number): void {
    this.sliceRetired = retiredTotal;
    this.sliceNow = this.#clock.now;
    this.update(retiredTotal);
  }

  /** Virtual time (ns) after `retiredTotal` instructions. */
  nowNs(retiredTotal: number): number {
    return this.sliceNow + (retiredTotal - this.sliceRetired) * this.#clock.nsPerInstruction;
  }

  /** Counter value in ticks (a double; exact below 2^53). */
  ticks(retiredTotal: number): number {
    return Math.floor(this.nowNs(retiredTotal) / NS_PER_TICK);
  }

  /** Read CNTPCT_EL0 / CNTVCT_EL0 (equal: CNTVOFF is 0); returns the low half, high in `countHi`. */
  readCounter(retiredTotal: number): number {
    const t = this.ticks(retiredTotal);
    this.countHi = Math.floor(t / TWO32) >>> 0;
    this.countLo = t >>> 0;
    return this.countLo;
  }

  /** Whether the condition CNT >= CVAL holds for timer `id` at `retiredTotal`. */
  conditionMet(id: TimerId, retiredTotal: number): boolean {
    this.readCounter(retiredTotal);
    const ch = this.cvalHi[id];
    return this.countHi > ch || (this.countHi === ch && this.countLo >= this.cvalLo[id]);
  }

  /** CNTx_CTL_EL0 value including ISTATUS. */
  readCtl(id: TimerId, retiredTotal: number): number {
    const c = this.ctl[id];
    if ((c & CNT_CTL_ENABLE) !== 0 && this.conditionMet(id, retiredTotal)) {
      return c | CNT_CTL_ISTATUS;
    }
    return c;
  }

  /** Write CNTx_CTL_EL0 (ENABLE and IMASK are writable; ISTATUS is read-only). */
  writeCtl(id: TimerId, value: number, retiredTotal: number): void {
    this.ctl[id] = value & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
    this.update(retiredTotal);
  }

  /** Write CNTx_CVAL_EL0. */
  writeCval(id: TimerId, lo: number, hi: number, retiredTotal: number): void {
    this.cvalLo[id] = lo;
    this.cvalHi[id] = hi;
    this.update(retiredTotal);
  }

  /**
   * Read CNTx_TVAL_EL0: (CVAL - counter) truncated to a signed 32-bit value,
   * returned as its unsigned 32-bit pattern (the register's bits 31:0; bits
   * 63:32 read as zero).
   */
  readTval(id: TimerId, retiredTotal: number): number {
    const lo = this.readCounter(retiredTotal);
    return (this.cvalLo[id] - lo) >>> 0;
  }

  /** Write CNTx_TVAL_EL0: CVAL = counter + SignExtend(TVAL[31:0]). */
  writeTval(id: TimerId, value: number, retiredTotal: number): void {
    const t = this.ticks(retiredTotal) + (value | 0);
    // The counter is far below 2^53, so the sum is exact; wrap modulo 2^64.
    const v = t < 0 ? t + 2 ** 64 : t;
    this.cvalHi[id] = Math.floor(v / TWO32) >>> 0;
    this.cvalLo[id] = v >>> 0;
    this.update(retiredTotal);
  }

  /** Recompute both timers' interrupt lines at `retiredTotal` and drive changes to the GIC. */
  update(retiredTotal: number): void {
    this.#drive(TimerId.Physical, this.#asserted(TimerId.Physical, retiredTotal));
    this.#drive(TimerId.Virtual, this.#asserted(TimerId.Virtual, retiredTotal));
  }

  /**
   * The absolute virtual time (ns) at which a timer whose line is not yet
   * asserted will assert it, or `Infinity` when neither will (disabled,
   * masked, or already asserted).
   */
  nextDeadline(): number {
    let d = Infinity;
    for (let id = 0; id < 2; id++) {
      const c = this.ctl[id];
      if ((c & CNT_CTL_ENABLE) === 0 || (c & CNT_CTL_IMASK) !== 0) continue;
      if (this.lineLevel[id] !== 0) continue;
      const at = Math.ceil((this.cvalHi[id] * TWO32 + this.cvalLo[id]) * NS_PER_TICK);
      if (at < d) d = at;
    }
    return d;
  }

  #asserted(id: TimerId, retiredTotal: number): boolean {
    const c = this.ctl[id];
    if ((c & CNT_CTL_ENABLE) === 0 || (c & CNT_CTL_IMASK) !== 0) return false;
    return this.conditionMet(id, retiredTotal);
  }

  #drive(id: TimerId, level: boolean): void {
    const v = level ? 1 : 0;
    if (this.lineLevel[id] === v) return;
    this.lineLevel[id] = v;
    this.#irq.setLine(
      id === TimerId.Virtual ? VIRTUAL_TIMER_INTID : PHYSICAL_TIMER_INTID,
      level,
      this.#vcpu,
    );
  }
}
