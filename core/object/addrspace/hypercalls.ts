/**
 * Hypercall adapters for addrspaces: attach_thread (0x2a), map (0x2b),
 * unmap (0x2c), update_access (0x2d), configure (0x2e), lookup (0x5a),
 * configure_info_area (0x5b), configure_vmmio (0x60), attach_vdevice (0x62). Lookups and rights follow
 * HYP `hyp/mem/addrspace/src/hypercalls.c` (gunyah-abi.md §1.5): attribute
 * and flag words are validated before any cap is looked up.
 *
 * @module
 */
import { HypError, throwHypError, throwIfError } from "../../abi/error.ts";
import {
  ADDRSPACE_MAP_FLAG_PARTIAL,
  ADDRSPACE_MAP_FLAGS_VALID,
  decodeAccessAttrs,
  decodeMappingAttrs,
  encodeMappingAttrs,
} from "../../abi/formats.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_ADDRSPACE_ADD_VMMIO_RANGE,
  CAP_RIGHTS_ADDRSPACE_ATTACH,
  CAP_RIGHTS_ADDRSPACE_LOOKUP,
  CAP_RIGHTS_ADDRSPACE_MAP,
  CAP_RIGHTS_MEMEXTENT_ATTACH,
  CAP_RIGHTS_MEMEXTENT_LOOKUP,
  CAP_RIGHTS_MEMEXTENT_MAP,
} from "../../abi/rights.ts";
import { lookupForConfigure } from "../../cspace/hypercalls.ts";
import type { HypercallContext } from "../../hypercall/context.ts";
import { argNumber, argU32, type HypercallTable } from "../../hypercall/table.ts";
import { isAttachableThread } from "../attachable_thread.ts";
import type { Memextent } from "../memextent/memextent.ts";
import { ObjectState, ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import { isVdeviceProvider } from "../vdevice.ts";
import { Addrspace } from "./addrspace.ts";

/** The addrspace object factory. */
export function addrspaceFactory(partition: Partition): Addrspace {
  return new Addrspace(partition);
}

function mapFlags(raw: bigint): number {
  if ((raw & ~BigInt(ADDRSPACE_MAP_FLAGS_VALID)) !== 0n) {
    throwHypError(HypError.ERROR_ARGUMENT_INVALID, "undefined map flags");
  }
  return Number(raw);
}

function lookupPair(
  ctx: HypercallContext,
  asCap: bigint,
  meCap: bigint,
  asRights: number,
  meRights: number,
): [Addrspace, Memextent] {
  const as = ctx.cspace.lookup<Addrspace>(asCap, ObjectType.ADDRSPACE, asRights);
  const me = ctx.cspace.lookup<Memextent>(meCap, ObjectType.MEMEXTENT, meRights);
  return [as, me];
}

function partialRange(flags: number, a: BigUint64Array, offsetArg: number) {
  return (flags & ADDRSPACE_MAP_FLAG_PARTIAL) !== 0
    ? { offset: argNumber(a, offsetArg), size: argNumber(a, offsetArg + 1) }
    : null;
}

/** Register the addrspace hypercalls. */
export function registerAddrspaceHypercalls(table: HypercallTable): void {
  table.registerHypercall(Hypercall.ADDRSPACE_CONFIGURE, "addrspace_configure", (ctx, a) => {
    const as = lookupForConfigure<Addrspace>(ctx, a[0], ObjectType.ADDRSPACE);
    if (a[1] > 0xffffn) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "VMID is 16 bits");
    as.configure(Number(a[1]));
  });
  table.registerHypercall(
    Hypercall.ADDRSPACE_ATTACH_THREAD,
    "addrspace_attach_thread",
    (ctx, a) => {
      const thread = lookupForConfigure(ctx, a[1], ObjectType.THREAD);
      const as = ctx.cspace.lookup<Addrspace>(
        a[0],
        ObjectType.ADDRSPACE,
        CAP_RIGHTS_ADDRSPACE_ATTACH,
      );
      if (thread.state !== ObjectState.INIT) {
        throwHypError(
          HypError.ERROR_OBJECT_STATE,
          "thread not INIT",
        );
      }
      if (!isAttachableThread(thread)) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "not a vCPU");
      throwIfError(thread.attachAddrspace(as));
    },
  );
  table.registerHypercall(Hypercall.ADDRSPACE_MAP, "addrspace_map", (ctx, a) => {
    const attrs = decodeMappingAttrs(a[3]);
    if (!attrs) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "res0 bits in map_attrs");
    const flags = mapFlags(a[4]);
    const [as, me] = lookupPair(
      ctx,
      a[0],
      a[1],
      CAP_RIGHTS_ADDRSPACE_MAP,
      CAP_RIGHTS_MEMEXTENT_MAP,
    );
    me.map(as, argNumber(a, 2), attrs, partialRange(flags, a, 5));
  });
  table.registerHypercall(Hypercall.ADDRSPACE_UNMAP, "addrspace_unmap", (ctx, a) => {
    const flags = mapFlags(a[3]);
    const [as, me] = lookupPair(
      ctx,
      a[0],
      a[1],
      CAP_RIGHTS_ADDRSPACE_MAP,
      CAP_RIGHTS_MEMEXTENT_MAP,
    );
    me.unmap(as, argNumber(a, 2), partialRange(flags, a, 4));
  });
  table.registerHypercall(
    Hypercall.ADDRSPACE_UPDATE_ACCESS,
    "addrspace_update_access",
    (ctx, a) => {
      const access = decodeAccessAttrs(a[3]);
      if (!access) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "res0 bits in access_attrs");
      const flags = mapFlags(a[4]);
      const [as, me] = lookupPair(
        ctx,
        a[0],
        a[1],
        CAP_RIGHTS_ADDRSPACE_MAP,
        CAP_RIGHTS_MEMEXTENT_MAP,
      );
      me.updateAccess(
        as,
        argNumber(a, 2),
        access.userAccess,
        access.kernelAccess,
        partialRange(flags, a, 5),
      );
    },
  );
  table.registerHypercall(Hypercall.ADDRSPACE_LOOKUP, "addrspace_lookup", (ctx, a, r) => {
    const [as, me] = lookupPair(
      ctx,
      a[0],
      a[1],
      CAP_RIGHTS_ADDRSPACE_LOOKUP,
      CAP_RIGHTS_MEMEXTENT_LOOKUP,
    );
    const vbase = argNumber(a, 2);
    const size = argNumber(a, 3);
    if (vbase % 0x1000 !== 0 || size % 0x1000 !== 0) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "unaligned lookup");
    }
    if (size === 0) throwHypError(HypError.ERROR_ARGUMENT_SIZE, "empty lookup");
    const e = as.lookupEntry(vbase);
    if (!e) throwHypError(HypError.ERROR_ADDR_INVALID, "not mapped");
    // HYP checks in the memdb that the extent owns the physical memory found.
    if (e.owner !== me) throwHypError(HypError.ERROR_MEMDB_NOT_OWNER, "mapped from another extent");
    // Extend over adjacent entries that continue the same physical range with the same attributes.
    let end = e.ipaEnd;
    while (end < vbase + size) {
      const n = as.lookupEntry(end);
      if (
        !n || n.owner !== me || n.phys !== e.phys + (end - e.ipaBase) || n.access !== e.access ||
        n.userAccess !== e.userAccess || n.memtype !== e.memtype
      ) break;
      end = n.ipaEnd;
    }
    r[1] = BigInt(e.phys + (vbase - e.ipaBase) - me.physBase);
    r[2] = BigInt(Math.min(end, vbase + size) - vbase);
    r[3] = encodeMappingAttrs({
      userAccess: e.userAccess,
      kernelAccess: e.access,
      memtype: e.memtype,
    });
  });
  table.registerHypercall(
    Hypercall.ADDRSPACE_CONFIGURE_INFO_AREA,
    "addrspace_configure_info_area",
    (ctx, a) => {
      const as = lookupForConfigure<Addrspace>(ctx, a[0], ObjectType.ADDRSPACE);
      const me = ctx.cspace.lookup<Memextent>(
        a[1],
        ObjectType.MEMEXTENT,
        CAP_RIGHTS_MEMEXTENT_ATTACH,
      );
      as.configureInfoArea(me, argNumber(a, 2));
    },
  );
  table.registerHypercall(
    Hypercall.ADDRSPACE_CONFIGURE_VMMIO,
    "addrspace_configure_vmmio",
    (ctx, a) => {
      const as = ctx.cspace.lookup<Addrspace>(
        a[0],
        ObjectType.ADDRSPACE,
        CAP_RIGHTS_ADDRSPACE_ADD_VMMIO_RANGE,
      );
      as.configureVmmio(argNumber(a, 1), argNumber(a, 2), argU32(a, 3));
    },
  );
  table.registerHypercall(
    Hypercall.ADDRSPACE_ATTACH_VDEVICE,
    "addrspace_attach_vdevice",
    (ctx, a) => {
      const as = ctx.cspace.lookup<Addrspace>(a[0], ObjectType.ADDRSPACE, CAP_RIGHTS_ADDRSPACE_MAP);
      const candidate = ctx.cspace.lookupAny(a[1], 0);
      if (!isVdeviceProvider(candidate)) {
        throwHypError(HypError.ERROR_ARGUMENT_INVALID, "not a vdevice");
      }
      const vdevice = ctx.cspace.lookup(a[1], candidate.type, candidate.vdeviceAttachRights);
      if (!isVdeviceProvider(vdevice)) {
        throwHypError(
          HypError.ERROR_ARGUMENT_INVALID,
          "not a vdevice",
        );
      }
      vdevice.attachToAddrspace(as, argU32(a, 2), argNumber(a, 3), argNumber(a, 4), a[5]);
    },
  );
}
