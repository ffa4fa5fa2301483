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
   * Map the whole parcel into `vmid`'s address space `addrspaceCap` (RM
   * cspace) at `ipa`, with the rights its ACL gives `vmid`, as an accept on
   * the VM's behalf. Throws an error carrying an RM error code on failure.
   */
  mapForVm(handle: number, vmid: number, addrspaceCap: bigint, ipa: bigint): void;
  /** VM `vmid` is being deallocated: release / reclaim every parcel it holds or lent. */
  releaseAllFor(vmid: number): void;
}
