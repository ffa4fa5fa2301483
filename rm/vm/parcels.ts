/**
 * What the VM lifecycle needs from the memory-parcel service (rm/mem, MEM_*
 * requests, gunyah-abi.md §5.4): find a parcel by handle, see its ACL and
 * SGL, read and patch its bytes (the RM reads the VM's devicetree and writes
 * its `/hypervisor` overlay there, as the Gunyah RM maps the DT parcel), map
 * it into a VM being built (what MEM_ACCEPT does for a running VM; the RM
 * accepts the image parcel on the new VM's behalf at VM_INIT), and release
 * everything a VM holds when it is deallocated.
 *
 * @module
 */
import { ParcelManager } from "../mem/parcels.ts";

/** ACL rights bits (gunyah-abi.md §5.4: bit0 X, bit1 W, bit2 R). */
export const ParcelRights = { X: 1, W: 2, R: 4 } as const;

/** One ACL entry. */
export interface ParcelAclEntry {
  readonly vmid: number;
  readonly rights: number;
}

/** One SGL entry, in the owner's IPA space. */
export interface ParcelSglEntry {
  readonly ipa: bigint;
  readonly size: bigint;
}

/** A memory parcel, as the lifecycle sees it. */
export interface MemParcel {
  readonly handle: number;
  /** The lender / sharer. */
  readonly owner: number;
  readonly label: number;
  readonly acl: readonly ParcelAclEntry[];
  readonly sgl: readonly ParcelSglEntry[];
  /** Total bytes (sum of the SGL sizes). */
  readonly size: bigint;
}

/** The parcel service, from the lifecycle's side. */
export interface ParcelDirectory {
  /** The parcel with `handle`, or null. */
  lookup(handle: number): MemParcel | null;
  /**
   * The bytes `[offset, offset + length)` of the parcel, as a live view
   * (writes land in the parcel's memory); null if out of range or the range
   * is not contiguous in physical memory.
   */
  bytes(handle: number, offset: bigint, length: number): Uint8Array | null;
  /**
   * A copy of the bytes `[offset, offset + length)` of the parcel, which may
   * span regions that are not contiguous in physical memory (a VMM's pinned
   * pages rarely are); null if out of range.
   */
  read(handle: number, offset: bigint, length: number): Uint8Array | null;
  /** Write `data` at `offset` of the parcel, across its regions; false if out of range. */
  write(handle: number, offset: bigint, data: Uint8Array): boolean;
  /**
   * Map the whole parcel into `vmid`'s address space `addrspaceCap` (RM
   * cspace) at `ipa`, with the rights its ACL gives `vmid`, as an accept on
   * the VM's behalf. Throws an error carrying an RM error code on failure.
   */
  mapForVm(handle: number, vmid: number, addrspaceCap: bigint, ipa: bigint): void;
  /** VM `vmid` is being deallocated: release / reclaim every parcel it holds or lent. */
  releaseAllFor(vmid: number): void;
}

/** Physical RAM as the RM may read and write it: a view of `[base, base + length)` or null. */
export type PhysicalView = (base: number, length: number) => Uint8Array | null;

/**
 * The lifecycle's view of rm/mem's {@link ParcelManager}: lookups by handle,
 * bytes through `physical`, accept on the VM's behalf, release on reset and
 * deallocation.
 */
export function parcelDirectoryOver(m: ParcelManager, physical?: PhysicalView): ParcelDirectory {
  /** Call `each(view, at)` for every piece of `[offset, offset + length)`, region by region. */
  const pieces = (
    handle: number,
    offset: bigint,
    length: number,
    each: (view: Uint8Array, at: number) => void,
  ): boolean => {
    const p = m.get(handle);
    if (!p || !physical || offset < 0n || length < 0) return false;
    const end = offset + BigInt(length);
    const views: [Uint8Array, number][] = [];
    let base = 0n;
    for (const r of p.regions) {
      const rEnd = base + BigInt(r.size);
      const from = offset > base ? offset : base;
      const to = end < rEnd ? end : rEnd;
      if (from < to) {
        const view = physical(r.phys + Number(from - base), Number(to - from));
        if (!view) return false;
        views.push([view, Number(from - offset)]);
      }
      base = rEnd;
    }
    if (end > base) return false;
    for (const [view, at] of views) each(view, at);
    return true;
  };
  return {
    lookup(handle) {
      const p = m.get(handle);
      if (!p) return null;
      return {
        handle,
        owner: p.owner,
        label: p.label,
        acl: p.vms.map((v) => ({ vmid: v.vmid, rights: v.rights })),
        sgl: p.regions.map((r) => ({ ipa: BigInt(r.ownerIpa), size: BigInt(r.size) })),
        size: BigInt(ParcelManager.size(p)),
      };
    },
    bytes(handle, offset, length) {
      const p = m.get(handle);
      if (!p || !physical || offset < 0n) return null;
      let at = 0n;
      for (const r of p.regions) {
        const end = at + BigInt(r.size);
        if (offset >= at && offset + BigInt(length) <= end) {
          return physical(r.phys + Number(offset - at), length);
        }
        at = end;
      }
      return null;
    },
    read(handle, offset, length) {
      const out = new Uint8Array(length);
      return pieces(handle, offset, length, (view, at) => out.set(view, at)) ? out : null;
    },
    write(handle, offset, data) {
      return pieces(
        handle,
        offset,
        data.length,
        (view, at) => view.set(data.subarray(at, at + view.length)),
      );
    },
    mapForVm(handle, vmid, _addrspaceCap, ipa) {
      m.acceptFor(handle, vmid, Number(ipa));
    },
    releaseAllFor(vmid) {
      m.releaseAllFor(vmid);
    },
  };
}
