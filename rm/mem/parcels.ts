/**
 * Memory parcels (gunyah-abi.md §5.4; RM `src/memparcel/memparcel.c`): a
 * VM (the owner) lends, shares or donates ranges of its own RAM to other
 * VMs named in an ACL; they accept it at IPAs of their choosing, release it,
 * and the owner reclaims it.
 *
 * Backing, through hypercalls only (gunyah-abi.md §1.5, §2.5): every region
 * of a parcel (one physically contiguous piece of an SGL entry) is a BASIC
 * memextent derived from the owner's RAM extent (`memextent_configure_derive`
 * + `object_activate`): it takes the memory over in the memdb and inherits
 * the owner's stage-2 mapping of it. Then
 * - LEND / DONATE: `addrspace_unmap` of that mapping from the owner — the
 *   owner's accesses to those pages now find no RAM (a stage-2 fault);
 * - SHARE: the owner keeps it, with its ACL rights (`addrspace_update_access`);
 * - ACCEPT: `addrspace_map` of each region into the borrower at the IPA it
 *   chose (or the RM chose), access = its ACL rights, memtype from the
 *   attribute list;
 * - RELEASE: `addrspace_unmap` from the borrower;
 * - RECLAIM: `memextent_modify(ZERO_RANGE)` if SANITIZE was asked for, then
 *   `cspace_delete_cap_from` of the derived extent: HYP gives its memory back
 *   to the parent extent, whose mapping in the owner translates it again;
 * - DONATE + ACCEPT: the region becomes the recipient's own memory (it may
 *   lend it on) and the parcel is gone.
 * SANITIZE at creation zeroes the regions at once (`memextent_modify`).
 *
 * A VM's own RAM is given to this registry with {@link ParcelManager.addOwnedMemory}
 * (the RM does it when it builds the VM). A BASIC extent has at most 4
 * mappings (HYP `MEMEXTENT_MAX_MAPS`), so a parcel reaches at most 4 VMs
 * (owner included for SHARE); more is RM_ERROR_NORESOURCE.
 *
 * Error codes follow the RM: handle unknown → HANDLE_INVALID; a caller that
 * is not the owner → DENIED; accept by a VM not in the ACL → VMID_INVALID;
 * accept by the owner or twice → DENIED; release when not accepted →
 * MEM_RELEASED; reclaim while accepted → MEM_INUSE; an SGL range that is
 * not the caller's RAM, or already in a parcel → MEM_INVALID; unaligned
 * ranges, bad rights or attributes, duplicate VMIDs → ARGUMENT_INVALID.
 *
 * @module
 */
import {
  encodeMappingAttrs,
  encodeMemextentAttrs,
  errorFromRegister,
  errorName,
  Hypercall,
  HypError,
  MEMEXTENT_MODIFY_NO_SYNC,
  MemextentMemtype,
  MemextentModifyOp,
  MemextentType,
  PAGE_SIZE,
  PgtableAccess,
  S2Memtype,
} from "@gunyah-ts/core/abi";
import type { HypercallPort } from "@gunyah-ts/core/plugin";
import { RmError, RmMsg, RmNotify, Vmid } from "../abi.ts";
import { RmRequestError } from "../error.ts";
import {
  type AcceptRequest,
  type AclEntry,
  type AppendRequest,
  type AttrEntry,
  type CreateRequest,
  encodeAcceptReply,
  encodeOwnerNotice,
  encodeRecall,
  encodeShared,
  type LookupRequest,
  MEM_ACCEPT_RESP_FLAG_INCOMPLETE,
  MEM_APPEND_FLAG_DONE,
  MEM_HANDLE_INVALID,
  MEM_MAX_LIST_ENTRIES,
  MEM_RELEASE_FLAG_SANITIZE,
  MemAcceptFlag,
  MemAttr,
  MemCreateFlag,
  MemNotifyFlag,
  MemRights,
  MemType,
  type NotifyRequest,
  type SglEntry,
  TransType,
} from "./wire.ts";

/** Parcels one VM may own at a time (RM `MAX_MEMPARCEL_PER_VM`). */
export const MAX_PARCELS_PER_VM = 64;
/** VMs one parcel may be mapped in: a BASIC extent's mappings (HYP `MEMEXTENT_MAX_MAPS`). */
export const MAX_PARCEL_MAPPINGS = 4;
/** IPAs are below 2^36 on the QEMU platform (`PLATFORM_VM_ADDRESS_SPACE_BITS`). */
export const PARCEL_IPA_LIMIT = 2 ** 36;
/**
 * Where the RM places accepted parcels when the borrower names no IPA: the
 * upper half of the 36-bit IPA space, above any VM's RAM and devices.
 */
export const PARCEL_IPA_WINDOW = { base: 2 ** 35, end: 2 ** 36 } as const;

/** Parcel states (RM `MEMPARCEL_STATE_*`). */
export const ParcelState = {
  /** Created with the APPEND flag; SGL still arriving by MEM_APPEND. */
  BUILDING: 0,
  /** Complete; no borrower has it mapped. */
  SHARING: 1,
  /** At least one borrower accepted it. */
  SHARED: 2,
} as const;

/** A range of a VM's own RAM: mapped at `ipa` in its addrspace from `extent`. */
export interface OwnedRegion {
  readonly ipa: number;
  readonly phys: number;
  readonly size: number;
  /** The memextent (RM cspace) whose mapping gives the VM this RAM. */
  readonly extent: bigint;
}

