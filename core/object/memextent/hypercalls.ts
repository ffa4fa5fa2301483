/**
 * Hypercall adapters for memextents: memextent_modify (0x30),
 * memextent_configure (0x31), memextent_configure_derive (0x32),
 * memextent_donate (0x61). Lookups and rights follow HYP
 * `hyp/mem/memextent/src/hypercalls.c` (gunyah-abi.md §1.5).
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import {
  decodeMemextentAttrs,
  MEMEXTENT_DONATE_NO_SYNC,
  MEMEXTENT_MODIFY_NO_SYNC,
  MemextentDonateType,
  MemextentModifyOp,
} from "../../abi/formats.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_MEMEXTENT_DERIVE,
  CAP_RIGHTS_MEMEXTENT_DONATE,
  CAP_RIGHTS_MEMEXTENT_MAP,
  CAP_RIGHTS_PARTITION_DONATE,
} from "../../abi/rights.ts";
import { lookupForConfigure } from "../../cspace/hypercalls.ts";
import type { HypercallContext } from "../../hypercall/context.ts";
import { argNumber, argU32, type HypercallTable } from "../../hypercall/table.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import { Memextent } from "./memextent.ts";

function lookupMemextent(ctx: HypercallContext, cap: bigint, rights: number): Memextent {
  return ctx.cspace.lookup<Memextent>(cap, ObjectType.MEMEXTENT, rights);
}

/** The memextent object factory. */
export function memextentFactory(partition: Partition): Memextent {
  return new Memextent(partition);
}

/** Register the memextent hypercalls. */
export function registerMemextentHypercalls(table: HypercallTable): void {
  table.registerHypercall(Hypercall.MEMEXTENT_CONFIGURE, "memextent_configure", (ctx, a) => {
    const me = lookupForConfigure<Memextent>(ctx, a[0], ObjectType.MEMEXTENT);
    me.configure(argNumber(a, 1), argNumber(a, 2), decodeMemextentAttrs(a[3]));
  });
  table.registerHypercall(
    Hypercall.MEMEXTENT_CONFIGURE_DERIVE,
    "memextent_configure_derive",
    (ctx, a) => {
      const parent = lookupMemextent(ctx, a[1], CAP_RIGHTS_MEMEXTENT_DERIVE);
      const me = lookupForConfigure<Memextent>(ctx, a[0], ObjectType.MEMEXTENT);
      me.configureDerive(parent, argNumber(a, 2), argNumber(a, 3), decodeMemextentAttrs(a[4]));
    },
  );
  table.registerHypercall(Hypercall.MEMEXTENT_MODIFY, "memextent_modify", (ctx, a) => {
    const me = lookupMemextent(ctx, a[0], CAP_RIGHTS_MEMEXTENT_MAP);
    const flags = a[1];
    if ((flags & ~BigInt(0xff | MEMEXTENT_MODIFY_NO_SYNC)) !== 0n) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "undefined modify flags");
    }
    const op = Number(flags & 0xffn);
    const noSync = (flags & BigInt(MEMEXTENT_MODIFY_NO_SYNC)) !== 0n;
    switch (op) {
      case MemextentModifyOp.UNMAP_ALL:
        me.unmapAll();
        return;
      case MemextentModifyOp.ZERO_RANGE:
      case MemextentModifyOp.CACHE_CLEAN_RANGE:
      case MemextentModifyOp.CACHE_FLUSH_RANGE:
        if (!noSync) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "range ops need NO_SYNC");
        if (op === MemextentModifyOp.ZERO_RANGE) me.zeroRange(argNumber(a, 2), argNumber(a, 3));
        else me.cacheMaintain(argNumber(a, 2), argNumber(a, 3));
        return;
      case MemextentModifyOp.SYNC_ALL:
        if (noSync) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "SYNC_ALL with NO_SYNC");
        return; // every change is already visible (generation counters)
      default:
        throwHypError(HypError.ERROR_ARGUMENT_INVALID, `modify op ${op}`);
    }
  });
  table.registerHypercall(Hypercall.MEMEXTENT_DONATE, "memextent_donate", (ctx, a) => {
    const options = argU32(a, 0);
    if ((options & ~(0xff | MEMEXTENT_DONATE_NO_SYNC)) !== 0 || a[0] > 0xffffffffn) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "undefined donate options");
    }
    const type = options & 0xff;
    const offset = argNumber(a, 3);
    const size = argNumber(a, 4);
    switch (type) {
      case MemextentDonateType.TO_CHILD:
      case MemextentDonateType.TO_PARENT: {
        const toChild = type === MemextentDonateType.TO_CHILD;
        const child = lookupMemextent(ctx, toChild ? a[2] : a[1], CAP_RIGHTS_MEMEXTENT_DONATE);
        const parentCap = toChild ? a[1] : a[2];
        if (child.parent) {
          const p = lookupMemextent(ctx, parentCap, CAP_RIGHTS_MEMEXTENT_DONATE);
          if (p !== child.parent) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "not the parent");
        } else {
          const p = ctx.cspace.lookup<Partition>(
            parentCap,
            ObjectType.PARTITION,
            CAP_RIGHTS_PARTITION_DONATE,
          );
          if (p !== child.partition) {
            throwHypError(HypError.ERROR_ARGUMENT_INVALID, "not the parent");
          }
        }
        child.donateChild(offset, size, !toChild);
        return;
      }
      case MemextentDonateType.TO_SIBLING: {
        const from = lookupMemextent(ctx, a[1], CAP_RIGHTS_MEMEXTENT_DONATE);
        const to = lookupMemextent(ctx, a[2], CAP_RIGHTS_MEMEXTENT_DONATE);
        from.donateSibling(to, offset, size);
        return;
      }
      default:
        throwHypError(HypError.ERROR_ARGUMENT_INVALID, `donate type ${type}`);
    }
  });
}
