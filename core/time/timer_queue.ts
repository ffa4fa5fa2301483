/**
 * A deterministic queue of one-shot virtual-time timers (devices' timers, the
 * hypervisor's own deadlines). Timers fire in order of their deadline; timers
 * with the same deadline fire in the order they were scheduled, so a run is
 * repeatable. Backed by a binary min-heap keyed by (deadline, sequence).
 *
 * Scheduling and cancelling allocate (one entry per timer): these are cold
 * paths. {@link TimerQueue.nextDeadline} and an empty {@link TimerQueue.runDue}
 * do not allocate.
 *
 * @example
 * ```ts
 * const q = new TimerQueue();
 * const fired: string[] = [];
 * q.schedule(100, () => fired.push("a"));
 * const b = q.schedule(50, () => fired.push("b"));
 * b.cancel();
 * q.runDue(100); // fired: ["a"]
 * ```
 *
 * @module
 */

/** A scheduled timer; cancel it before it fires to drop it. */
export interface TimerHandle {
  /** Absolute virtual time (ns) at which the timer fires. */
  readonly at: number;
  /** Whether the timer is still waiting to fire. */
  readonly pending: boolean;
  /** Drop the timer; does nothing if it already fired or was cancelled. */
  cancel(): void;
}

class TimerEntry implements TimerHandle {
  pending = true;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: (at: number) => void,
    readonly queue: TimerQueue,
  ) {}
  cancel(): void {
    if (!this.pending) return;
    this.pending = false;
    this.queue.noteCancelled();
  }
}

/** The queue. */
export class TimerQueue {
  #heap: TimerEntry[] = [];
  #seq = 0;
  #cancelled = 0;

  /** Number of timers still pending. */
  get size(): number {
    return this.#heap.length - this.#cancelled;
  }

  /**
   * Schedule `fn` to run at absolute virtual time `at` (ns). `fn` receives the
   * deadline. Throws `RangeError` for a NaN or negative deadline.
   */
  schedule(at: number, fn: (at: number) => void): TimerHandle {
    if (!(at >= 0)) throw new RangeError(`timer deadline must be >= 0 ns, got ${at}`);
    const e = new TimerEntry(at, this.#seq++, fn, this);
    this.#push(e);
    return e;
  }

  /** The earliest pending deadline, or `Infinity` when nothing is pending. */
  get nextDeadline(): number {
    this.#dropCancelledHead();
    return this.#heap.length > 0 ? this.#heap[0].at : Infinity;
  }

  /**
   * Fire, in order, every timer whose deadline is at or before `now`. A timer
   * scheduled by a callback for a time at or before `now` fires in the same
   * call. `beforeFire`, if given, is called with each deadline before its
   * callback (the run loop uses it to show the device the deadline as the
   * current time). Returns the number of timers fired.
   *
   * With `onError`, a callback that throws is contained: the error goes to
   * `onError` and the remaining due timers still fire (the run loop passes
   * one, so a device's failing timer cannot stop every VM). Without it the
   * error propagates, and the timers not yet fired stay queued.
   */
  runDue(
    now: number,
    beforeFire?: (at: number) => void,
    onError?: (error: unknown) => void,
  ): number {
    let fired = 0;
    for (;;) {
      this.#dropCancelledHead();
      const heap = this.#heap;
      if (heap.length === 0 || heap[0].at > now) return fired;
      const e = this.#pop();
      e.pending = false;
      if (beforeFire) beforeFire(e.at);
      fired++;
      if (onError === undefined) e.fn(e.at);
      else {
        try {
          e.fn(e.at);
        } catch (err) {
          onError(err);
        }
      }
    }
  }

  /** Drop every pending timer. */
  clear(): void {
    for (const e of this.#heap) e.pending = false;
    this.#heap.length = 0;
    this.#cancelled = 0;
  }

  /** @internal Bookkeeping for {@link TimerHandle.cancel}. */
  noteCancelled(): void {
    this.#cancelled++;
    // Compact when cancelled entries dominate, so a device that keeps
    // re-arming a timer cannot grow the heap without bound.
    if (this.#cancelled > 32 && this.#cancelled * 2 > this.#heap.length) {
      const live = this.#heap.filter((e) => e.pending);
      this.#heap = [];
      this.#cancelled = 0;
      for (const e of live) this.#push(e);
    }
  }

  #dropCancelledHead(): void {
    const heap = this.#heap;
    while (heap.length > 0 && !heap[0].pending) {
      this.#pop();
      this.#cancelled--;
    }
  }

  #push(e: TimerEntry): void {
    const heap = this.#heap;
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i], heap[p])) break;
      const t = heap[i];
      heap[i] = heap[p];
      heap[p] = t;
      i = p;
    }
  }

  #pop(): TimerEntry {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        const t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
      }
    }
    return top;
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
