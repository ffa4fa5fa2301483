/**
 * The dashboard's read model: a plain-JSON description of a running system
 * (what `GET /api/state` returns and the page renders). 64-bit values
 * (CapIDs, rights, doorbell flags, addresses) are hexadecimal strings so
 * they survive JSON exactly.
 *
 * @module
 */

/** Hex string of a number or bigint, `0x`-prefixed. */
export type Hex = string;

/** The whole system at one moment. */
export interface SystemSnapshot {
  /** Virtual time, ns. */
  readonly timeNs: number;
  /** Virtual ns per retired instruction. */
  readonly nsPerInstruction: number;
  /** Host wall-clock time of the snapshot (ms since the epoch). */
  readonly takenAt: number;
  readonly partitions: readonly PartitionSnapshot[];
  readonly vms: readonly VmSnapshot[];
  readonly vcpus: readonly VcpuSnapshot[];
  readonly cpus: readonly PhysicalCpuSnapshot[];
  readonly cspaces: readonly CspaceSnapshot[];
  readonly msgqueues: readonly MsgqueueSnapshot[];
  readonly doorbells: readonly DoorbellSnapshot[];
  readonly memory: MemorySnapshot;
  readonly consoles: readonly ConsoleSnapshot[];
  readonly events: EventsSnapshot;
}

/** A partition and the physical memory it owns directly. */
export interface PartitionSnapshot {
  /** e.g. `partition#0`. */
  readonly object: string;
  readonly state: string;
  /** Whether this is the root partition. */
  readonly root: boolean;
  readonly parent: string | null;
  /** Bytes of physical memory the memdb records as owned by this partition. */
  readonly ownedBytes: number;
}

/** A VM as the resource manager knows it. */
export interface VmSnapshot {
  readonly vmid: number;
  readonly name: string;
  /** RM VM status (gunyah-abi.md §5.5), lower case: load, ready, running, exited, ... */
  readonly status: string;
  readonly exitReason: string | null;
  /** RAM bytes (the VM's memextent). */
  readonly memoryBytes: number;
  /** The vCPU threads (object names), by index. */
  readonly vcpus: readonly string[];
  /** The VM's objects in the RM's cspace. */
  readonly objects: {
    readonly memextent: string | null;
    readonly addrspace: string | null;
    readonly vic: string | null;
    readonly cspace: string | null;
  };
  /** Emulated devices and their state. */
  readonly devices: readonly {
    readonly name: string;
    readonly state: Readonly<Record<string, string | number | boolean>>;
  }[];
}

/** A vCPU thread. */
export interface VcpuSnapshot {
  /** e.g. `thread#7`. */
  readonly object: string;
  /** The VM it belongs to (RM name), or null for a thread of no launched VM. */
  readonly vm: string | null;
  readonly vmid: number | null;
  /** Index within its VM (vic attachment index), -1 before attachment. */
  readonly index: number;
  /** Object state: init, active, ... */
  readonly objectState: string;
  /** Thread state: INIT, READY, KILLED, EXITED. */
  readonly state: string;
  /** Scheduler block reasons (empty when runnable). */
  readonly blocked: readonly string[];
  readonly runnable: boolean;
  readonly priority: number;
  /** Timeslice, ns. */
  readonly timesliceNs: number;
  /** Physical CPU affinity, or -1 for none. */
  readonly affinity: number;
  /** Physical CPU it is current on, or -1. */
  readonly runningOn: number;
  /** Whether the vCPU is proxy-scheduled (vcpu_run). */
  readonly proxy: boolean;
  /** Architectural state from `ArchVcpu.describe()` (PC, EL, ...); empty before activation. */
  readonly arch: Readonly<Record<string, string | number | boolean>>;
}

/** A physical CPU of the run loop. */
export interface PhysicalCpuSnapshot {
  readonly index: number;
  /** The thread it is running, or null when idle. */
  readonly current: string | null;
  readonly retired: number;
  readonly idleNs: number;
}

/** One capability. */
export interface CapSnapshot {
  readonly capId: Hex;
  /** The object named, or null once revoked. */
  readonly object: string | null;
  readonly type: string;
  readonly rights: Hex;
  readonly master: boolean;
  /** valid or revoked. */
  readonly state: string;
}

/** A cspace and its capabilities. */
export interface CspaceSnapshot {
  readonly object: string;
  /** Whether this is the root cspace (the resource manager's). */
  readonly root: boolean;
  readonly maxCaps: number;
  readonly caps: readonly CapSnapshot[];
}

/** A message queue. */
export interface MsgqueueSnapshot {
  readonly object: string;
  readonly state: string;
  /** Maximum messages (queue_depth). */
  readonly depth: number;
  /** Messages queued now. */
  readonly count: number;
  /** Largest message, bytes (max_msg_size). */
  readonly maxMsgSize: number;
  readonly notFullThreshold: number;
  readonly notEmptyThreshold: number;
}

/** A doorbell. */
export interface DoorbellSnapshot {
  readonly object: string;
  readonly state: string;
  readonly flags: Hex;
  readonly enableMask: Hex;
  readonly ackMask: Hex;
}

/** Physical memory ownership. */
export interface MemorySnapshot {
  /** Physical RAM regions of the hypervisor. */
  readonly ram: readonly { readonly base: Hex; readonly size: number }[];
  /** memdb ranges: who owns each piece of physical memory. */
  readonly ranges: readonly {
    readonly base: Hex;
    readonly end: Hex;
    readonly size: number;
    /** The owning object (partition or memextent). */
    readonly owner: string;
    /** memdb owner type: partition, extent, ... */
    readonly ownerType: string;
  }[];
  /** Memory extents and where they are mapped. */
  readonly extents: readonly MemextentSnapshot[];
}

/** A memory extent. */
export interface MemextentSnapshot {
  readonly object: string;
  readonly state: string;
  /** basic or sparse. */
  readonly type: string;
  readonly physBase: Hex;
  readonly size: number;
  /** any, device, uncached, cached. */
  readonly memtype: string;
  /** Access rights as rwx. */
  readonly access: string;
  readonly parent: string | null;
  readonly mappings: readonly {
    readonly addrspace: string;
    readonly vbase: Hex;
    readonly offset: number;
    readonly size: number;
  }[];
}

/** A VM console's recent output. */
export interface ConsoleSnapshot {
  readonly vmid: number;
  readonly name: string;
  /** The most recent output, decoded as UTF-8 (bounded). */
  readonly text: string;
  /** Bytes the guest has written since the dashboard started recording. */
  readonly totalBytes: number;
  /** Whether output is recorded for this VM (a console tap is installed). */
  readonly recording: boolean;
}

/** Recent hypervisor events. */
export interface EventsSnapshot {
  /** Entries logged since recording started. */
  readonly total: number;
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
