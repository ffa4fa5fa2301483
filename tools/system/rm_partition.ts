/**
 * The resource manager's own partition: a child of the root partition the
 * system creates at boot, before the RM starts, as Gunyah's boot code sets
 * up the partition its root VM (the RM) allocates from. `partition_create_
 * partition` is not a hypercall of the 12/2023 hypervisor (it answers
 * ERROR_UNIMPLEMENTED, as the open-source one does), so the boot code makes
 * the object directly, activates it and puts its master cap in the root
 * cspace; the RM gets a copy in its own cspace and nothing of the root
 * partition.
 *
 * The RM's private memory is donated to it here (memdb: root partition →
 * this partition); the VMs' RAM regions are added as its own from the start
 * (tools/system/vm_ram.ts). Every object the RM creates (VMs' address spaces,
 * vics, cspaces, vCPUs, memextents, its queues) is accounted to it.
 *
 * @module
 */
import { type Hypervisor, Partition } from "@gunyah-ts/core";
import { HypError } from "@gunyah-ts/core/abi";

/** The RM's partition, as the root cspace sees it. */
export interface RmPartition {
  /** The partition object. */
  readonly partition: Partition;
  /** Its master cap in the root cspace. */
  readonly rootCap: bigint;
}

/** Create and activate the RM's partition, a child of the root partition. */
export function createRmPartition(hv: Hypervisor): RmPartition {
  const partition = new Partition(hv.rootPartition);
  const err = partition.activate();
  if (err !== HypError.OK) throw new Error(`the RM's partition did not activate (${err})`);
  return { partition, rootCap: hv.rootCspace.createMasterCap(partition) };
}

/** Move `[base, base + size)` from the root partition to `to` in the memdb. */
export function donateToPartition(hv: Hypervisor, to: Partition, base: number, size: number): void {
  const err = hv.memdb.update(base, size, hv.rootPartition, to);
  if (err !== HypError.OK) {
    throw new Error(
      `donating 0x${base.toString(16)}+0x${size.toString(16)} to the RM's partition: memdb ` +
        `error ${err} (the root partition must own it)`,
    );
  }
}
