/**
 * A per-source rate limit for diagnostics a guest or a plugin can cause, so a
 * guest that sends one bad message after another cannot make the host write
 * one log line each without bound (issue 12 §8).
 *
 * Each source (a VM, a device) may log {@link LogRateLimitOptions.burst}
 * lines at once, then one more per `intervalMs` of host time (a token
 * bucket). When lines were suppressed, the next line that passes says how
 * many. Host time, not virtual time: the limit protects the host's log.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const limit = new LogRateLimit((m) => lines.push(m), { burst: 2, intervalMs: 1000 });
 * for (let i = 0; i < 5; i++) limit.log("vm 1", `bad message ${i}`);
 * // lines: ["vm 1: bad message 0", "vm 1: bad message 1"]; 3 suppressed until the next token
 * ```
 *
 * @module
 */

/** How many lines a source may log. */
export interface LogRateLimitOptions {
  /** Lines a source may log in a burst (default 20). */
  readonly burst?: number;
  /** Host ms per further line once the burst is spent (default 1000). */
  readonly intervalMs?: number;
  /** The host clock in ms (default `performance.now`; tests pass their own). */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  last: number;
  suppressed: number;
}

/** Limits the lines each source may write through `sink`. */
export class LogRateLimit {
  readonly #sink: (message: string) => void;
  readonly #burst: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  /** Write through `sink`, at most `burst` lines per source then one per `intervalMs`. */
  constructor(sink: (message: string) => void, options: LogRateLimitOptions = {}) {
    this.#sink = sink;
    this.#burst = options.burst ?? 20;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Log `message` for `source` (prefixed with it) unless its budget is spent; returns whether it was written. */
  log(source: string, message: string): boolean {
    const skipped = this.take(source);
    if (skipped < 0) return false;
    this.#sink(`${source}: ${message}${suppressedNote(skipped)}`);
    return true;
  }

  /**
   * Spend one line of `source`'s budget: -1 when it is spent (the line is
   * suppressed and counted), otherwise how many lines were suppressed
   * before this one (for {@link suppressedNote}).
   */
  take(source: string): number {
    const now = this.#now();
    let b = this.#buckets.get(source);
    if (b === undefined) {
      if (this.#buckets.size >= MAX_SOURCES) this.#buckets.clear();
      b = { tokens: this.#burst, last: now, suppressed: 0 };
      this.#buckets.set(source, b);
    } else if (now > b.last) {
      b.tokens = Math.min(this.#burst, b.tokens + (now - b.last) / this.#intervalMs);
      b.last = now;
    }
    if (b.tokens < 1) {
      b.suppressed++;
      return -1;
    }
    b.tokens -= 1;
    const skipped = b.suppressed;
    b.suppressed = 0;
    return skipped;
  }

  /** Lines of `source` suppressed since its last written line. */
  suppressed(source: string): number {
    return this.#buckets.get(source)?.suppressed ?? 0;
  }
}

/** Sources remembered at once (a flood of distinct sources resets the table rather than growing it). */
const MAX_SOURCES = 4096;

/** The suffix a line gets when `skipped` lines before it were suppressed ("" for none). */
export function suppressedNote(skipped: number): string {
  return skipped > 0 ? ` (${skipped} earlier lines suppressed by the log rate limit)` : "";
}
