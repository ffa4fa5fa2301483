/**
 * How the hypervisor's run loop gives the host event loop a turn between
 * slices of emulation.
 *
 * Two kinds of yield exist in Deno 2.9 and they differ in cost and in what
 * they let run (measured on the project machine, see
 * tools/bench/event_loop_yield.ts):
 *
 * - `setImmediate` (node:timers): about 0.01 ms per yield. Promise
 *   continuations and due timers run, but socket and stdin readiness is not
 *   polled: an in-process HTTP server answered no requests at all.
 * - `setTimeout(0)`: about 2.5 ms per yield (the timer's minimum delay), and
 *   the full event loop turns (I/O included). Yielding so every 10 ms slice
 *   left the CPUs only ~80% of host time.
 *
 * {@link HostYield} therefore takes the cheap yield after every slice and
 * the full one once at least {@link DEFAULT_IO_YIELD_INTERVAL_MS} of host time
 * has passed since the last full one, so I/O is still served within that
 * interval while yields cost ~2.5 ms per interval instead of per slice.
 *
 * @module
 */
import { setImmediate } from "node:timers";

/** Default host ms between two full (I/O-polling) yields. */
export const DEFAULT_IO_YIELD_INTERVAL_MS = 50;

/** Alternates cheap and full yields to the host event loop (see module doc). */
export class HostYield {
  /** Host ms between full yields. */
  readonly ioIntervalMs: number;
  #lastFull: number;
  readonly #resolveImmediate = (resolve: () => void): void => {
    setImmediate(resolve);
  };
  readonly #resolveTimeout = (resolve: () => void): void => {
    setTimeout(resolve, 0);
  };

  constructor(ioIntervalMs: number = DEFAULT_IO_YIELD_INTERVAL_MS) {
    if (!(ioIntervalMs >= 0)) {
      throw new RangeError(
        `I/O yield interval must be a non-negative number of ms, got ${ioIntervalMs}`,
      );
    }
    this.ioIntervalMs = ioIntervalMs;
    this.#lastFull = performance.now();
  }

  /** Whether the next {@link yield} will be a full one. */
  get fullDue(): boolean {
    return performance.now() - this.#lastFull >= this.ioIntervalMs;
  }

  /** Give the event loop a turn: a full one if due, else a cheap one. */
  yield(): Promise<void> {
    if (this.fullDue) {
      this.#lastFull = performance.now();
      return new Promise<void>(this.#resolveTimeout);
    }
    return new Promise<void>(this.#resolveImmediate);
  }
}
