/**
 * A cspace of a native component's own, made by the composition root with
 * hypercalls in the root cspace (partition_create_cspace, cspace_configure,
 * object_activate) from the partition the component allocates from, holding
 * its own cap and a copy of that partition's cap: the component then reaches only the objects whose caps are
 * copied into it (`copyIn`) or that it creates.
 *
 * @module
 */
import { type Cspace, type Hypervisor, ObjectType } from "@gunyah-ts/core";
import { errorFromRegister, errorName, Hypercall, HypError } from "@gunyah-ts/core/abi";

/** Every right a cap can carry (a rights mask keeps the source's rights). */
const ALL_RIGHTS = 0xffff_ffffn;

/** A component's own cspace, as the root cspace sees it and as the component does. */
export interface ComponentCspace {
  /** The cspace object. */
  readonly cspace: Cspace;
  /** Its cap in the root cspace. */
  readonly rootCap: bigint;
  /** Its cap in itself (the component's `cspaceCap`). */
  readonly selfCap: bigint;
  /** Its partition's cap in it (the component's `partitionCap`). */
  readonly partitionCap: bigint;
  /** Copy the root cspace's cap `cap` into it with all its rights; the new CapID. */
  copyIn(cap: bigint): bigint;
  /** Copy `other`'s cap `cap` into it with all its rights; the new CapID. */
  copyFrom(other: ComponentCspace, cap: bigint): bigint;
}

/**
 * Make a cspace of `maxCaps` caps for component `name`, allocated from the
 * partition `partitionCap` names in the root cspace (default the root
 * partition), which is also the partition cap the component gets.
 */
export function createComponentCspace(
  hv: Hypervisor,
  name: string,
  maxCaps: number,
  partitionCap: bigint = hv.rootPartitionCap,
): ComponentCspace {
  const ctx = hv.nativeContext(hv.rootCspace, hv.rootPartition);
  const call = (what: string, n: number, ...a: bigint[]): bigint[] => {
    const r = hv.dispatcher.table.call(ctx, n, ...a);
    const err = errorFromRegister(r[0]);
    if (err !== HypError.OK) {
      throw new Error(`${name}'s cspace: ${what} failed with ${errorName(err)} (${err})`);
    }
    return r;
  };
  const rootCap = call(
    "partition_create_cspace",
    Hypercall.PARTITION_CREATE_CSPACE,
    partitionCap,
    hv.rootCspaceCap,
    0n,
  )[1];
  call("cspace_configure", Hypercall.CSPACE_CONFIGURE, rootCap, BigInt(maxCaps), 0n);
  call("object_activate", Hypercall.OBJECT_ACTIVATE, rootCap, 0n);
  const copy = (fromCspace: bigint, cap: bigint) =>
    call(
      "cspace_copy_cap_from",
      Hypercall.CSPACE_COPY_CAP_FROM,
      fromCspace,
      cap,
      rootCap,
      ALL_RIGHTS,
      0n,
    )[1];
  const copyIn = (cap: bigint) => copy(hv.rootCspaceCap, cap);
  return {
    cspace: hv.rootCspace.lookup<Cspace>(rootCap, ObjectType.CSPACE, 0, false),
    rootCap,
    selfCap: copyIn(rootCap),
    partitionCap: copyIn(partitionCap),
    copyIn,
    copyFrom: (other, cap) => copy(other.rootCap, cap),
  };
}