/** One physically contiguous region of a parcel. */
export interface ParcelRegion {
  /** IPA in the owner's address space (its SGL entry). */
  readonly ownerIpa: number;
  readonly phys: number;
  readonly size: number;
  /** The derived memextent holding the region (RM cspace). */
  readonly extent: bigint;
}

/** One VM of a parcel's ACL and what it did with the parcel. */
export interface ParcelVm {
  readonly vmid: number;
  readonly rights: number;
  attr: number;
  /** IPAs chosen for each region (or one, contiguous); null before the first accept. */
  ipas: number[] | null;
  contiguous: boolean;
  /** How many RM-chosen IPAs the VM was told of (at most 512 per MEM_ACCEPT reply). */
  reported: number;
  /** Mapped in the VM (MEM_ACCEPT with DONE). */
  accepted: boolean;
  /** The addrspace (RM cspace) it is mapped in, once accepted. */
  addrspace: bigint | null;
}

/** A memory parcel. */
export interface Parcel {
  readonly handle: number;
  readonly owner: number;
  readonly transType: number;
  readonly memType: number;
  readonly label: number;
  state: number;
  memInfoTag: number | null;
  readonly sanitizeCreate: boolean;
  sanitizeReclaim: boolean;
  readonly vms: ParcelVm[];
  readonly attrs: AttrEntry[];
  readonly regions: ParcelRegion[];
}

/** What the parcel registry needs from the RM. */
export interface ParcelHost {
  /** Hypercalls in the RM's cspace. */
  readonly port: HypercallPort;
  /** The RM's partition and cspace caps. */
  readonly env: { readonly partitionCap: bigint; readonly cspaceCap: bigint };
  /** Whether a VM with this VMID exists. */
  exists(vmid: number): boolean;
  /** The addrspace cap (RM cspace) of a built VM, or null. */
  addrspace(vmid: number): bigint | null;
  /** Send a notification to a VM (if it has an RM channel). */
  notify(vmid: number, msgId: number, payload: Uint8Array): void;
  /** Diagnostics. */
  log?(message: string): void;
}

function fail(code: number, message: string): never {
  throw new RmRequestError(code, message);
}

const hex = (n: number) => `0x${n.toString(16)}`;
const aligned = (n: number) => n % PAGE_SIZE === 0;

/** Gunyah access of ACL rights (RM `mem_rights_to_pgtable_access`: same bit order X=1, W=2, R=4). */
export function rightsToAccess(rights: number): number {
  return rights & PgtableAccess.RWX;
}

/** Stage-2 memtype of an attribute (RM `mem_attr_to_map_memtype`). */
export function attrToMemtype(attr: number): number {
  switch (attr) {
    case MemAttr.DEVICE:
      return S2Memtype.DEVICE_nGnRE;
    case MemAttr.UNCACHED:
      return S2Memtype.NORMAL_NC;
    default:
      return S2Memtype.NORMAL_WB;
  }
}

const VALID_RIGHTS: ReadonlySet<number> = new Set([
  MemRights.R,
  MemRights.RX,
  MemRights.RW,
  MemRights.RWX,
]);

/** VMIDs a parcel may name (RM `vmid_valid`): HLOS, the RM, secondary (< 64) and dynamic VMs. */
export function parcelVmidValid(vmid: number): boolean {
  return vmid === Vmid.HLOS || vmid === Vmid.RM || (vmid > 0 && vmid < 64) ||
    (vmid >= Vmid.DYNAMIC_FIRST && vmid <= Vmid.DYNAMIC_LAST);
}

/** The RM's memory-parcel registry. */
export class ParcelManager {
  readonly #host: ParcelHost;
  readonly #parcels = new Map<number, Parcel>();
  readonly #owned = new Map<number, OwnedRegion[]>();
  #nextHandle = 0;

  constructor(host: ParcelHost) {
    this.#host = host;
  }

  // -------------------------------------------------------------------------
  // The API other RM parts use
  // -------------------------------------------------------------------------

  /** Record RAM VM `vmid` owns (and may lend): mapped at `region.ipa` from `region.extent`. */
  addOwnedMemory(vmid: number, region: OwnedRegion): void {
    const list = this.#owned.get(vmid) ?? [];
    list.push(region);
    list.sort((a, b) => a.ipa - b.ipa);
    this.#owned.set(vmid, list);
  }

  /**
   * Forget the owned range of `vmid` that starts at physical `phys` (RAM the
   * platform takes back); refused with MEM_INUSE while any page of it is in a
   * parcel. Returns the record (its extent is the caller's to delete).
   */
  removeOwnedMemory(vmid: number, phys: number): OwnedRegion {
    const list = this.#owned.get(vmid) ?? [];
    const i = list.findIndex((r) => r.phys === phys);
    if (i < 0) fail(RmError.MEM_INVALID, `VM ${hex(vmid)} owns no RAM at physical ${hex(phys)}`);
    const o = list[i];
    for (const p of this.#parcels.values()) {
      if (p.regions.some((r) => r.phys < o.phys + o.size && o.phys < r.phys + r.size)) {
        fail(
          RmError.MEM_INUSE,
          `RAM ${hex(o.phys)}+${hex(o.size)} of VM ${hex(vmid)} is in parcel ${hex(p.handle)}`,
        );
      }
    }
    list.splice(i, 1);
    if (list.length === 0) this.#owned.delete(vmid);
    return o;
  }

