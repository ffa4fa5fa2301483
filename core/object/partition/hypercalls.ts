/**
 * Hypercall adapters for partitions and generic objects:
 * `partition_create_<type>` (0x02-0x0b), object_activate (0x0c) and
 * object_activate_from (0x0d).
 *
 * HYP `hyp/core/partition_standard/templates/hypercalls.c.tmpl` and
 * `hyp/core/object_standard/src/hypercalls.c` (gunyah-abi.md §1.5, §2.2):
 * create looks up the partition (OBJECT_CREATE, active) then the destination
 * cspace (CAP_CREATE, active), allocates the object in INIT and inserts its
 * master cap; if the cap cannot be created (ERROR_CSPACE_FULL) the new object
 * is released. partition_create_partition, object_reset and
 * object_reset_from are not registered, so they answer ERROR_UNIMPLEMENTED
 * exactly as the open-source hypervisor does.
 *
 * @module
 */
import { throwIfError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_CSPACE_CAP_CREATE,
  CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE,
  CAP_RIGHTS_PARTITION_OBJECT_CREATE,
} from "../../abi/rights.ts";
import type { Cspace } from "../../cspace/cspace.ts";
import type { HypercallContext } from "../../hypercall/context.ts";
import type { HypercallTable } from "../../hypercall/table.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "./partition.ts";

/** Create an object of `type` in the partition named by `partitionCap`, master cap into `cspaceCap`. */
export function createObjectByCaps(
  ctx: HypercallContext,
  type: ObjectType,
  partitionCap: bigint,
  cspaceCap: bigint,
): bigint {
  const partition = ctx.cspace.lookup<Partition>(
    partitionCap,
    ObjectType.PARTITION,
    CAP_RIGHTS_PARTITION_OBJECT_CREATE,
  );
  const dest = ctx.cspace.lookup<Cspace>(
    cspaceCap,
    ObjectType.CSPACE,
    CAP_RIGHTS_CSPACE_CAP_CREATE,
  );
  const object = partition.services.factories.create(type, partition);
  partition.observer?.created?.(object);
  try {
    return dest.createMasterCap(object);
  } catch (e) {
    object.put();
    throw e;
  }
}

const CREATE_CALLS: readonly (readonly [number, string, ObjectType])[] = [
  [Hypercall.PARTITION_CREATE_CSPACE, "partition_create_cspace", ObjectType.CSPACE],
  [Hypercall.PARTITION_CREATE_ADDRSPACE, "partition_create_addrspace", ObjectType.ADDRSPACE],
  [Hypercall.PARTITION_CREATE_MEMEXTENT, "partition_create_memextent", ObjectType.MEMEXTENT],
  [Hypercall.PARTITION_CREATE_THREAD, "partition_create_thread", ObjectType.THREAD],
  [Hypercall.PARTITION_CREATE_DOORBELL, "partition_create_doorbell", ObjectType.DOORBELL],
  [Hypercall.PARTITION_CREATE_MSGQUEUE, "partition_create_msgqueue", ObjectType.MSGQUEUE],
  [Hypercall.PARTITION_CREATE_VIC, "partition_create_vic", ObjectType.VIC],
  [Hypercall.PARTITION_CREATE_VPM_GROUP, "partition_create_vpm_group", ObjectType.VPM_GROUP],
];

/**
 * Register partition_create_* for every type the hypervisor knows, and
 * object_activate / object_activate_from. A create call whose type has no
 * registered factory answers ERROR_UNIMPLEMENTED.
 */
export function registerPartitionHypercalls(table: HypercallTable): void {
  for (const [n, name, type] of CREATE_CALLS) {
    table.registerHypercall(n, name, (ctx, a, r) => {
      r[1] = createObjectByCaps(ctx, type, a[0], a[1]);
    });
  }
  table.registerHypercall(Hypercall.OBJECT_ACTIVATE, "object_activate", (ctx, a) => {
    throwIfError(ctx.cspace.lookupAny(a[0], CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE).activate());
  });
  table.registerHypercall(Hypercall.OBJECT_ACTIVATE_FROM, "object_activate_from", (ctx, a) => {
    const cspace = ctx.cspace.lookup<Cspace>(a[0], ObjectType.CSPACE, CAP_RIGHTS_CSPACE_CAP_CREATE);
    throwIfError(cspace.lookupAny(a[1], CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE).activate());
  });
}
