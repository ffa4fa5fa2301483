/**
 * The system's read model: a typed, plain-JSON description of a running
 * system — partitions, VMs, vCPUs, physical CPUs, cspaces and their caps,
 * message queues, doorbells, memory ownership and each VM's devices — as
 * {@link GunyahSystem.status} returns it. Tools (the dashboard, `gunyah vm`
 * through the dashboard's API) read the system through this and the event
 * stream only, never through core classes. 64-bit values (CapIDs, rights,
 * doorbell flags, addresses) are hexadecimal strings so they survive JSON
 * exactly.
 *
 * @module
 */
import type { UserNetStatus } from "@gunyah-ts/net";

/** Hex string of a number or bigint, `0x`-prefixed. */
export type Hex = string;

/** The whole system at one moment. */
export interface SystemStatus {
  /** The machine: arch and platform plugin names. */
  readonly machine: { readonly arch: string; readonly platform: string };
  /** Virtual time, ns. */
  readonly timeNs: number;
  /** Virtual ns per retired instruction. */
  readonly nsPerInstruction: number;
  /** Partitions reachable by a capability (the root partition at least). */
  readonly partitions: readonly PartitionSnapshot[];
  /** VMs the resource manager knows, by VMID. */
  readonly vms: readonly VmSnapshot[];
  /** Every vCPU thread the hypervisor created. */
  readonly vcpus: readonly VcpuSnapshot[];
  /** Physical CPUs of the run loop. */
  readonly cpus: readonly PhysicalCpuSnapshot[];
  /** The root cspace and every cspace reachable from it. */
  readonly cspaces: readonly CspaceSnapshot[];
  /** Message queues named by any capability. */
  readonly msgqueues: readonly MsgqueueSnapshot[];
  /** Doorbells named by any capability. */
  readonly doorbells: readonly DoorbellSnapshot[];
  /** Physical memory ownership and memory extents. */
  readonly memory: MemorySnapshot;
  /** The Ethernet segments (the configuration's `net:`) and their ports. */
  readonly networks: readonly SegmentSnapshot[];
}

/** An Ethernet segment: its ports with their counters, and the addresses it learned. */
export interface SegmentSnapshot {
  /** The segment's name. */
  readonly name: string;
  /** Ports in order of attachment (`<vm>.eth<k>` for a VM's device). */
  readonly ports: readonly PortSnapshot[];
  /** Learned MAC address → port name. */
  readonly learned: Readonly<Record<string, string>>;
  /** The segment's user-mode gateway (a `user:` segment): leases, forwards, NAT table, counters. */
  readonly user?: UserNetStatus;
}

/** One port of a segment, counted from the port's side. */
export interface PortSnapshot {
  /** The port's name. */
  readonly name: string;
  /** Frames (bytes) that entered the segment from the port. */
  readonly rxFrames: number;
  /** Bytes of those. */
  readonly rxBytes: number;
  /** Frames (bytes) the segment delivered to the port. */
  readonly txFrames: number;
  /** Bytes of those. */
  readonly txBytes: number;
  /** Frames from the port refused: too short or long, or from a group source address. */
  readonly dropsInvalid: number;
  /** Frames for the port it did not take. */
  readonly dropsRefused: number;
  /** Frames from the port dropped on the segment's full backlog. */
  readonly dropsBacklog: number;
}

/** A VM's network interface: a device on a segment. */
export interface InterfaceSnapshot {
  /** The port name (`<vm>.eth<k>`). */
  readonly port: string;
  /** The segment it is on. */
  readonly segment: string;
  /** The device's MAC address, as it reports it ("" if it does not). */
  readonly mac: string;
  /** The device's own counters (virtio-net: rx/tx frames and bytes, drops by cause). */
  readonly counters: Readonly<Record<string, number>>;
}

/** A partition and the physical memory it owns directly. */
export interface PartitionSnapshot {
  /** e.g. `partition#0`. */
  readonly object: string;
  /** Object state: init, active, failed, destroying. */
  readonly state: string;
  /** Whether this is the root partition. */
  readonly root: boolean;
  /** The parent partition, or null for the root. */
  readonly parent: string | null;
  /** Bytes of physical memory the memdb records as owned by this partition. */
  readonly ownedBytes: number;
}

