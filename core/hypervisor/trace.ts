/**
 * A textual trace of every hypervisor event, one line per event in the order
 * they happened. Two runs of the same scenario give the same trace (the run
 * loop is deterministic), so traces are what determinism tests compare and
 * what a `--trace` option can write out.
 *
 * @example
 * ```ts
 * const trace = new EventTrace(hv.events);
 * hv.runUntil(() => hv.time > 1_000_000);
 * trace.lines; // ["switch 0 cpu0 -> thread#3", ...]
 * trace.stop();
 * ```
 *
 * @module
 */
import type { EventBus } from "../events.ts";
import type { HypervisorEvents } from "./events.ts";

/** Every event name of {@link HypervisorEvents}, in a fixed order. */
export const HYPERVISOR_EVENT_NAMES: readonly (keyof HypervisorEvents)[] = [
  "object.created",
  "object.activated",
  "object.destroyed",
  "thread.state",
  "sched.switch",
  "vcpu.exit",
  "hypercall",
  "vcpu.vmmio",
  "vm.exit",
  "time.jump",
  "log",
];

/** Format one event as a line: its name, then its payload's fields in declaration order. */
export function formatEvent<K extends keyof HypervisorEvents>(
  name: K,
  payload: HypervisorEvents[K],
): string {
  const parts: string[] = [name];
  for (const [key, value] of Object.entries(payload as Record<string, unknown>)) {
    parts.push(
      `${key}=${
        typeof value === "number" && key === "ipa" ? "0x" + value.toString(16) : String(value)
      }`,
    );
  }
  return parts.join(" ");
}

/** Records the events of a bus as lines (optionally bounded: oldest lines dropped first). */
export class EventTrace {
  /** The recorded lines. */
  readonly lines: string[] = [];
  readonly #off: (() => void)[] = [];

  /**
   * Start recording `bus`. `names` limits the events recorded (default all);
   * `limit` bounds the number of lines kept (default unbounded).
   */
  constructor(
    bus: EventBus<HypervisorEvents>,
    names: readonly (keyof HypervisorEvents)[] = HYPERVISOR_EVENT_NAMES,
    readonly limit: number = Infinity,
  ) {
    for (const name of names) {
      this.#off.push(bus.on(name, (payload) => this.#push(formatEvent(name, payload))));
    }
  }

  #push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.shift();
  }

  /** Stop recording. */
  stop(): void {
    for (const off of this.#off.splice(0)) off();
  }
}
