/**
 * The partition object: owner of memory and of the objects allocated from it.
 *
 * HYP `hyp/core/partition_standard` (gunyah-abi.md §2.2, §2.5). Objects are
 * created with `partition_create_<type>` (OBJECT_CREATE right); the root
 * partition is made at boot. This implementation does not model a heap
 * allocator: object memory is the host's, so ERROR_NOMEM never occurs for
 * object creation. Physical-memory ownership is tracked in the {@link Memdb}.
 *
 * @module
 */
import { HypError } from "../../abi/error.ts";
import { DeterministicRandom } from "../../cspace/prng.ts";
import { type Memdb, type MemdbOwner, MemdbOwnerType } from "../../memory/memdb.ts";
import type { PhysicalMemory } from "../../memory/physical_memory.ts";
import { ObjectFactoryRegistry } from "../factory.ts";
import { GunyahObject, type ObjectLifecycleObserver } from "../object.ts";
import { ObjectState, ObjectType } from "../object_type.ts";
import type { InterruptController } from "../../plugin/contracts.ts";
import type { Vic } from "../vic/vic.ts";

/** Everything a partition tree shares: one per hypervisor instance. */
export interface PartitionTreeServices {
  /** Seeded generator for CapID randomisation and other hypervisor randomness. */
  readonly random: DeterministicRandom;
  /** The hypervisor's "physical RAM". */
  readonly physicalMemory: PhysicalMemory;
  /** Physical memory ownership database. */
  readonly memdb: Memdb;
  /** How `partition_create_<type>` builds objects. */
  readonly factories: ObjectFactoryRegistry;
  /** Optional lifecycle notifications. */
  readonly observer?: ObjectLifecycleObserver;
  /**
   * VMIDs held by active addrspaces (HYP's global `addrspace_vmids` bitmap;
   * VMID 0 is reserved for the hypervisor at boot).
   */
  readonly vmids: Set<number>;
  /**
   * Supplies the interrupt controller of a vic being activated that was not
   * given one with `Vic.setController` (the hypervisor creates it through the
   * arch plugin). Optional.
   */
  readonly createVicController?: (vic: Vic) => InterruptController | null;
}

/** A partition. */
export class Partition extends GunyahObject implements MemdbOwner {
  readonly type = ObjectType.PARTITION;
  /** Partitions own physical memory in the memdb. */
  readonly memdbType = MemdbOwnerType.PARTITION;
  /** Shared services of the partition tree. */
  readonly services: PartitionTreeServices;
  #serials = 1;

  /**
   * Create a partition. `parent` is `null` only for the root partition, which
   * is created ACTIVE (HYP creates it at boot).
   */
  constructor(parent: Partition | null, services?: PartitionTreeServices) {
    super(parent);
    const s = services ?? parent?.services;
    if (!s) throw new Error("the root partition needs its PartitionTreeServices");
    this.services = s;
    if (parent === null) this.state = ObjectState.ACTIVE; // HYP creates the root partition active at boot
    this.services.observer?.created?.(this);
  }

  /** Lifecycle observer of the tree. */
  get observer(): ObjectLifecycleObserver | undefined {
    return this.services.observer;
  }

  /** Next diagnostic serial number (shared by the whole tree through the root). */
  allocateSerial(): number {
    const root = this.root;
    return root.#serials++;
  }

  /** The root partition of this tree. */
  get root(): Partition {
    let p: Partition | null = this.partition;
    if (p === null) return this;
    while (p.partition) p = p.partition;
    return p;
  }

  protected override onActivate(): HypError {
    return HypError.OK;
  }
}

/** Options for {@link createRootPartition}. */
export interface RootPartitionOptions {
  readonly physicalMemory: PhysicalMemory;
  readonly memdb: Memdb;
  /** Seed for CapIDs; the same seed gives the same CapIDs run after run. Default 0x6779_6e79_6168 ("gunyah"). */
  readonly seed?: bigint;
  readonly factories?: ObjectFactoryRegistry;
  readonly observer?: ObjectLifecycleObserver;
  readonly createVicController?: (vic: Vic) => InterruptController | null;
}

/** Default PRNG seed: the ASCII bytes of "gunyah". */
export const DEFAULT_HYPERVISOR_SEED = 0x67756e796168n;

/** Create the root partition of a new hypervisor instance. */
export function createRootPartition(options: RootPartitionOptions): Partition {
  return new Partition(null, {
    random: new DeterministicRandom(options.seed ?? DEFAULT_HYPERVISOR_SEED),
    physicalMemory: options.physicalMemory,
    memdb: options.memdb,
    factories: options.factories ?? new ObjectFactoryRegistry(),
    observer: options.observer,
    vmids: new Set([0]),
    createVicController: options.createVicController,
  });
}
