/**
 * Device timers on virtual time for the differential machine (what
 * `DeviceHost.setTimer` schedules): a small list ordered by deadline, then
 * by insertion, so runs are deterministic.
 *
 * @module
 */

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** Deterministic one-shot timers keyed by absolute virtual time (ns). */
export class TimerQueue {
  #entries: Entry[] = [];
  #seq = 0;

  /** Schedule `fn` at virtual time `at`; returns a function that cancels it. */
  add(at: number, fn: () => void): () => void {
    const e: Entry = { at, seq: this.#seq++, fn };
    this.#entries.push(e);
    this.#entries.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return () => {
      const i = this.#entries.indexOf(e);
      if (i >= 0) this.#entries.splice(i, 1);
    };
  }

  /** The earliest deadline, or `Infinity`. */
  next(): number {
    return this.#entries.length ? this.#entries[0].at : Infinity;
  }

  /** Run (and remove) every timer due at or before `now`, in order. */
  fire(now: number): void {
    while (this.#entries.length && this.#entries[0].at <= now) {
      const e = this.#entries.shift()!;
      e.fn();
    }
  }
}