  /** The RAM VM `vmid` owns. */
  ownedMemory(vmid: number): readonly OwnedRegion[] {
    return this.#owned.get(vmid) ?? [];
  }

  /** The parcel with `handle`, or null. */
  get(handle: number): Readonly<Parcel> | null {
    return this.#parcels.get(handle) ?? null;
  }

  /** Every parcel. */
  get all(): readonly Readonly<Parcel>[] {
    return [...this.#parcels.values()];
  }

  /** Total bytes of a parcel. */
  static size(p: Readonly<Parcel>): number {
    return p.regions.reduce((s, r) => s + r.size, 0);
  }

  /**
   * The IPA in `vmid`'s address space of byte `offset` of the parcel, once
   * `vmid` accepted it (or, for the owner, in its SGL); null otherwise.
   */
  ipaOf(handle: number, vmid: number, offset: number): number | null {
    const p = this.#parcels.get(handle);
    if (!p) return null;
    let at = 0;
    const info = p.vms.find((v) => v.vmid === vmid);
    for (let i = 0; i < p.regions.length; i++) {
      const r = p.regions[i];
      if (offset >= at && offset < at + r.size) {
        if (vmid === p.owner) return r.ownerIpa + (offset - at);
        if (!info?.accepted || !info.ipas) return null;
        return info.contiguous ? info.ipas[0] + offset : info.ipas[i] + (offset - at);
      }
      at += r.size;
    }
    return null;
  }

  /**
   * Accept parcel `handle` on behalf of `vmid` (which must be in its ACL),
   * mapped contiguously at `ipa`, as the RM does for a VM's own memory at
   * VM_INIT. `addrspace` (RM cspace) is the VM's address space when the RM
   * does not know it yet (a VM being built); by default the host's.
   * Throws {@link RmRequestError}.
   */
  acceptFor(handle: number, vmid: number, ipa: number, addrspace?: bigint): void {
    const p = this.#lookup(handle);
    this.#accept(vmid, {
      handle,
      memType: p.memType,
      transType: p.transType,
      flags: MemAcceptFlag.DONE | MemAcceptFlag.MAP_CONTIGUOUS,
      label: p.label,
      acl: [],
      sgl: [{ ipa, size: ParcelManager.size(p) }],
      mapVmid: 0,
      attrs: [],
    }, addrspace);
  }

  /**
   * VM `vmid` goes away: every parcel it accepted is released (the owner is
   * told with MEM_RELEASED), every parcel it owns is unmapped from its
   * borrowers and reclaimed, and its RAM record is dropped. Call it before
   * destroying the VM's objects.
   */
  releaseAllFor(vmid: number): void {
    for (const p of [...this.#parcels.values()]) {
      const info = p.vms.find((v) => v.vmid === vmid);
      if (p.owner !== vmid && info && (info.accepted || info.ipas)) {
        this.release(vmid, p.handle, 0);
        this.#host.notify(
          p.owner,
          RmNotify.MEM_RELEASED,
          encodeOwnerNotice(p.handle, vmid, p.memInfoTag ?? 0),
        );
      }
    }
    for (const p of [...this.#parcels.values()]) {
      if (p.owner !== vmid) continue;
      for (const v of p.vms) if (v.accepted && v.vmid !== vmid) this.#unmapFrom(p, v);
      this.#destroy(p);
    }
    this.#owned.delete(vmid);
  }

  // -------------------------------------------------------------------------
  // MEM_LEND / MEM_SHARE / MEM_DONATE / MEM_APPEND
  // -------------------------------------------------------------------------

  /** Create a parcel of `caller`'s memory; returns its handle. */
  create(caller: number, msgId: number, req: CreateRequest): number {
    const transType = msgId === RmMsg.MEM_LEND
      ? TransType.LEND
      : msgId === RmMsg.MEM_SHARE
      ? TransType.SHARE
      : TransType.DONATE;
    if (req.acl.length === 0 || req.sgl.length === 0) {
      fail(RmError.ARGUMENT_INVALID, "empty ACL or SGL");
    }
    if (transType === TransType.DONATE && req.acl.length > 1) {
      fail(RmError.ARGUMENT_INVALID, "memory is donated to one VM only");
    }
    if (req.memType !== MemType.NORMAL && req.memType !== MemType.IO) {
      fail(RmError.ARGUMENT_INVALID, `mem_type ${req.memType}`);
    }
    const io = req.memType === MemType.IO;
    if (
      [...this.#parcels.values()].filter((p) => p.owner === caller).length >= MAX_PARCELS_PER_VM
    ) {
      fail(RmError.DENIED, `VM ${hex(caller)} owns ${MAX_PARCELS_PER_VM} parcels`);
    }
    const sanitize = (req.flags & MemCreateFlag.SANITIZE) !== 0;
    if (sanitize && io) fail(RmError.ARGUMENT_INVALID, "SANITIZE of IO memory");
    const maxRights = io ? MemRights.RW : MemRights.RWX;
    const defaultAttr = io ? MemAttr.DEVICE : MemAttr.NORMAL;
    const vms: ParcelVm[] = [];
    for (const a of req.acl) {
      if (vms.some((v) => v.vmid === a.vmid)) {
        fail(RmError.ARGUMENT_INVALID, `VM ${hex(a.vmid)} twice in the ACL`);
      }
      if (!parcelVmidValid(a.vmid) || !VALID_RIGHTS.has(a.rights)) {
        fail(RmError.ARGUMENT_INVALID, `ACL entry VM ${hex(a.vmid)} rights ${a.rights}`);
      }
      if (io && (a.rights & MemRights.X) !== 0) {
        fail(RmError.ARGUMENT_INVALID, "execute rights on IO memory");
      }
      if (transType === TransType.DONATE && a.rights !== maxRights) {
        fail(RmError.DENIED, "donated memory must be given with full rights");
      }
      if (a.vmid !== Vmid.RM && !this.#host.exists(a.vmid)) {
        fail(RmError.DENIED, `no VM ${hex(a.vmid)} to give memory to`);
      }
      vms.push({
        vmid: a.vmid,
        rights: a.rights,
        attr: defaultAttr,
        ipas: null,
        contiguous: false,
        reported: 0,
        accepted: false,
        addrspace: null,
      });
    }
    const ownerIn = vms.some((v) => v.vmid === caller);
    if ((transType === TransType.SHARE) !== ownerIn) {
      fail(
        RmError.ARGUMENT_INVALID,
        transType === TransType.SHARE
          ? "MEM_SHARE must name the owner in its ACL"
          : "only MEM_SHARE names the owner in its ACL",
      );
    }
    if (vms.length > MAX_PARCEL_MAPPINGS) {
      fail(RmError.NORESOURCE, `a parcel reaches at most ${MAX_PARCEL_MAPPINGS} VMs`);
    }
    const attrs: AttrEntry[] = [];
    for (const a of req.attrs) {
      if (attrs.some((x) => x.vmid === a.vmid)) {
        fail(RmError.ARGUMENT_INVALID, `VM ${hex(a.vmid)} twice in the attribute list`);
      }
      if (a.attr > MemAttr.CACHED) fail(RmError.ARGUMENT_INVALID, `attribute ${a.attr}`);
      if (io !== (a.attr === MemAttr.DEVICE)) {
        fail(RmError.ARGUMENT_INVALID, "DEVICE attributes go with IO memory only");
      }
      if (transType === TransType.DONATE && a.attr !== defaultAttr) {
        fail(RmError.ARGUMENT_INVALID, "donated memory keeps the default attributes");
      }
      const v = vms.find((x) => x.vmid === a.vmid);
      if (!v) fail(RmError.VMID_INVALID, `attribute for VM ${hex(a.vmid)} not in the ACL`);
      v.attr = a.attr;
      attrs.push(a);
    }
    if (!this.#owned.get(caller)?.length) {
      fail(RmError.MEM_INVALID, `VM ${hex(caller)} has no memory of its own`);
    }
    const p: Parcel = {
      handle: this.#allocateHandle(),
      owner: caller,
      transType,
      memType: req.memType,
      label: req.label >>> 0,
      state: ParcelState.BUILDING,
      memInfoTag: null,
      sanitizeCreate: sanitize,
      sanitizeReclaim: false,
      vms,
      attrs,
      regions: [],
    };
    this.#addSgl(p, req.sgl, (req.flags & MemCreateFlag.APPEND) === 0);
    this.#parcels.set(p.handle, p);
    return p.handle;
  }

  /** MEM_APPEND: more SGL entries for a parcel created with the APPEND flag. */
  append(caller: number, req: AppendRequest): void {
    if (req.sgl.length === 0) fail(RmError.ARGUMENT_INVALID, "empty SGL");
    const p = this.#lookup(req.handle);
    if (p.owner !== caller) fail(RmError.DENIED, "only the owner appends to a parcel");
    if (p.state !== ParcelState.BUILDING) {
      fail(RmError.DENIED, "the parcel is complete (no APPEND flag, or DONE already sent)");
    }
    this.#addSgl(p, req.sgl, (req.flags & MEM_APPEND_FLAG_DONE) !== 0);
  }

  #allocateHandle(): number {
    for (;;) {
      const h = this.#nextHandle;
      this.#nextHandle = (this.#nextHandle + 1) >>> 0;
      if (h !== MEM_HANDLE_INVALID && !this.#parcels.has(h)) return h;
    }
  }

  /** Carve `sgl` (owner IPAs) out of the owner's RAM into derived extents; all or nothing. */
  #addSgl(p: Parcel, sgl: readonly SglEntry[], done: boolean): void {
    const owned = this.#owned.get(p.owner) ?? [];
    const ownerAs = this.#host.addrspace(p.owner);
    const added: ParcelRegion[] = [];
    try {
      for (const e of sgl) {
        if (
          !aligned(e.ipa) || !aligned(e.size) || e.size === 0 ||
          e.ipa + e.size > PARCEL_IPA_LIMIT
        ) {
          fail(
            RmError.ARGUMENT_INVALID,
            `SGL entry ${hex(e.ipa)}+${hex(e.size)} is not page aligned or is out of range`,
          );
        }
        let at = e.ipa;
        const end = e.ipa + e.size;
        while (at < end) {
          const o = owned.find((r) => at >= r.ipa && at < r.ipa + r.size);
          if (!o) fail(RmError.MEM_INVALID, `IPA ${hex(at)} is not RAM of VM ${hex(p.owner)}`);
          const size = Math.min(end, o.ipa + o.size) - at;
          added.push(this.#carve(p, o, ownerAs, at, size));
          at += size;
        }
      }
    } catch (e) {
      for (const r of added) this.#deleteExtent(r.extent);
      throw e;
    }
    p.regions.push(...added);
    if (done) p.state = ParcelState.SHARING;
  }

  /** One region: derive, take it from the owner (or restrict it for SHARE), sanitize. */
  #carve(
    p: Parcel,
    o: OwnedRegion,
    ownerAs: bigint | null,
    ipa: number,
    size: number,
  ): ParcelRegion {
    const { partitionCap, cspaceCap } = this.#host.env;
    const phys = o.phys + (ipa - o.ipa);
    const r0 = this.#call(
      Hypercall.PARTITION_CREATE_MEMEXTENT,
      partitionCap,
      cspaceCap,
      0n,
    );
    if (r0.err !== HypError.OK) {
      fail(RmError.NOMEM, `partition_create_memextent: ${errorName(r0.err)}`);
    }
    const me = r0.r[1];
    const attrs = encodeMemextentAttrs({
      access: PgtableAccess.RWX,
      memtype: MemextentMemtype.ANY,
      type: MemextentType.BASIC,
      append: false,
    });
    let err = this.#call(
      Hypercall.MEMEXTENT_CONFIGURE_DERIVE,
      me,
      o.extent,
      BigInt(ipa - o.ipa),
      BigInt(size),
      attrs,
      0n,
    ).err;
    if (err === HypError.OK) err = this.#call(Hypercall.OBJECT_ACTIVATE, me, 0n).err;
    if (err !== HypError.OK) {
      this.#deleteExtent(me);
      fail(
        RmError.MEM_INVALID,
        `IPA ${hex(ipa)}+${hex(size)} of VM ${hex(p.owner)} cannot be taken (${errorName(err)}: ` +
          `already in a parcel?)`,
      );
    }
    const region: ParcelRegion = { ownerIpa: ipa, phys, size, extent: me };
    const self = p.vms.find((v) => v.vmid === p.owner);
    if (ownerAs === null) {
      // A host client (the host VMM) has no stage 2: its RAM is reached by
      // physical address, so there is no owner mapping to take away or restrict.
    } else if (p.transType === TransType.SHARE) {
      if (self && self.rights !== MemRights.RWX) {
        const access = BigInt(rightsToAccess(self.rights));
        const e = this.#call(
          Hypercall.ADDRSPACE_UPDATE_ACCESS,
          ownerAs,
          me,
          BigInt(ipa),
          access | (access << 4n),
          0n,
          0n,
          0n,
        ).err;
        if (e !== HypError.OK) {
          this.#deleteExtent(me);
          fail(RmError.MAP_FAILED, `addrspace_update_access of the owner: ${errorName(e)}`);
        }
      }
    } else {
      const e = this.#call(Hypercall.ADDRSPACE_UNMAP, ownerAs, me, BigInt(ipa), 0n, 0n, 0n).err;
      if (e !== HypError.OK) {
        this.#deleteExtent(me);
        fail(RmError.MAP_FAILED, `addrspace_unmap from the owner: ${errorName(e)}`);
      }
    }
    if (p.sanitizeCreate) this.#zero(me, size);
    return region;
  }

  // -------------------------------------------------------------------------
  // MEM_ACCEPT / MEM_RELEASE / MEM_RECLAIM
  // -------------------------------------------------------------------------

  /** MEM_ACCEPT by `caller`; returns the reply data (the chosen IPAs when the RM chose them). */
  accept(caller: number, req: AcceptRequest): Uint8Array | undefined {
    return this.#accept(caller, req);
  }

  #accept(caller: number, req: AcceptRequest, addrspace?: bigint): Uint8Array | undefined {
    const p = this.#lookup(req.handle);
    if (req.memType !== p.memType || req.transType !== p.transType) {
      fail(RmError.ARGUMENT_INVALID, "mem_type or trans_type differs from the parcel's");
    }
    const f = req.flags;
    if ((f & MemAcceptFlag.VALIDATE_SANITIZED) && !p.sanitizeCreate) {
      fail(RmError.VALIDATE_FAILED, "the parcel was not sanitized");
    }
    if ((f & MemAcceptFlag.VALIDATE_LABEL) && req.label >>> 0 !== p.label) {
      fail(RmError.VALIDATE_FAILED, `label ${hex(req.label)} is not the parcel's ${hex(p.label)}`);
    }
    if (f & MemAcceptFlag.VALIDATE_ACL_ATTR) this.#validateAcl(p, req.acl, req.attrs);
    if (f & MemAcceptFlag.MAP_OTHER) fail(RmError.DENIED, "mapping for another VM");
    if (req.mapVmid !== 0) fail(RmError.ARGUMENT_INVALID, "map_vmid without MAP_OTHER");
    const info = p.vms.find((v) => v.vmid === caller);
    if (!info) fail(RmError.VMID_INVALID, `VM ${hex(caller)} is not in the parcel's ACL`);
    if (caller === p.owner || info.accepted) {
      fail(RmError.DENIED, caller === p.owner ? "the owner accepts nothing" : "already accepted");
    }
    if (p.state === ParcelState.BUILDING) {
      fail(RmError.DENIED, "the parcel is still being built (MEM_APPEND without DONE)");
    }
    const contiguous = (f & MemAcceptFlag.MAP_CONTIGUOUS) !== 0;
    if (contiguous && p.memType !== MemType.NORMAL) {
      fail(RmError.ARGUMENT_INVALID, "MAP_CONTIGUOUS of IO memory");
    }
    if (info.ipas && info.contiguous !== contiguous) {
      fail(RmError.ARGUMENT_INVALID, "MAP_CONTIGUOUS differs from the first accept");
    }
    if (f & MemAcceptFlag.SANITIZE) {
      if (p.memType === MemType.IO) fail(RmError.ARGUMENT_INVALID, "SANITIZE of IO memory");
      if ((info.rights & MemRights.W) === 0) {
        fail(RmError.ARGUMENT_INVALID, "SANITIZE needs write rights");
      }
    }
    const as = addrspace ?? this.#host.addrspace(caller);
    if (as === null) fail(RmError.VM_STATE, `VM ${hex(caller)} has no address space yet`);
    const sizes = contiguous ? [ParcelManager.size(p)] : p.regions.map((r) => r.size);
    let reply: Uint8Array | undefined;
    let ipas = info.ipas;
    /** The next (up to) 512 RM-chosen IPAs, INCOMPLETE if more remain (RM `memparcel_do_accept`). */
    const report = (chosen: readonly number[]) => {
      const from = info.reported;
      const to = Math.min(chosen.length, from + MEM_MAX_LIST_ENTRIES);
      info.reported = to;
      return encodeAcceptReply(
        chosen.slice(from, to).map((ipa, i) => ({ ipa, size: sizes[from + i] })),
        to < chosen.length ? MEM_ACCEPT_RESP_FLAG_INCOMPLETE : 0,
      );
    };
    if (ipas === null) {
      if (req.sgl.length === 0) {
        ipas = this.#allocateIpas(caller, sizes);
        info.reported = 0;
        reply = report(ipas);
      } else {
        if (req.sgl.length !== sizes.length) {
          fail(
            RmError.ARGUMENT_INVALID,
            `${req.sgl.length} SGL entries for ${sizes.length} regions`,
          );
        }
        req.sgl.forEach((e, i) => {
          if (!aligned(e.ipa) || e.size !== sizes[i]) {
            fail(RmError.ARGUMENT_INVALID, `SGL entry ${i} does not match region ${i}`);
          }
        });
        ipas = req.sgl.map((e) => e.ipa);
        req.sgl.forEach((e) => this.#checkIpaFree(caller, e.ipa, e.size));
      }
    } else if (req.sgl.length !== 0) {
      fail(RmError.ARGUMENT_INVALID, "the IPAs were chosen by an earlier accept");
    } else {
      reply = report(ipas);
    }
    const chosenNow = info.ipas === null;
    info.ipas = ipas;
    info.contiguous = contiguous;
    if ((f & MemAcceptFlag.DONE) === 0) {
      // As in the RM, IPAs chosen without DONE already count as taken (no reclaim).
      p.state = ParcelState.SHARED;
      return reply;
    }
    try {
      this.#mapInto(p, info, as);
    } catch (e) {
      if (chosenNow) {
        info.ipas = null;
        info.reported = 0;
      }
      throw e;
    }
    if (f & MemAcceptFlag.SANITIZE) p.sanitizeReclaim = true;
    if (p.transType === TransType.DONATE) {
      this.#completeDonation(p, info);
      return reply;
    }
    info.accepted = true;
    info.addrspace = as;
    p.state = ParcelState.SHARED;
    return reply;
  }

  #validateAcl(p: Parcel, acl: readonly AclEntry[], attrs: readonly AttrEntry[]): void {
    const same = acl.length === p.vms.length && attrs.length === p.attrs.length &&
      acl.every((a, i) => a.vmid === p.vms[i].vmid && a.rights === p.vms[i].rights) &&
      attrs.every((a, i) => a.vmid === p.attrs[i].vmid && a.attr === p.attrs[i].attr);
    if (!same) fail(RmError.VALIDATE_FAILED, "ACL or attributes differ from the parcel's");
  }

  /** The IPA ranges VM `vmid` has in use: its RAM and the parcels it accepted or reserved. */
  #usedIpas(vmid: number): { base: number; end: number }[] {
    const used = (this.#owned.get(vmid) ?? []).map((r) => ({ base: r.ipa, end: r.ipa + r.size }));
    for (const p of this.#parcels.values()) {
      const v = p.vms.find((x) => x.vmid === vmid);
      if (!v?.ipas) continue;
      if (v.contiguous) used.push({ base: v.ipas[0], end: v.ipas[0] + ParcelManager.size(p) });
      else v.ipas.forEach((ipa, i) => used.push({ base: ipa, end: ipa + p.regions[i].size }));
    }
    return used;
  }

  #checkIpaFree(vmid: number, ipa: number, size: number): void {
    if (ipa + size > PARCEL_IPA_LIMIT) {
      fail(RmError.NORESOURCE, `IPA ${hex(ipa)}+${hex(size)} is beyond the VM's address space`);
    }
    if (this.#usedIpas(vmid).some((u) => ipa < u.end && u.base < ipa + size)) {
      fail(RmError.NORESOURCE, `IPA ${hex(ipa)}+${hex(size)} of VM ${hex(vmid)} is in use`);
    }
  }

  /** First-fit IPAs in {@link PARCEL_IPA_WINDOW}. */
  #allocateIpas(vmid: number, sizes: readonly number[]): number[] {
    const used = this.#usedIpas(vmid);
    const out: number[] = [];
    for (const size of sizes) {
      let at: number = PARCEL_IPA_WINDOW.base;
      for (;;) {
        const hit = used.find((u) => at < u.end && u.base < at + size);
        if (!hit) break;
        at = hit.end;
      }
      if (at + size > PARCEL_IPA_WINDOW.end) fail(RmError.NORESOURCE, "no free IPA range");
      used.push({ base: at, end: at + size });
      out.push(at);
    }
    return out;
  }

  #mapInto(p: Parcel, info: ParcelVm, as: bigint): void {
    const access = BigInt(rightsToAccess(info.rights));
    const attrs = encodeMappingAttrs({
      userAccess: Number(access),
      kernelAccess: Number(access),
      memtype: attrToMemtype(info.attr),
    });
    const done: { ipa: number; extent: bigint }[] = [];
    let offset = 0;
    for (let i = 0; i < p.regions.length; i++) {
      const r = p.regions[i];
      const ipa = info.contiguous ? info.ipas![0] + offset : info.ipas![i];
      const err = this.#call(Hypercall.ADDRSPACE_MAP, as, r.extent, BigInt(ipa), attrs, 0n, 0n, 0n)
        .err;
      if (err !== HypError.OK) {
        for (const d of done) {
          this.#call(Hypercall.ADDRSPACE_UNMAP, as, d.extent, BigInt(d.ipa), 0n, 0n, 0n);
        }
        fail(
          err === HypError.ERROR_MEMEXTENT_MAPPINGS_FULL ? RmError.NORESOURCE : RmError.MAP_FAILED,
          `addrspace_map of region ${i} at ${hex(ipa)}: ${errorName(err)}`,
        );
      }
      done.push({ ipa, extent: r.extent });
      offset += r.size;
    }
  }

  #unmapFrom(p: Parcel, info: ParcelVm): void {
    const as = info.addrspace ?? this.#host.addrspace(info.vmid);
    let offset = 0;
    for (let i = 0; i < p.regions.length && as !== null; i++) {
      const r = p.regions[i];
      const ipa = info.contiguous ? info.ipas![0] + offset : info.ipas![i];
      const err = this.#call(Hypercall.ADDRSPACE_UNMAP, as, r.extent, BigInt(ipa), 0n, 0n, 0n).err;
      if (err !== HypError.OK) {
        this.#host.log?.(`parcel ${hex(p.handle)}: addrspace_unmap failed: ${errorName(err)}`);
      }
      offset += r.size;
    }
    info.accepted = false;
    info.addrspace = null;
    info.ipas = null;
    info.contiguous = false;
    info.reported = 0;
  }

  /** DONATE accepted: the regions become the recipient's RAM; the parcel is gone. */
  #completeDonation(p: Parcel, info: ParcelVm): void {
    let offset = 0;
    p.regions.forEach((r, i) => {
      const ipa = info.contiguous ? info.ipas![0] + offset : info.ipas![i];
      this.addOwnedMemory(info.vmid, { ipa, phys: r.phys, size: r.size, extent: r.extent });
      offset += r.size;
    });
    this.#parcels.delete(p.handle);
  }

  /** MEM_RELEASE by a borrower. */
  release(caller: number, handle: number, flags: number): void {
    const p = this.#lookup(handle);
    const info = p.vms.find((v) => v.vmid === caller);
    if (!info) fail(RmError.HANDLE_INVALID, `VM ${hex(caller)} is not in the parcel's ACL`);
    if (caller === p.owner) fail(RmError.DENIED, "the owner reclaims, it does not release");
    if (!info.accepted && !info.ipas) fail(RmError.MEM_RELEASED, "not accepted");
    if (flags & MEM_RELEASE_FLAG_SANITIZE) {
      if (p.memType === MemType.IO) fail(RmError.ARGUMENT_INVALID, "SANITIZE of IO memory");
      if ((info.rights & MemRights.W) === 0) {
        fail(RmError.ARGUMENT_INVALID, "SANITIZE needs write rights");
      }
      p.sanitizeReclaim = true;
    }
    if (info.accepted) this.#unmapFrom(p, info);
    info.ipas = null;
    info.reported = 0;
    if (!p.vms.some((v) => v.ipas !== null)) p.state = ParcelState.SHARING;
  }

  /** MEM_RECLAIM by the owner. */
  reclaim(caller: number, handle: number, flags: number): void {
    const p = this.#lookup(handle);
    if (caller !== p.owner) fail(RmError.DENIED, "only the owner reclaims a parcel");
    if (p.state === ParcelState.SHARED) fail(RmError.MEM_INUSE, "a borrower still has it");
    if (flags & MEM_RELEASE_FLAG_SANITIZE) {
      if (p.memType === MemType.IO) fail(RmError.ARGUMENT_INVALID, "SANITIZE of IO memory");
      p.sanitizeReclaim = true;
    }
    this.#destroy(p);
  }

  /** Give the memory back to the owner (zeroed if asked) and forget the parcel. */
  #destroy(p: Parcel): void {
    for (const r of p.regions) {
      if (p.sanitizeReclaim) this.#zero(r.extent, r.size);
      this.#deleteExtent(r.extent);
    }
    this.#parcels.delete(p.handle);
  }

  // -------------------------------------------------------------------------
  // MEM_NOTIFY / MEM_QCOM_LOOKUP_SGL
  // -------------------------------------------------------------------------

  /** MEM_NOTIFY from `caller`. */
  notify(caller: number, req: NotifyRequest): void {
    const p = this.#lookup(req.handle);
    if (p.memInfoTag !== null && p.memInfoTag !== req.memInfoTag >>> 0) {
      fail(RmError.ARGUMENT_INVALID, "mem_info_tag differs from the parcel's");
    }
    switch (req.flags) {
      case MemNotifyFlag.SHARED: {
        if (caller !== p.owner) fail(RmError.DENIED, "only the owner announces a parcel");
        const targets = this.#notifyTargets(p, req);
        if (p.memInfoTag === null) p.memInfoTag = req.memInfoTag >>> 0;
        const notice = encodeShared({
          handle: p.handle,
          memType: p.memType,
          transType: p.transType,
          flags: p.sanitizeCreate ? MemCreateFlag.SANITIZE : 0,
          owner: p.owner,
          label: p.label,
          memInfoTag: p.memInfoTag,
          acl: p.vms.map((v) => ({ vmid: v.vmid, rights: v.rights })),
          sizes: p.regions.map((r) => r.size),
          attrs: p.attrs,
        });
        for (const t of targets) this.#host.notify(t, RmNotify.MEM_SHARED, notice);
        return;
      }
      case MemNotifyFlag.RELEASED:
      case MemNotifyFlag.ACCEPTED: {
        const accepted = req.flags === MemNotifyFlag.ACCEPTED;
        const info = p.vms.find((v) => v.vmid === caller);
        if (!info) fail(RmError.HANDLE_INVALID, `VM ${hex(caller)} is not in the parcel's ACL`);
        if (accepted !== info.accepted) {
          fail(
            info.accepted ? RmError.MEM_INUSE : RmError.MEM_RELEASED,
            info.accepted ? "still accepted" : "not accepted",
          );
        }
        this.#host.notify(
          p.owner,
          accepted ? RmNotify.MEM_ACCEPTED : RmNotify.MEM_RELEASED,
          encodeOwnerNotice(p.handle, caller, p.memInfoTag ?? 0),
        );
        return;
      }
      case MemNotifyFlag.RECALL: {
        if (caller !== p.owner) fail(RmError.DENIED, "only the owner recalls a parcel");
        const targets = this.#notifyTargets(p, req);
        const notice = encodeRecall(p.handle, p.memInfoTag ?? 0);
        for (const t of targets) this.#host.notify(t, RmNotify.MEM_RECALL, notice);
        return;
      }
      default:
        fail(RmError.ARGUMENT_INVALID, `MEM_NOTIFY flags ${hex(req.flags)}`);
    }
  }

  #notifyTargets(p: Parcel, req: NotifyRequest): number[] {
    if (req.vmids === null) fail(RmError.MSG_INVALID, "MEM_NOTIFY without a VM list");
    if (req.vmids.length === 0 || req.vmids.length > p.vms.length) {
      fail(
        RmError.ARGUMENT_INVALID,
        `VM list of ${req.vmids.length} for an ACL of ${p.vms.length}`,
      );
    }
    for (const t of req.vmids) {
      if (!this.#host.exists(t)) fail(RmError.VMID_INVALID, `no VM ${hex(t)}`);
      if (!p.vms.some((v) => v.vmid === t)) {
        fail(RmError.ARGUMENT_INVALID, `VM ${hex(t)} is not in the parcel's ACL`);
      }
    }
    return req.vmids;
  }

  /** MEM_QCOM_LOOKUP_SGL: the handle of `caller`'s unaccepted parcel with exactly these lists. */
  lookupSgl(caller: number, req: LookupRequest): number {
    for (const p of this.#parcels.values()) {
      if (p.owner !== caller || p.state !== ParcelState.SHARING) continue;
      if (
        p.memType !== req.memType || p.vms.length !== req.acl.length ||
        p.regions.length !== req.sgl.length || p.attrs.length !== req.attrs.length
      ) continue;
      const match = req.acl.every((a, i) =>
        a.vmid === p.vms[i].vmid && a.rights === p.vms[i].rights
      ) &&
        req.sgl.every((s, i) => s.ipa === p.regions[i].ownerIpa && s.size === p.regions[i].size) &&
        req.attrs.every((a, i) => a.vmid === p.attrs[i].vmid && a.attr === p.attrs[i].attr);
      if (match) return p.handle;
    }
    fail(RmError.LOOKUP_FAILED, "no parcel of the caller matches");
  }

  // -------------------------------------------------------------------------
  // Hypercalls
  // -------------------------------------------------------------------------

  #lookup(handle: number): Parcel {
    const p = this.#parcels.get(handle >>> 0);
    if (!p) fail(RmError.HANDLE_INVALID, `no parcel ${hex(handle >>> 0)}`);
    return p;
  }

  #call(n: number, ...args: bigint[]): { err: number; r: bigint[] } {
    const r = this.#host.port.call(n, ...args);
    return { err: errorFromRegister(r[0]), r };
  }

  #zero(extent: bigint, size: number): void {
    const err = this.#call(
      Hypercall.MEMEXTENT_MODIFY,
      extent,
      BigInt(MemextentModifyOp.ZERO_RANGE | MEMEXTENT_MODIFY_NO_SYNC),
      0n,
      BigInt(size),
    ).err;
    if (err !== HypError.OK) {
      this.#host.log?.(`memextent_modify(ZERO_RANGE) failed: ${errorName(err)}`);
    }
  }

  #deleteExtent(extent: bigint): void {
    const err = this.#call(Hypercall.CSPACE_DELETE_CAP_FROM, this.#host.env.cspaceCap, extent, 0n)
      .err;
    if (err !== HypError.OK) this.#host.log?.(`cspace_delete_cap_from failed: ${errorName(err)}`);
  }
}
