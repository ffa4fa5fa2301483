/**
 * Hypercall adapters for cspaces: cspace_delete_cap_from (0x22),
 * cspace_copy_cap_from (0x23), cspace_configure (0x25),
 * cspace_attach_thread (0x3e), cspace_revoke_caps_from (0x59).
 * cspace_revoke_cap_from (0x24) is left unregistered: ERROR_UNIMPLEMENTED,
 * as in HYP.
 *
 * Lookup order and rights follow HYP `hyp/core/cspace_twolevel/src/hypercalls.c`.
 *
 * @module
 */
import { HypError, throwHypError, throwIfError } from "../abi/error.ts";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_CSPACE_ATTACH,
  CAP_RIGHTS_CSPACE_CAP_COPY,
  CAP_RIGHTS_CSPACE_CAP_CREATE,
  CAP_RIGHTS_CSPACE_CAP_DELETE,
  CAP_RIGHTS_CSPACE_CAP_REVOKE,
  CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE,
} from "../abi/rights.ts";
import { argU32, type HypercallTable } from "../hypercall/table.ts";
import { isAttachableThread } from "../object/attachable_thread.ts";
import { ObjectState, ObjectType } from "../object/object_type.ts";
import { Cspace } from "./cspace.ts";
import type { HypercallContext } from "../hypercall/context.ts";
import type { GunyahObject } from "../object/object.ts";
import type { Partition } from "../object/partition/partition.ts";

/**
 * Look up, with OBJECT_ACTIVATE, an object of `type` in any state (the
 * form HYP's configure and attach calls use: `cspace_lookup_object_any`
 * followed by a type check).
 */
export function lookupForConfigure<T extends GunyahObject>(
  ctx: HypercallContext,
  capId: bigint,
  type: ObjectType,
): T {
  const object = ctx.cspace.lookupAny(capId, CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE);
  if (object.type !== type) {
    throwHypError(HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE, `expected ${ObjectType[type]}`);
  }
  return object as T;
}

/** Register the cspace hypercalls. */
export function registerCspaceHypercalls(table: HypercallTable): void {
  table.registerHypercall(Hypercall.CSPACE_DELETE_CAP_FROM, "cspace_delete_cap_from", (ctx, a) => {
    const cspace = ctx.cspace.lookup<Cspace>(a[0], ObjectType.CSPACE, CAP_RIGHTS_CSPACE_CAP_DELETE);
    cspace.deleteCap(a[1]);
  });
  table.registerHypercall(Hypercall.CSPACE_COPY_CAP_FROM, "cspace_copy_cap_from", (ctx, a, r) => {
    const src = ctx.cspace.lookup<Cspace>(a[0], ObjectType.CSPACE, CAP_RIGHTS_CSPACE_CAP_COPY);
    const dst = ctx.cspace.lookup<Cspace>(a[2], ObjectType.CSPACE, CAP_RIGHTS_CSPACE_CAP_CREATE);
    r[1] = dst.copyCapFrom(src, a[1], argU32(a, 3));
  });
  table.registerHypercall(Hypercall.CSPACE_CONFIGURE, "cspace_configure", (ctx, a) => {
    const cspace = lookupForConfigure<Cspace>(ctx, a[0], ObjectType.CSPACE);
    cspace.configure(argU32(a, 1));
  });
  table.registerHypercall(Hypercall.CSPACE_ATTACH_THREAD, "cspace_attach_thread", (ctx, a) => {
    const thread = lookupForConfigure(ctx, a[1], ObjectType.THREAD);
    const cspace = ctx.cspace.lookup<Cspace>(a[0], ObjectType.CSPACE, CAP_RIGHTS_CSPACE_ATTACH);
    if (thread.state !== ObjectState.INIT) {
      throwHypError(HypError.ERROR_OBJECT_STATE, "thread not INIT");
    }
    if (!isAttachableThread(thread)) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "not an attachable thread");
    }
    throwIfError(thread.attachCspace(cspace));
  });
  table.registerHypercall(
    Hypercall.CSPACE_REVOKE_CAPS_FROM,
    "cspace_revoke_caps_from",
    (ctx, a) => {
      const cspace = ctx.cspace.lookup<Cspace>(
        a[0],
        ObjectType.CSPACE,
        CAP_RIGHTS_CSPACE_CAP_REVOKE,
      );
      cspace.revokeCapsFrom(a[1]);
    },
  );
}

/** The cspace object factory: a new cspace draws its CapID randomness from the partition tree. */
export function cspaceFactory(partition: Partition): Cspace {
  return new Cspace(partition, partition.services.random.fork());
}
