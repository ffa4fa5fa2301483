/**
 * The dashboard's state: the system's read model ({@link SystemStatus} of
 * `@gunyah-ts/system`) plus what the dashboard records itself, the consoles
 * and the recent events (what `GET /api/state` returns and the page renders).
 *
 * @module
 */
import type { SystemStatus } from "@gunyah-ts/system";
import type { LoadSnapshot } from "./live.ts";

export type {
  CapSnapshot,
  CspaceSnapshot,
  DoorbellSnapshot,
  Hex,
  MemextentSnapshot,
  MemorySnapshot,
  MsgqueueSnapshot,
  PartitionSnapshot,
  PhysicalCpuSnapshot,
  SystemStatus,
  VcpuSnapshot,
  VmSnapshot,
} from "@gunyah-ts/system";

/** The whole system at one moment, as the dashboard shows it. */
export interface SystemSnapshot extends SystemStatus {
  /** Host wall-clock time of the snapshot (ms since the epoch). */
  readonly takenAt: number;
  /** CPU and VM load over the recent window (null when not sampled). */
  readonly load: LoadSnapshot | null;
  /** Recent console output per VM. */
  readonly consoles: readonly ConsoleSnapshot[];
  /** Recent hypervisor events. */
  readonly events: EventsSnapshot;
}

/** A VM console's recent output. */
export interface ConsoleSnapshot {
  /** The VM's VMID. */
  readonly vmid: number;
  /** The VM's name. */
  readonly name: string;
  /** The most recent output, decoded as UTF-8 (bounded). */
  readonly text: string;
  /** Bytes the guest has written since the dashboard started recording. */
  readonly totalBytes: number;
  /** The console stream's id (changes when the VM is rebuilt under the same VMID), or null. */
  readonly stream: number | null;
  /** Whether output is recorded for this VM (a console tap is installed). */
  readonly recording: boolean;
}

/** Recent hypervisor events. */
export interface EventsSnapshot {
  /** Entries logged since recording started. */
  readonly total: number;
  /** The most recent entries, oldest first. */
  readonly recent: readonly {
    readonly seq: number;
    readonly time: number;
    readonly kind: string;
    readonly text: string;
  }[];
  /** Events seen, by name (including the only-counted ones). */
  readonly counts: Readonly<Record<string, number>>;
  /** vCPU exits by kind. */
  readonly exits: Readonly<Record<string, number>>;
}
