/**
 * The debug state of one vCPU that is not an architectural register (see
 * sys/debug.ts for what uses it): the host debugger's breakpoint and
 * watchpoint sets and step flag, what the guest's debug registers currently
 * arm, and the summary flags the run loop and the access slow path test.
 *
 * @module
 */
import { DebugStopReason } from "@gunyah-ts/core/plugin";
import { DEBUG_BREAKPOINTS, DEBUG_WATCHPOINTS } from "./id_registers.ts";

/** Host watchpoints at most (GDB asks for a handful). */
export const HOST_WATCH_MAX = 64;

/** Guest watchpoint kind bits (DBGWCR.LSC): loads. */
export const WATCH_LOAD = 1;
/** Guest watchpoint kind bits (DBGWCR.LSC): stores. */
export const WATCH_STORE = 2;

/**
 * The debug state of one vCPU that is not an architectural register: the
 * host debugger's sets, what the guest's registers currently arm (derived
 * by {@link updateDebugState}), and the step bookkeeping of the run loop.
 */
export class DebugState {
  // --- Host debugger (arch/aarch64/debug/host.ts) -------------------------
  /** Host breakpoint addresses, lo/hi interleaved. */
  hostBp: Uint32Array = new Uint32Array(0);
  /** Number of host breakpoints. */
  hostBpCount = 0;
  /** Host watchpoint starts, lo/hi interleaved. */
  readonly hostWpVa: Uint32Array = new Uint32Array(2 * HOST_WATCH_MAX);
  /** Host watchpoint lengths in bytes. */
  readonly hostWpLength: Float64Array = new Float64Array(HOST_WATCH_MAX);
  /** Host watchpoint kinds (WatchKind bits: Write 1, Read 2). */
  readonly hostWpKind: Uint8Array = new Uint8Array(HOST_WATCH_MAX);
  /** Number of host watchpoints. */
  hostWpCount = 0;
  /** Host single step: stop after one instruction or one exception entry. */
  hostStep = false;
  /** The stepped instruction retired through an exit (HVC, WFI, ...): stop before the next. */
  hostStepDone = false;
  /** Why the last ExitKind.Debug happened. */
  stopReason: DebugStopReason = DebugStopReason.Step;
  /** For a watchpoint stop: the address accessed (lo/hi). */
  stopAddrLo = 0;
  stopAddrHi = 0;
  /**
   * After a host stop, the instruction at the stop PC runs once without host
   * checks when execution resumes there (so continuing from a stop makes
   * progress, as GDB expects of a target whose watchpoints stop before the
   * access): the PC of the stop.
   */
  suppressPcLo = 0;
  suppressPcHi = 0;
  /** Whether host checks are suppressed for the instruction now executing. */
  hostSuppressed = false;
  /**
   * Set by a host stop: the next run starts in the per-instruction loop so
   * that the suppression above is exact (translated blocks do not keep
   * `retiredTotal` current); cleared after the first instruction.
   */
  resumePending = false;

  // --- Guest debug architecture (derived from the registers) --------------
  /** Bit n: DBGBCR<n> arms an address-match breakpoint (and MDE is set). */
  guestBpMask = 0;
  /** Bit n: DBGWCR<n> arms a watchpoint (and MDE is set). */
  guestWpMask = 0;
  /** Guest watchpoint n: first byte watched, lo/hi interleaved. */
  readonly guestWpVa: Uint32Array = new Uint32Array(2 * DEBUG_WATCHPOINTS);
  /** Guest watchpoint n: bytes watched. */
  readonly guestWpLength: Float64Array = new Float64Array(DEBUG_WATCHPOINTS);
  /** Guest watchpoint n: WATCH_LOAD / WATCH_STORE bits (DBGWCR.LSC). */
  readonly guestWpKind: Uint8Array = new Uint8Array(DEBUG_WATCHPOINTS);
  /** Guest breakpoint n: the instruction address matched, lo/hi interleaved. */
  readonly guestBpVa: Uint32Array = new Uint32Array(2 * DEBUG_BREAKPOINTS);

  // --- Summary flags read by the run loop and the access slow path --------
  /** The run loop must check before every instruction (breakpoints, step). */
  perInstruction = false;
  /** Some watchpoint (host or guest) is armed: watched pages bypass the TLB fast path. */
  watchActive = false;

  /**
   * Software step bookkeeping of the instruction now executing: whether it
   * started in the active-not-pending state (so retiring it completes the step).
   */
  stepArmed = false;

  /**
   * Recompute the summary flags from the sets; `guestStep` is MDSCR_EL1.SS.
   * The caller flushes the TLB when `watchActive` was or is set.
   */
  refresh(guestStep: boolean): void {
    this.perInstruction = this.hostBpCount > 0 || this.hostStep || this.guestBpMask !== 0 ||
      guestStep || this.resumePending;
    this.watchActive = this.hostWpCount > 0 || this.guestWpMask !== 0;
  }

  /** The guest registers were reset: nothing guest-armed remains (host sets are kept). */
  resetGuest(): void {
    this.guestBpMask = 0;
    this.guestWpMask = 0;
    this.stepArmed = false;
    this.refresh(false);
  }
}
