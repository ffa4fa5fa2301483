/**
 * The hypervisor's virtual clock: nanoseconds since boot, as a JS number
 * (exact up to 2^53 ns, about 104 days).
 *
 * Time advances with retired instructions (`nsPerInstruction` each), so a run
 * is deterministic: the same guest and the same inputs give the same times.
 * When nothing can run, the run loop moves the clock straight to the next
 * deadline with {@link VirtualClock.advanceTo} instead of spinning.
 *
 * While physical CPUs run in lockstep rounds, `now` is the local time of the
 * slice being run (see core/hypervisor/), which is what
 * {@link VirtualClockReader} promises to the architecture: "virtual
 * nanoseconds at the start of the current run slice".
 *
 * @example
 * ```ts
 * const clock = new VirtualClock({ nsPerInstruction: 2 });
 * clock.advanceInstructions(10);
 * clock.now; // 20
 * ```
 *
 * @module
 */
import type { VirtualClockReader } from "../plugin/contracts.ts";

/** Default cost of one retired instruction in virtual nanoseconds (a 1 GHz CPU). */
export const DEFAULT_NS_PER_INSTRUCTION = 1;

/** Options of a {@link VirtualClock}. */
export interface VirtualClockOptions {
  /** Virtual ns per retired instruction; a positive finite number. Default 1. */
  readonly nsPerInstruction?: number;
  /** Start time in ns. Default 0. */
  readonly start?: number;
}

/** A deterministic virtual clock; implements the read side given to plugins. */
export class VirtualClock implements VirtualClockReader {
  /** Virtual nanoseconds per retired instruction (fixed for the clock's life). */
  readonly nsPerInstruction: number;
  #now: number;

  /** Create a clock; throws `RangeError` on a non-positive or non-finite rate. */
  constructor(options: VirtualClockOptions = {}) {
    const rate = options.nsPerInstruction ?? DEFAULT_NS_PER_INSTRUCTION;
    if (!(rate > 0) || !Number.isFinite(rate)) {
      throw new RangeError(`nsPerInstruction must be a positive number, got ${rate}`);
    }
    const start = options.start ?? 0;
    if (!(start >= 0) || !Number.isFinite(start)) {
      throw new RangeError(`start must be a non-negative number, got ${start}`);
    }
    this.nsPerInstruction = rate;
    this.#now = start;
  }

  /** Current virtual time in ns. */
  get now(): number {
    return this.#now;
  }

  /** Virtual ns that `count` retired instructions take. */
  instructionsToNs(count: number): number {
    return count * this.nsPerInstruction;
  }

  /** Whole instructions that fit in `ns` (at least 1 when `ns` > 0; `Infinity` stays `Infinity`). */
  nsToInstructions(ns: number): number {
    if (ns === Infinity) return Infinity;
    if (ns <= 0) return 0;
    const n = Math.floor(ns / this.nsPerInstruction);
    return n > 0 ? n : 1;
  }

  /** Advance by `count` retired instructions. */
  advanceInstructions(count: number): void {
    this.#now += count * this.nsPerInstruction;
  }

  /** Move forward to absolute time `t`; a `t` in the past is ignored (time never goes back). */
  advanceTo(t: number): void {
    if (t > this.#now) this.#now = t;
  }

  /**
   * Set the local time of the slice about to run. Used by the lockstep run
   * loop, which runs each physical CPU of a round from the round's start time;
   * unlike {@link advanceTo} this may move back to that start.
   */
  setSliceTime(t: number): void {
    if (!(t >= 0) || !Number.isFinite(t)) {
      throw new RangeError(`slice time must be a non-negative number, got ${t}`);
    }
    this.#now = t;
  }
}
