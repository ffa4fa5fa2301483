/**
 * The memextent object: a range of physical memory that can be mapped into
 * addrspaces, derived into child extents, and (sparse extents) receive and
 * give away memory by donation.
 *
 * HYP `hyp/mem/memextent/src/memextent.c`, `memextent_basic.c`,
 * `memextent_sparse.c` (gunyah-abi.md §1.6, §2.5):
 * - configure(phys_base, size, attrs) / configure_derive(parent, offset,
 *   size, attrs) while INIT: size 0 or wrap → ARGUMENT_INVALID; unaligned →
 *   ARGUMENT_ALIGNMENT; res0 bits, the append bit, access NONE, an unknown
 *   type or memtype CACHED (unsupported without S2FWB) → ARGUMENT_INVALID;
 *   a derive range outside the parent → ADDR_INVALID; a derive whose access
 *   exceeds the parent's, or whose memtype differs from a non-ANY parent's →
 *   ARGUMENT_INVALID.
 * - activate: unconfigured → OBJECT_CONFIG. A BASIC extent takes ownership
 *   of its whole range in the memdb (from its partition, or from its parent
 *   extent), MEMDB_NOT_OWNER if the owner does not hold all of it. A SPARSE
 *   extent without parent starts empty and receives memory by donation; a
 *   SPARSE extent derived from a BASIC parent takes the whole range.
 * - map: vbase aligned (ALIGNMENT); user and kernel access ⊆ the extent's
 *   access and a stage-2 memtype allowed by the extent's memtype
 *   (ARGUMENT_INVALID). BASIC: whole extent only, at most 4 mappings
 *   (MEMEXTENT_MAPPINGS_FULL). SPARSE: partial ranges allowed, in at most 4
 *   addrspaces; only the memory the extent owns is translated, and memory
 *   donated in or out later is mapped or unmapped accordingly.
 * - donate (SPARSE only): moves memdb ownership of
 *   `[phys_base + offset, + size)` between parent and child, or between
 *   siblings of one parent extent.
 * - destroy: unmaps everything and returns the memory to the parent extent
 *   or partition.
 *
 * - a derived extent takes over its parent's mappings of its range at
 *   activation (access reduced to its own; a BASIC child of a partially
 *   mapped range → ERROR_DENIED), and gives memory and translations back
 *   to the parent when destroyed.
 * - operations the extent type does not provide (partial map/unmap/update
 *   and donation on a BASIC extent) answer ERROR_MEMEXTENT_TYPE, HYP's
 *   default for an unhandled type selector, after the generic argument
 *   checks.
 *
 * Caches are not modelled: cache clean/flush operations validate their
 * arguments and do nothing, since host memory is coherent.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import {
  isDeviceS2Memtype,
  isValidS2Memtype,
  type MappingAttrs,
  type MemextentAttrs,
  MemextentMemtype,
  MemextentType,
  PgtableAccess,
  S2Memtype,
} from "../../abi/formats.ts";
import { type MemdbOwner, MemdbOwnerType } from "../../memory/memdb.ts";
import { PAGE_SIZE } from "../../abi/formats.ts";
import type { PhysicalMemory } from "../../memory/physical_memory.ts";
import type { Addrspace } from "../addrspace/addrspace.ts";
import { Stage2Entry } from "../addrspace/stage2_entry.ts";
import { GunyahObject } from "../object.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";

/** Mappings a BASIC extent may have, and addrspaces a SPARSE one may be mapped in (`MEMEXTENT_MAX_MAPS`). */
export const MEMEXTENT_MAX_MAPS = 4;
/** Largest physical address + 1 (36-bit physical addresses on the QEMU platform, gunyah-abi.md §9). */
export const PHYS_ADDR_LIMIT = 2 ** 36;

/** One mapping of (part of) the extent. */
export interface MemextentMapping {
  readonly addrspace: Addrspace;
  /** IPA of extent offset `offset`. */
  readonly vbase: number;
  /** Offset within the extent. */
  readonly offset: number;
  readonly size: number;
  readonly attrs: MappingAttrs;
}

/** Whether `requested` access is a subset of `allowed` (HYP `pgtable_access_check`). */
export function accessAllowed(allowed: number, requested: number): boolean {
  return (requested & ~allowed & 7) === 0;
}

