/**
 * A bounded log of recent hypervisor events for the dashboard, fed by the
 * system's event stream (`system.events`).
 *
 * Object lifecycle, thread state changes, VM exits, hypercalls, VMMIO waits
 * and diagnostics are kept as entries in a fixed-size ring; the frequent
 * events (vCPU exits, scheduler switches, idle time jumps, vCPUs parking in
 * and waking from WFI) are only counted,
 * so a running guest pays one small payload per such event and the log
 * stays readable.
 *
 * @module
 */
import { errorName, type HypervisorEventBus } from "@gunyah-ts/system";

/** Where the log reads events from (a `GunyahSystem` is one). */
export interface EventSource {
  /** The event stream. */
  readonly events: HypervisorEventBus;
  /** Virtual time now, ns. */
  readonly timeNs: number;
}

/** Entries the log keeps (the oldest are dropped). */
export const EVENT_LOG_CAPACITY = 256;

/** The scheduler block a vCPU waiting for an interrupt is under (`describeBlockMask` name). */
const WFI_BLOCK = "vcpu_wfi";

/** One logged event. */
export interface EventLogEntry {
  /** Position in the log since it started (increases by one per entry). */
  readonly seq: number;
  /** Virtual time, ns. */
  readonly time: number;
  /** The bus event's name, e.g. `thread.state`. */
  readonly kind: string;
  /** What happened, for people. */
  readonly text: string;
}

/** The recorder; {@link close} unsubscribes. */
export class EventLog {
  readonly #entries: (EventLogEntry | undefined)[];
  #next = 0;
  /** How many of each event (logged or only counted) were seen, by name. */
  readonly counts: Record<string, number> = {};
  /** vCPU exits by kind (hvc, wfi, mmio, ...). */
  readonly exits: Record<string, number> = {};
  /** vCPU exits by thread (e.g. `thread#7`), then by kind. */
  readonly exitsByThread: Record<string, Record<string, number>> = {};
  readonly #off: (() => void)[] = [];

  /** Subscribe to `source.events`, keeping at most `capacity` entries. */
  constructor(source: EventSource, capacity: number = EVENT_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`event log capacity must be a positive integer, got ${capacity}`);
    }
    this.#entries = new Array(capacity);
    const ev = source.events;
    const now = () => source.timeNs;
    this.#off.push(
      ev.on("object.created", (e) => this.#add(now(), "object.created", `${e.object} created`)),
      ev.on(
        "object.activated",
        (e) => this.#add(now(), "object.activated", `${e.object} activated`),
      ),
      ev.on(
        "object.destroyed",
        (e) => this.#add(now(), "object.destroyed", `${e.object} destroyed`),
      ),
      ev.on("thread.state", (e) => {
        // A guest idling parks in WFI and wakes hundreds of times a second: count, do not log.
        if (e.detail === WFI_BLOCK && (e.change === "blocked" || e.change === "unblocked")) {
          this.#count(`thread.${e.change}:${WFI_BLOCK}`);
          return;
        }
        this.#add(
          e.time,
          "thread.state",
          `${e.thread} ${e.change}${e.detail ? `: ${e.detail}` : ""}`,
        );
      }),
      ev.on("vm.exit", (e) => this.#add(e.time, "vm.exit", `${e.thread} requested ${e.reason}`)),
      ev.on("hypercall", (e) =>
        this.#add(
          e.time,
          "hypercall",
          `${e.caller} ${e.name} (0x${e.n.toString(16)}) → ${
            e.error === 0 ? "OK" : errorName(e.error)
          }`,
        )),
      ev.on("vcpu.vmmio", (e) =>
        this.#add(
          e.time,
          "vcpu.vmmio",
          `${e.thread} ${e.write ? "writes" : "reads"} ${e.size} B at IPA 0x${
            e.ipa.toString(16)
          }, waiting for a device`,
        )),
      ev.on("log", (e) => this.#add(e.time, "log", e.message)),
      ev.on("vcpu.exit", (e) => {
        this.#count("vcpu.exit");
        this.exits[e.kind] = (this.exits[e.kind] ?? 0) + 1;
        const t = this.exitsByThread[e.thread] ??= {};
        t[e.kind] = (t[e.kind] ?? 0) + 1;
      }),
      ev.on("sched.switch", () => this.#count("sched.switch")),
      ev.on("time.jump", () => this.#count("time.jump")),
    );
  }

  #count(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  #add(time: number, kind: string, text: string): void {
    this.#count(kind);
    const seq = this.#next++;
    this.#entries[seq % this.#entries.length] = { seq, time, kind, text };
  }

  /** Entries logged so far (including those since dropped). */
  get total(): number {
    return this.#next;
  }

  /** The most recent entries, oldest first, at most `max`; only those with `seq > after`. */
  recent(max: number = this.#entries.length, after = -1): EventLogEntry[] {
    const cap = this.#entries.length;
    const first = Math.max(0, this.#next - Math.min(cap, Math.max(0, max)), after + 1);
    const out: EventLogEntry[] = [];
    for (let s = first; s < this.#next; s++) out.push(this.#entries[s % cap]!);
    return out;
  }

  /** Stop recording. */
  close(): void {
    for (const off of this.#off.splice(0)) off();
  }
}
