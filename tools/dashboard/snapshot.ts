/**
 * `snapshot(system)`: the dashboard's state — the system's read model
 * (`system.status()`) with the console output the dashboard recorded and
 * its recent events (see `snapshot_types.ts` for the shape).
 *
 * @module
 */
import type { GunyahSystem } from "@gunyah-ts/system";
import { peekConsoleTap } from "./console_tap.ts";
import type { EventLog } from "./event_log.ts";
import type { LoadWindow } from "./live.ts";
import type { ConsoleSnapshot, EventsSnapshot, SystemSnapshot } from "./snapshot_types.ts";

/** Console bytes a snapshot carries per VM by default. */
export const SNAPSHOT_CONSOLE_BYTES = 16 * 1024;
/** Events a snapshot carries by default. */
export const SNAPSHOT_EVENTS = 100;

/** What else a snapshot reads besides the system. */
export interface SnapshotOptions {
  /** The event log to report (none: an empty events section). */
  readonly events?: EventLog;
  /** Console bytes per VM (default {@link SNAPSHOT_CONSOLE_BYTES}). */
  readonly consoleBytes?: number;
  /** Events to include (default {@link SNAPSHOT_EVENTS}). */
  readonly maxEvents?: number;
  /** The load window to sample (none: `load` is null). */
  readonly load?: LoadWindow;
}

export { hex } from "@gunyah-ts/system";

function consoleSnapshots(system: GunyahSystem, bytes: number): ConsoleSnapshot[] {
  const decoder = new TextDecoder();
  return system.vms.map((vm) => {
    const tap = peekConsoleTap(vm);
    return {
      vmid: vm.vmid,
      name: vm.name,
      text: tap ? decoder.decode(tap.ring.tail(bytes)) : "",
      totalBytes: tap ? tap.ring.total : 0,
      stream: tap ? tap.id : null,
      recording: tap !== undefined,
    };
  });
}

function eventsSnapshot(log: EventLog | undefined, max: number): EventsSnapshot {
  if (!log) return { total: 0, recent: [], counts: {}, exits: {} };
  return {
    total: log.total,
    recent: log.recent(max),
    counts: { ...log.counts },
    exits: { ...log.exits },
  };
}

/** Describe `system` as plain JSON (see {@link SystemSnapshot}). */
export function snapshot(system: GunyahSystem, options: SnapshotOptions = {}): SystemSnapshot {
  const status = system.status();
  const takenAt = Date.now();
  return {
    ...status,
    takenAt,
    load: options.load?.sample(status, takenAt, options.events?.exitsByThread) ?? null,
    consoles: consoleSnapshots(system, options.consoleBytes ?? SNAPSHOT_CONSOLE_BYTES),
    events: eventsSnapshot(options.events, options.maxEvents ?? SNAPSHOT_EVENTS),
  };
}
