/**
 * Arm PrimeCell PL031 real-time clock on virtual time.
 *
 * The count is `epochSeconds + ⌊virtual ns / 1e9⌋` (plus whatever offset a
 * guest write to RTCLR introduced), modulo 2^32, so a deterministic run reads
 * the same dates every time when it is given the same epoch. A write to
 * RTCMR arms a `host.setTimer` callback at the virtual instant the count
 * reaches the match value; RTCRIS is then set and the level interrupt line
 * (INTID 34 on virt) follows RTCRIS & RTCIMSC.
 *
 * As in QEMU's `hw/rtc/pl031.c`, the RTC is permanently started (RTCCR reads
 * 1, writes are ignored) and keeps its time across a device reset. The
 * identification registers, sub-word reads and the interrupt line are the
 * shared {@link PrimeCellDevice}'s.
 *
 * @example
 * ```ts
 * import { Pl031 } from "./pl031.ts";
 * import { FakeDeviceHost } from "../testing/fake_host.ts";
 * const rtc = new Pl031(new FakeDeviceHost(), { epochSeconds: 1_700_000_000 });
 * ```
 *
 * @module
 */
import { type DeviceHost, MmioResult } from "@gunyah-ts/core/plugin";
import { VIRT_RTC_BASE, VIRT_RTC_INTID } from "../memory_map.ts";
import { PrimeCellDevice } from "../primecell.ts";
import {
  NS_PER_SECOND,
  PL031_ID,
  RTC_INT,
  RTCCR,
  RTCCR_START,
  RTCDR,
  RTCICR,
  RTCIMSC,
  RTCLR,
  RTCMIS,
  RTCMR,
  RTCRIS,
} from "./registers.ts";

/** Placement and time base of a PL031. */
export interface Pl031Options {
  /** MMIO base (default the virt RTC, 0x09010000). */
  readonly base?: number;
  /** GIC INTID of RTCINTR (default 34). */
  readonly intid?: number;
  /**
   * Count at virtual time 0, in seconds since the Unix epoch. Default: the
   * host's wall clock when the device is created (QEMU `-rtc base=utc`); set
   * it for runs that must be repeatable.
   */
  readonly epochSeconds?: number;
}

/** The PL031 device model. */
export class Pl031 extends PrimeCellDevice {
  /** Device name. */
  readonly name = "pl031";

  /** Count minus elapsed virtual seconds (u32 arithmetic, QEMU `tick_offset`). */
  private tickOffset: number;
  private mr = 0;
  private lr = 0;
  private im = 0;
  private is = 0;
  private cancelAlarm: (() => void) | null = null;
  private readonly onAlarm = (): void => {
    this.cancelAlarm = null;
    this.is = RTC_INT;
    this.updateIrq();
  };

  /** Create the RTC in its power-on state; it reaches the VM only through `host`. */
  constructor(host: DeviceHost, options: Pl031Options = {}) {
    const epoch = options.epochSeconds ?? Math.floor(Date.now() / 1000);
    if (!Number.isSafeInteger(epoch) || epoch < 0) {
      throw new RangeError(`PL031 epochSeconds ${epoch} must be a non-negative integer`);
    }
    super(host, options.base ?? VIRT_RTC_BASE, options.intid ?? VIRT_RTC_INTID, PL031_ID);
    this.tickOffset = epoch >>> 0;
  }

  /** The current count (RTCDR) in seconds. */
  count(): number {
    return (this.tickOffset + this.elapsedSeconds()) >>> 0;
  }

  /** Power-on state of the interrupt logic and match register; the count keeps running, as in QEMU. */
  reset(): void {
    this.cancel();
    this.mr = 0;
    this.lr = 0;
    this.im = 0;
    this.is = 0;
    this.lowerIrq();
  }

  /** Snapshot for the dashboard. */
  describe(): Record<string, string | number | boolean> {
    return {
      count: this.count(),
      date: new Date(this.count() * 1000).toISOString(),
      match: this.mr,
      alarmArmed: this.cancelAlarm !== null,
      imsc: this.im,
      ris: this.is,
      irq: this.irqAsserted,
    };
  }

  /** Whole virtual seconds since boot. */
  private elapsedSeconds(): number {
    return Math.floor(this.host.clock.now / NS_PER_SECOND);
  }

  /** Register write at `offset` (32-bit accesses only). */
  protected mmioWrite(offset: number, size: number, lo: number): MmioResult {
    if ((offset & 3) !== 0 || size < 4) {
      this.host.log(
        `pl031: ${size}-byte write at offset 0x${
          offset.toString(16)
        } ignored (registers are 32-bit)`,
      );
      return MmioResult.Handled;
    }
    this.writeRegister(offset, lo >>> 0);
    return MmioResult.Handled;
  }

  /** Value of the register at word offset `reg`. */
  protected readRegister(reg: number): number {
    switch (reg) {
      case RTCDR:
        return this.count();
      case RTCMR:
        return this.mr;
      case RTCLR:
        return this.lr;
      case RTCCR:
        return RTCCR_START;
      case RTCIMSC:
        return this.im;
      case RTCRIS:
        return this.is;
      case RTCMIS:
        return this.is & this.im;
      case RTCICR:
        this.host.log("pl031: read of write-only RTCICR");
        return 0;
      default:
        this.host.log(`pl031: read of unknown register at offset 0x${reg.toString(16)}`);
        return 0;
    }
  }

  /** Write the register at word offset `reg`. */
  private writeRegister(reg: number, value: number): void {
    switch (reg) {
      case RTCLR:
        this.lr = value;
        this.tickOffset = (this.tickOffset + value - this.count()) >>> 0;
        this.armAlarm();
        return;
      case RTCMR:
        this.mr = value;
        this.armAlarm();
        return;
      case RTCIMSC:
        this.im = value & RTC_INT;
        this.updateIrq();
        return;
      case RTCICR:
        this.is &= ~value;
        this.updateIrq();
        return;
      case RTCCR:
        return; // permanently started, as in QEMU
      case RTCDR:
      case RTCRIS:
      case RTCMIS:
        this.host.log(`pl031: write to read-only register at offset 0x${reg.toString(16)}`);
        return;
      default:
        this.host.log(`pl031: write to unknown register at offset 0x${reg.toString(16)}`);
    }
  }

  /** Schedule the match interrupt for the instant the count next equals RTCMR. */
  private armAlarm(): void {
    this.cancel();
    const ticks = (this.mr - this.count()) >>> 0;
    if (ticks === 0) {
      this.onAlarm();
      return;
    }
    const at = (this.elapsedSeconds() + ticks) * NS_PER_SECOND;
    this.cancelAlarm = this.host.setTimer(at, this.onAlarm);
  }

  /** Drop a pending match alarm. */
  private cancel(): void {
    if (this.cancelAlarm !== null) {
      this.cancelAlarm();
      this.cancelAlarm = null;
    }
  }

  /** Drive RTCINTR = RTCRIS & RTCIMSC. */
  private updateIrq(): void {
    this.setIrqLevel((this.is & this.im) !== 0);
  }
}