/** A VM as the resource manager knows it. */
export interface VmSnapshot {
  /** RM VMID (HLOS 3, dynamic 0x80-0xbf). */
  readonly vmid: number;
  /** The RM's name of the VM. */
  readonly name: string;
  /**
   * VMID of the VM that owns it at the RM (its VM_ALLOCATE caller: 0x3f for
   * the host VMM, 3 for a VM the primary's VMM made), or the RM's own.
   */
  readonly owner: number;
  /** RM VM status (gunyah-abi.md §5.5), lower case: load, ready, running, exited, ... */
  readonly status: string;
  /** Why it exited (PSCI SYSTEM_OFF, a fault, a forced stop), once it did. */
  readonly exitReason: string | null;
  /** RAM bytes: the VM's memextent (the primary), or the memory parcels it accepted (a VM built over RPC). */
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
  /** Its network interfaces (device plugins whose entry names a segment). */
  readonly interfaces: readonly InterfaceSnapshot[];
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
  /** The VM's VMID, or null for a thread of no launched VM. */
  readonly vmid: number | null;
  /** Index within its VM (vic attachment index), -1 before attachment. */
  readonly index: number;
  /** Object state: init, active, ... */
  readonly objectState: string;
  /** Thread state: INIT, READY, KILLED, EXITED. */
  readonly state: string;
  /** Scheduler block reasons (empty when runnable). */
  readonly blocked: readonly string[];
  /** Whether the scheduler could run it now (no block reason). */
  readonly runnable: boolean;
  /** FPRR priority (Gunyah default 32). */
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
  /** CPU index. */
  readonly index: number;
  /** The thread it is running, or null when idle. */
  readonly current: string | null;
  /** Instructions retired on this CPU. */
  readonly retired: number;
  /** Virtual ns this CPU spent idle. */
  readonly idleNs: number;
}

/** One capability. */
export interface CapSnapshot {
  /** The opaque CapID, as the cspace's owner sees it. */
  readonly capId: Hex;
  /** The object named, or null once revoked. */
  readonly object: string | null;
  /** Object type recorded in the cap (kept after revocation). */
  readonly type: string;
  /** 32-bit rights mask. */
  readonly rights: Hex;
  /** Whether it is the object's master cap. */
  readonly master: boolean;
  /** valid or revoked. */
  readonly state: string;
}

/** A cspace and its capabilities. */
export interface CspaceSnapshot {
  /** e.g. `cspace#1`. */
  readonly object: string;
  /** Whether this is the root cspace (the composition root's; the RM has its own). */
  readonly root: boolean;
  /** Capacity (max_caps). */
  readonly maxCaps: number;
  /** Occupied slots, in slot order. */
  readonly caps: readonly CapSnapshot[];
}

/** A message queue. */
export interface MsgqueueSnapshot {
  /** e.g. `msgqueue#12`. */
  readonly object: string;
  /** Object state. */
  readonly state: string;
  /** Maximum messages (queue_depth). */
  readonly depth: number;
  /** Messages queued now. */
  readonly count: number;
  /** Largest message, bytes (max_msg_size). */
  readonly maxMsgSize: number;
  /** Send-side (not-full) VIRQ threshold. */
  readonly notFullThreshold: number;
  /** Receive-side (not-empty) VIRQ threshold. */
  readonly notEmptyThreshold: number;
}

/** A doorbell. */
export interface DoorbellSnapshot {
  /** e.g. `doorbell#13`. */
  readonly object: string;
  /** Object state. */
  readonly state: string;
  /** Pending flags. */
  readonly flags: Hex;
  /** Flags that assert the VIRQ (doorbell_mask enable_mask). */
  readonly enableMask: Hex;
  /** Flags cleared when the VIRQ is asserted (doorbell_mask ack_mask). */
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
  /** The resource manager's memory parcels (MEM_LEND / MEM_SHARE / MEM_DONATE). */
  readonly parcels: readonly ParcelSnapshot[];
}

/** One RM memory parcel: whose memory, lent or shared to whom. */
export interface ParcelSnapshot {
  /** The parcel handle. */
  readonly handle: number;
  /** VMID of the owner (the lender: 3 for the HLOS, 0x3f for the host VMM). */
  readonly owner: number;
  /** "lend", "share" or "donate". */
  readonly transaction: string;
  /** The owner's label. */
  readonly label: number;
  /** Bytes. */
  readonly size: number;
  /** Its physical ranges. */
  readonly regions: readonly { readonly physBase: Hex; readonly size: number }[];
  /** The VMs of its ACL (the borrowers), their rights and whether they mapped it. */
  readonly vms: readonly {
    readonly vmid: number;
    /** Access rights, e.g. `rwx`. */
    readonly rights: string;
    readonly accepted: boolean;
    /** IPAs it is mapped at in the borrower, once accepted. */
    readonly ipas: readonly Hex[];
  }[];
}

/** A memory extent. */
export interface MemextentSnapshot {
  /** e.g. `memextent#4`. */
  readonly object: string;
  /** Object state. */
  readonly state: string;
  /** basic or sparse. */
  readonly type: string;
  /** Physical base address. */
  readonly physBase: Hex;
  /** Bytes. */
  readonly size: number;
  /** any, device, uncached, cached. */
  readonly memtype: string;
  /** Access rights as rwx. */
  readonly access: string;
  /** The extent it was derived from, or null. */
  readonly parent: string | null;
  /** Where the extent is mapped: address space, IPA, offset into the extent, bytes. */
  readonly mappings: readonly {
    readonly addrspace: string;
    readonly vbase: Hex;
    readonly offset: number;
    readonly size: number;
  }[];
}