function aligned(v: number): boolean {
  return v % PAGE_SIZE === 0;
}

/** A memextent. */
export class Memextent extends GunyahObject implements MemdbOwner {
  readonly type = ObjectType.MEMEXTENT;
  readonly memdbType = MemdbOwnerType.EXTENT;
  extentType: MemextentType = MemextentType.BASIC;
  physBase = 0;
  size = 0;
  memtype: MemextentMemtype = MemextentMemtype.ANY;
  access = 0;
  parent: Memextent | null = null;
  #mappings: MemextentMapping[] = [];
  #children = 0;
  #attachedSize = 0;

  constructor(partition: Partition) {
    super(partition);
  }

  get #memory(): PhysicalMemory {
    return this.partition!.services.physicalMemory;
  }

  /** Current mappings. */
  get mappings(): readonly MemextentMapping[] {
    return this.#mappings;
  }

  /** Whether the extent supports donation (SPARSE). */
  get supportsDonation(): boolean {
    return this.extentType === MemextentType.SPARSE;
  }

  /** memextent_configure. */
  configure(physBase: number, size: number, attrs: MemextentAttrs | null): void {
    this.requireInit();
    if (size <= 0 || physBase + size > PHYS_ADDR_LIMIT) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "empty or wrapping range");
    }
    if (!aligned(physBase) || !aligned(size)) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "range not page aligned");
    }
    const a = this.#validate(attrs);
    this.#checkBacking(physBase, size);
    this.#setup(physBase, size, a, null);
  }

  /** memextent_configure_derive. */
  configureDerive(
    parent: Memextent,
    offset: number,
    size: number,
    attrs: MemextentAttrs | null,
  ): void {
    this.requireInit();
    if (size <= 0 || offset + size > Number.MAX_SAFE_INTEGER) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "empty or wrapping range");
    }
    if (offset >= parent.size || offset + size > parent.size) {
      throwHypError(HypError.ERROR_ADDR_INVALID, "range outside the parent extent");
    }
    if (!aligned(offset) || !aligned(size)) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "range not page aligned");
    }
    const a = this.#validate(attrs);
    if (!accessAllowed(parent.access, a.access)) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "access exceeds the parent's");
    }
    if (parent.memtype !== MemextentMemtype.ANY && parent.memtype !== a.memtype) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "memtype differs from the parent's");
    }
    this.#setup(parent.physBase + offset, size, a, parent);
  }

  #validate(attrs: MemextentAttrs | null): MemextentAttrs {
    if (attrs === null || attrs.append) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "bad attributes");
    }
    if (attrs.memtype === MemextentMemtype.CACHED) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "CACHED memtype needs S2FWB");
    }
    if (attrs.access === PgtableAccess.NONE) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "access NONE");
    }
    return attrs;
  }

  /** The range must lie wholly in one RAM region or wholly outside RAM. */
  #checkBacking(physBase: number, size: number): void {
    if (this.#memory.regionFor(physBase, size)) return;
    for (const r of this.#memory.regions) {
      if (r.base < physBase + size && physBase < r.base + r.size) {
        throwHypError(HypError.ERROR_ARGUMENT_INVALID, "range straddles the edge of RAM");
      }
    }
  }

  #setup(physBase: number, size: number, a: MemextentAttrs, parent: Memextent | null): void {
    this.extentType = a.type;
    this.physBase = physBase;
    this.size = size;
    this.memtype = a.memtype;
    this.access = a.access;
    if (this.parent) this.parent.put();
    this.parent = parent ? parent.get() : null;
  }

  /** Who hands memory to this extent: the parent extent, or the partition. */
  get #source(): MemdbOwner {
    return this.parent ?? this.partition!;
  }

  protected override onActivate(): HypError {
    if (this.size === 0) return HypError.ERROR_OBJECT_CONFIG;
    const memdb = this.partition!.services.memdb;
    const parent = this.parent;
    // A parent attached to the hypervisor (an info area) cannot be derived from.
    if (parent !== null && parent.attachedSize !== 0) return HypError.ERROR_BUSY;
    const takesAll = this.extentType === MemextentType.BASIC ||
      (parent !== null && !parent.supportsDonation);
    if (takesAll) {
      const err = memdb.update(this.physBase, this.size, this.#source, this);
      if (err !== HypError.OK) return err;
    }
    if (parent !== null) {
      const err = this.#inheritMappings(parent);
      if (err !== HypError.OK) {
        if (takesAll) memdb.update(this.physBase, this.size, this, parent);
        return err;
      }
      parent.#children++;
    }
    return HypError.OK;
  }

  /** Bytes attached to the hypervisor's own address space (0 = not attached). */
  get attachedSize(): number {
    return this.#attachedSize;
  }

  /**
   * Attach a BASIC extent for the hypervisor's own use (HYP
   * `memextent_attach_basic`; the addrspace info area): ERROR_BUSY if it has
   * derived children; the memory is zeroed. Returns the backing bytes.
   */
  attach(): Uint8Array {
    if (this.extentType !== MemextentType.BASIC) {
      throwHypError(HypError.ERROR_MEMEXTENT_TYPE, "only BASIC extents can be attached");
    }
    if (this.#children !== 0) throwHypError(HypError.ERROR_BUSY, "the extent has derived children");
    const region = this.#memory.regionFor(this.physBase, this.size);
    if (!region) throwHypError(HypError.ERROR_ADDR_INVALID, "the extent is not RAM");
    const bytes = region.bytes.subarray(
      this.physBase - region.base,
      this.physBase - region.base + this.size,
    );
    bytes.fill(0);
    this.#attachedSize = this.size;
    return bytes;
  }

  /** Undo {@link attach}. */
  detach(): void {
    this.#attachedSize = 0;
  }

  /**
   * A derived extent takes over its parent's mappings of its range, with the
   * access reduced to its own (HYP `memextent_activate_derive_basic` /
   * `_sparse`). A BASIC child cannot represent a parent mapping that covers
   * only part of its range (ERROR_DENIED). The parent's translations of memory
   * that now belongs to the child are replaced by the child's.
   */
  #inheritMappings(parent: Memextent): HypError {
    const start = this.physBase - parent.physBase;
    const end = start + this.size;
    const inherited: MemextentMapping[] = [];
    for (const m of parent.#mappings) {
      if (m.offset >= end || m.offset + m.size <= start) continue;
      const from = Math.max(m.offset, start);
      const to = Math.min(m.offset + m.size, end);
      if (this.extentType === MemextentType.BASIC && (from !== start || to !== end)) {
        return HypError.ERROR_DENIED;
      }
      inherited.push({
        addrspace: m.addrspace,
        vbase: m.vbase + (from - m.offset),
        offset: from - start,
        size: to - from,
        attrs: {
          userAccess: m.attrs.userAccess & this.access,
          kernelAccess: m.attrs.kernelAccess & this.access,
          memtype: m.attrs.memtype,
        },
      });
    }
    parent.#dematerializeUnowned(this.physBase, this.size);
    for (const m of inherited) {
      this.#mappings.push(m);
      this.#materialize(m, this.physBase + m.offset, m.size);
    }
    return HypError.OK;
  }

  protected override onDeactivate(): void {
    this.unmapAll();
    if (this.parent !== null) this.parent.#children--;
    const memdb = this.partition!.services.memdb;
    const source = this.#source;
    for (const r of memdb.ranges.slice()) {
      if (r.owner !== this) continue;
      memdb.update(r.base, r.end - r.base, this, source);
      if (source instanceof Memextent) {
        for (const m of source.#mappings) source.#materialize(m, r.base, r.end - r.base);
      }
    }
  }

  protected override onCleanup(): void {
    if (this.parent) {
      this.parent.put();
      this.parent = null;
    }
  }

  // -------------------------------------------------------------------------
  // Mapping
  // -------------------------------------------------------------------------

  /** Whether stage-2 memtype `memtype` is allowed for this extent (HYP `memextent_check_memtype`). */
  allowsMemtype(memtype: number): boolean {
    if (!isValidS2Memtype(memtype)) return false;
    switch (this.memtype) {
      case MemextentMemtype.ANY:
        return true;
      case MemextentMemtype.DEVICE:
        return isDeviceS2Memtype(memtype);
      case MemextentMemtype.UNCACHED:
        return memtype === S2Memtype.NORMAL_NC;
      default:
        return false;
    }
  }

  #checkAttrs(attrs: MappingAttrs): void {
    if (
      !accessAllowed(this.access, attrs.userAccess) ||
      !accessAllowed(this.access, attrs.kernelAccess) || !this.allowsMemtype(attrs.memtype)
    ) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "mapping attributes exceed the extent's");
    }
  }

  /** Validate a partial range (`offset`, `size` within the extent, page aligned). */
  #checkPartial(vbase: number, offset: number, size: number): void {
    if (!aligned(vbase) || !aligned(offset) || !aligned(size)) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "range not page aligned");
    }
    if (size === 0 || offset + size > this.size || vbase + size > Number.MAX_SAFE_INTEGER) {
      throwHypError(HypError.ERROR_ARGUMENT_SIZE, "range outside the extent");
    }
  }

  /**
   * addrspace_map. `partial` = `{offset, size}` with the PARTIAL flag
   * (SPARSE extents only), else the whole extent.
   */
  map(
    addrspace: Addrspace,
    vbase: number,
    attrs: MappingAttrs,
    partial: { readonly offset: number; readonly size: number } | null,
  ): void {
    if (partial) this.#checkPartial(vbase, partial.offset, partial.size);
    else if (!aligned(vbase)) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "vbase not page aligned");
    }
    this.#checkAttrs(attrs);
    const offset = partial?.offset ?? 0;
    const size = partial?.size ?? this.size;
    if (vbase + size > 2 ** 48) throwHypError(HypError.ERROR_ADDR_OVERFLOW, "beyond the IPA space");
    if (this.extentType === MemextentType.BASIC) {
      if (partial) throwHypError(HypError.ERROR_MEMEXTENT_TYPE, "partial map of a BASIC extent");
      if (this.#mappings.length >= MEMEXTENT_MAX_MAPS) {
        throwHypError(
          HypError.ERROR_MEMEXTENT_MAPPINGS_FULL,
          `${MEMEXTENT_MAX_MAPS} mappings in use`,
        );
      }
    } else {
      const spaces = new Set(this.#mappings.map((m) => m.addrspace));
      if (!spaces.has(addrspace) && spaces.size >= MEMEXTENT_MAX_MAPS) {
        throwHypError(
          HypError.ERROR_MEMEXTENT_MAPPINGS_FULL,
          `mapped in ${MEMEXTENT_MAX_MAPS} addrspaces`,
        );
      }
    }
    const mapping: MemextentMapping = { addrspace, vbase, offset, size, attrs };
    this.#mappings.push(mapping);
    this.#materialize(mapping, this.physBase + offset, size);
  }

  /** Install translations of `mapping` for the part of `[phys, phys + size)` this extent owns. */
  #materialize(m: MemextentMapping, phys: number, size: number): void {
    const from = Math.max(phys, this.physBase + m.offset);
    const to = Math.min(phys + size, this.physBase + m.offset + m.size);
    const memdb = this.partition!.services.memdb;
    let at = from;
    while (at < to) {
      const owned = memdb.ranges.find((r) => r.owner === this && r.base <= at && r.end > at);
      if (!owned) {
        const next = memdb.ranges.find((r) => r.owner === this && r.base > at);
        if (!next) break;
        at = next.base;
        continue;
      }
      const end = Math.min(owned.end, to);
      const ipa = m.vbase + (at - this.physBase - m.offset);
      const region = this.#memory.regionFor(at, end - at);
      m.addrspace.install(
        new Stage2Entry(
          this,
          ipa,
          at,
          end - at,
          m.attrs.userAccess,
          m.attrs.kernelAccess,
          m.attrs.memtype,
          region
            ? {
              bytes: region.bytes,
              view: region.view,
              offset: at - region.base,
              memory: region.memory,
            }
            : null,
        ),
      );
      at = end;
    }
  }

  /** Remove translations of `[phys, phys + size)` whose memory this extent no longer owns. */
  #dematerializeUnowned(phys: number, size: number): void {
    const memdb = this.partition!.services.memdb;
    let at = phys;
    while (at < phys + size) {
      const owner = memdb.lookup(at);
      const range = memdb.ranges.find((r) => r.base <= at && r.end > at);
      const end = Math.min(range ? range.end : phys + size, phys + size);
      if (owner !== this) this.#dematerialize(at, end - at);
      at = end;
    }
  }

  /** Remove translations of `[phys, phys + size)` from every mapping. */
  #dematerialize(phys: number, size: number): void {
    for (const m of this.#mappings) {
      const from = Math.max(phys, this.physBase + m.offset);
      const to = Math.min(phys + size, this.physBase + m.offset + m.size);
      if (from < to) {
        m.addrspace.remove(this, m.vbase + (from - this.physBase - m.offset), to - from);
      }
    }
  }

  /**
   * addrspace_unmap: remove the mapping at `vbase` (whole extent), or with
   * `partial` the translations of extent range `[offset, offset + size)`
   * mapped at `vbase`. Nothing mapped there → ERROR_ADDR_INVALID.
   */
  unmap(
    addrspace: Addrspace,
    vbase: number,
    partial: { readonly offset: number; readonly size: number } | null,
  ): void {
    if (partial) this.#checkPartial(vbase, partial.offset, partial.size);
    else if (!aligned(vbase)) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "vbase not page aligned");
    }
    if (partial && this.extentType === MemextentType.BASIC) {
      throwHypError(HypError.ERROR_MEMEXTENT_TYPE, "partial unmap of a BASIC extent");
    }
    const offset = partial?.offset ?? 0;
    const size = partial?.size ?? this.size;
    const delta = vbase - offset;
    let found = false;
    const kept: MemextentMapping[] = [];
    for (const m of this.#mappings) {
      const overlaps = m.addrspace === addrspace && m.vbase - m.offset === delta &&
        m.offset < offset + size && offset < m.offset + m.size;
      if (!overlaps) {
        kept.push(m);
        continue;
      }
      found = true;
      const from = Math.max(m.offset, offset);
      const to = Math.min(m.offset + m.size, offset + size);
      addrspace.remove(this, delta + from, to - from);
      if (m.offset < from) kept.push({ ...m, size: from - m.offset });
      if (m.offset + m.size > to) {
        kept.push({ ...m, vbase: delta + to, offset: to, size: m.offset + m.size - to });
      }
    }
    if (!found) throwHypError(HypError.ERROR_ADDR_INVALID, "not mapped there");
    this.#mappings = kept;
  }

  /** addrspace_update_access, same addressing rules as {@link unmap}. */
  updateAccess(
    addrspace: Addrspace,
    vbase: number,
    userAccess: number,
    kernelAccess: number,
    partial: { readonly offset: number; readonly size: number } | null,
  ): void {
    if (!accessAllowed(this.access, userAccess) || !accessAllowed(this.access, kernelAccess)) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "access exceeds the extent's");
    }
    if (partial) this.#checkPartial(vbase, partial.offset, partial.size);
    else if (!aligned(vbase)) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "vbase not page aligned");
    }
    if (partial && this.extentType === MemextentType.BASIC) {
      throwHypError(HypError.ERROR_MEMEXTENT_TYPE, "partial update of a BASIC extent");
    }
    const offset = partial?.offset ?? 0;
    const size = partial?.size ?? this.size;
    const delta = vbase - offset;
    let found = false;
    const out: MemextentMapping[] = [];
    for (const m of this.#mappings) {
      const overlaps = m.addrspace === addrspace && m.vbase - m.offset === delta &&
        m.offset < offset + size && offset < m.offset + m.size;
      if (!overlaps) {
        out.push(m);
        continue;
      }
      found = true;
      const from = Math.max(m.offset, offset);
      const to = Math.min(m.offset + m.size, offset + size);
      const attrs = { ...m.attrs, userAccess, kernelAccess };
      if (m.offset < from) out.push({ ...m, size: from - m.offset });
      out.push({ ...m, vbase: delta + from, offset: from, size: to - from, attrs });
      if (m.offset + m.size > to) {
        out.push({ ...m, vbase: delta + to, offset: to, size: m.offset + m.size - to });
      }
      addrspace.updateAccess(this, delta + from, to - from, userAccess, kernelAccess);
    }
    if (!found) throwHypError(HypError.ERROR_ADDR_INVALID, "not mapped there");
    this.#mappings = out;
  }

  /** Remove every mapping (memextent_modify UNMAP_ALL, and on destruction). */
  unmapAll(): void {
    for (const m of this.#mappings) m.addrspace.remove(this, m.vbase, m.size);
    this.#mappings = [];
  }

  /** Forget mappings into an addrspace that is going away (its entries are already gone). */
  forgetAddrspace(addrspace: Addrspace): void {
    this.#mappings = this.#mappings.filter((m) => m.addrspace !== addrspace);
  }

  // -------------------------------------------------------------------------
  // memextent_modify range operations
  // -------------------------------------------------------------------------

  /** Validate a clean/zero range (HYP `memextent_clean_range`); returns its physical base. */
  #cleanRange(offset: number, size: number): number {
    if (this.memtype === MemextentMemtype.DEVICE || !accessAllowed(this.access, PgtableAccess.W)) {
      throwHypError(HypError.ERROR_DENIED, "device or read-only extent");
    }
    if (!aligned(offset) || !aligned(size)) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "unaligned");
    }
    if (size === 0) throwHypError(HypError.ERROR_ARGUMENT_SIZE, "empty range");
    if (offset + size > this.size) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "outside the extent");
    }
    return this.physBase + offset;
  }

  /** ZERO_RANGE: zero the pages of the range that this extent owns. */
  zeroRange(offset: number, size: number): void {
    const phys = this.#cleanRange(offset, size);
    for (const r of this.partition!.services.memdb.ranges) {
      if (r.owner !== this) continue;
      const from = Math.max(r.base, phys);
      const to = Math.min(r.end, phys + size);
      if (from < to && this.#memory.regionFor(from, to - from)) this.#memory.zero(from, to - from);
    }
  }

  /** CACHE_CLEAN_RANGE / CACHE_FLUSH_RANGE: argument checks only (host memory is coherent). */
  cacheMaintain(offset: number, size: number): void {
    this.#cleanRange(offset, size);
  }

  // -------------------------------------------------------------------------
  // Donation (SPARSE)
  // -------------------------------------------------------------------------

  #donationRange(offset: number, size: number, also?: Memextent): number {
    if (!aligned(offset) || !aligned(size)) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "unaligned");
    }
    const phys = this.physBase + offset;
    if (size === 0 || phys + size > PHYS_ADDR_LIMIT) {
      throwHypError(HypError.ERROR_ARGUMENT_SIZE, "bad size");
    }
    const inside = (m: Memextent) => phys >= m.physBase && phys + size <= m.physBase + m.size;
    if (!inside(this) || (also && !inside(also))) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "range outside the extent");
    }
    return phys;
  }

  /**
   * Donate `[physBase + offset, + size)` from this extent's parent (extent or
   * partition) to it, or back when `reverse`.
   */
  donateChild(offset: number, size: number, reverse: boolean): void {
    const phys = this.#donationRange(offset, size);
    if (!this.supportsDonation) {
      throwHypError(HypError.ERROR_MEMEXTENT_TYPE, "donation needs a SPARSE extent");
    }
    if (this.parent !== null && !this.parent.supportsDonation) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "the parent extent is not SPARSE");
    }
    const from = reverse ? this : this.#source;
    const to = reverse ? this.#source : this;
    this.#move(phys, size, from, to);
  }

  /** Donate `[physBase + offset, + size)` to a sibling extent with the same parent extent. */
  donateSibling(to: Memextent, offset: number, size: number): void {
    const phys = this.#donationRange(offset, size, to);
    if (to === this || this.parent === null || this.parent !== to.parent) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "not siblings");
    }
    if (!this.supportsDonation) {
      throwHypError(HypError.ERROR_MEMEXTENT_TYPE, "donation needs a SPARSE extent");
    }
    if (!to.supportsDonation) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "the receiving extent is not SPARSE");
    }
    this.#move(phys, size, this, to);
  }

  #move(phys: number, size: number, from: MemdbOwner, to: MemdbOwner): void {
    const memdb = this.partition!.services.memdb;
    if (!memdb.isOwner(phys, size, from)) {
      throwHypError(HypError.ERROR_MEMDB_NOT_OWNER, "the donor does not own the whole range");
    }
    if (from instanceof Memextent) from.#dematerialize(phys, size);
    const err = memdb.update(phys, size, from, to);
    if (err !== HypError.OK) throwHypError(err);
    if (to instanceof Memextent) {
      for (const m of to.#mappings) to.#materialize(m, phys, size);
    }
  }
}
