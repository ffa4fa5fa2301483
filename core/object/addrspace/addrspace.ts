/**
 * The addrspace object: a VM's stage-2 address space.
 *
 * HYP `hyp/mem/addrspace` (gunyah-abi.md §1.5, §2.5):
 * - `configure(vmid)` while INIT: VMID 0 or ≥ 256 is ERROR_ARGUMENT_INVALID
 *   (HYP limits VMIDs to 256 and reserves 0); activation takes the VMID and
 *   answers ERROR_BUSY if another active addrspace holds it (an unconfigured
 *   addrspace has VMID 0, which is always taken).
 * - Mappings are made by memextents (`addrspace_map` goes through the
 *   memextent, which knows its physical range); a new mapping replaces
 *   whatever overlapped it.
 * - VMMIO ranges (`addrspace_configure_vmmio`) mark IPA ranges whose
 *   unbacked accesses are forwarded to a proxy scheduler.
 * - vdevices (e.g. the vGIC) are attached at IPAs (`addrspace_attach_vdevice`).
 *
 * It implements the plugin contract's `Stage2View`: `lookup(ipa)` is on the
 * CPU's TLB-miss path, so it is a binary search over a sorted array of
 * immutable entries with a last-hit cache, allocation-free. `generation`
 * increases whenever an entry is removed or replaced.
 *
 * @module
 */
import { HypError, HypErrorException, throwHypError } from "../../abi/error.ts";
import { MemextentMemtype, MemextentType, PgtableAccess } from "../../abi/formats.ts";
import type { Stage2Mapping, Stage2View } from "../../plugin/contracts.ts";
import { PAGE_SIZE } from "../../abi/formats.ts";
import { GunyahObject } from "../object.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import type { Memextent } from "../memextent/memextent.ts";
import { Stage2Entry } from "./stage2_entry.ts";

/** VMIDs available to addrspaces (HYP `NUM_VMIDS`). */
export const ADDRSPACE_NUM_VMIDS = 256;
/** IPA size of a VM on the QEMU platform (`PLATFORM_VM_ADDRESS_SPACE_BITS` = 36). */
export const ADDRSPACE_IPA_BITS = 36;
/** First IPA beyond the VM address space. */
export const ADDRSPACE_IPA_LIMIT = 2 ** ADDRSPACE_IPA_BITS;

/** Largest info area: one page (`MAX_VM_INFO_AREA_SIZE`, HYP `addrspace.tc`). */
export const ADDRSPACE_MAX_INFO_AREA_SIZE = PAGE_SIZE;

/** addrspace_configure_vmmio operations. */
export const enum AddrspaceVmmioOp {
  ADD = 0,
  REMOVE = 1,
}

/** A vdevice attached to the addrspace. */
export interface VdeviceAttachment {
  readonly object: GunyahObject;
  readonly index: number;
  readonly vbase: number;
  readonly size: number;
  readonly flags: bigint;
}

/** Observes changes that other parts (vCPU TLBs, the MMIO bus) care about. */
export interface AddrspaceObserver {
  vdeviceAttached?(addrspace: Addrspace, attachment: VdeviceAttachment): void;
  vmmioChanged?(addrspace: Addrspace): void;
}

/** The addrspace. */
export class Addrspace extends GunyahObject implements Stage2View {
  readonly type = ObjectType.ADDRSPACE;
  /** Configured VMID (0 = not configured). */
  vmid = 0;
  /** Bumped whenever a translation is removed or replaced. */
  generation = 0;
  /** Optional observer (set by the hypervisor). */
  observer: AddrspaceObserver | null = null;
  #entries: Stage2Entry[] = [];
  #last: Stage2Entry | null = null;
  #vmmio: { base: number; end: number }[] = [];
  #vdevices: VdeviceAttachment[] = [];
  #vmidHeld = false;
  #infoArea: { extent: Memextent; ipa: number } | null = null;
  #infoAreaBytes: Uint8Array | null = null;

  constructor(partition: Partition) {
    super(partition);
  }

  /** addrspace_configure: set the VMID (INIT only). */
  configure(vmid: number): void {
    this.requireInit();
    if (!Number.isInteger(vmid) || vmid === 0 || vmid >= ADDRSPACE_NUM_VMIDS) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `VMID ${vmid} not in 1..255`);
    }
    this.vmid = vmid;
  }

  /**
   * addrspace_configure_info_area (INIT only; HYP
   * `addrspace_configure_info_area`): an extent larger than one page
   * (`MAX_VM_INFO_AREA_SIZE`) → ERROR_ARGUMENT_INVALID; an unaligned IPA or
   * a range beyond the VM's IPA space → ERROR_ADDR_INVALID; an extent that is
   * not BASIC, lacks RW access or has a memtype other than ANY →
   * ERROR_ARGUMENT_INVALID. Activation attaches (and zeroes) the extent.
   */
  configureInfoArea(extent: Memextent, ipa: number): void {
    this.requireInit();
    if (extent.size > ADDRSPACE_MAX_INFO_AREA_SIZE) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "info area larger than one page");
    }
    if (ipa % PAGE_SIZE !== 0 || ipa + extent.size > ADDRSPACE_IPA_LIMIT) {
      throwHypError(HypError.ERROR_ADDR_INVALID, "info area IPA unaligned or beyond the IPA space");
    }
    if (
      extent.extentType !== MemextentType.BASIC ||
      (extent.access & PgtableAccess.RW) !== PgtableAccess.RW ||
      extent.memtype !== MemextentMemtype.ANY
    ) {
      throwHypError(
        HypError.ERROR_ARGUMENT_INVALID,
        "info area extent must be BASIC, RW, memtype ANY",
      );
    }
    this.#infoArea?.extent.put();
    this.#infoArea = { extent: extent.get(), ipa };
  }

  /** The configured info area (extent and IPA), if any. */
  get infoArea(): { readonly extent: Memextent; readonly ipa: number } | null {
    return this.#infoArea;
  }

  /** The info area's bytes as the hypervisor sees them (after activation). */
  get infoAreaBytes(): Uint8Array | null {
    return this.#infoAreaBytes;
  }

  protected override onActivate(): HypError {
    const vmids = this.partition!.services.vmids;
    if (vmids.has(this.vmid)) return HypError.ERROR_BUSY;
    if (this.#infoArea) {
      try {
        this.#infoAreaBytes = this.#infoArea.extent.attach();
      } catch (e) {
        if (!(e instanceof HypErrorException)) throw e;
        this.#infoArea.extent.put();
        this.#infoArea = null;
        return e.code;
      }
    }
    vmids.add(this.vmid);
    this.#vmidHeld = true;
    return HypError.OK;
  }

  protected override onCleanup(): void {
    if (this.#infoArea) {
      this.#infoArea.extent.detach();
      this.#infoArea.extent.put();
      this.#infoArea = null;
      this.#infoAreaBytes = null;
    }
  }

  protected override onDeactivate(): void {
    for (const e of this.#entries.slice()) e.owner.forgetAddrspace(this);
    this.#entries = [];
    this.#last = null;
    this.generation++;
    if (this.#vmidHeld) this.partition!.services.vmids.delete(this.vmid);
    this.#vmidHeld = false;
    for (const v of this.#vdevices) v.object.put();
    this.#vdevices = [];
  }

  // -------------------------------------------------------------------------
  // Stage2View (hot path)
  // -------------------------------------------------------------------------

  /** The RAM mapping containing `ipa`, or `null` (MMIO or unmapped). */
  lookup(ipa: number): Stage2Mapping | null {
    const last = this.#last;
    if (last !== null && ipa >= last.ipaBase && ipa < last.ipaEnd) return last;
    const e = this.#find(ipa);
    if (e === null || !e.ram) return null;
    this.#last = e;
    return e;
  }

  /** The entry (RAM or device) containing `ipa`, or `null`. */
  lookupEntry(ipa: number): Stage2Entry | null {
    return this.#find(ipa);
  }

  #find(ipa: number): Stage2Entry | null {
    const entries = this.#entries;
    let lo = 0;
    let hi = entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const e = entries[mid];
      if (ipa < e.ipaBase) hi = mid - 1;
      else if (ipa >= e.ipaEnd) lo = mid + 1;
      else return e;
    }
    return null;
  }

  /** All translations, sorted by IPA. */
  get entries(): readonly Stage2Entry[] {
    return this.#entries;
  }

  // -------------------------------------------------------------------------
  // Translation changes (called by memextents)
  // -------------------------------------------------------------------------

  /** Install `entry`, replacing whatever overlapped it. */
  install(entry: Stage2Entry): void {
    this.#cut(entry.ipaBase, entry.ipaEnd, null);
    this.#entries.push(entry);
    this.#entries.sort((a, b) => a.ipaBase - b.ipaBase);
  }

  /** Remove translations of `owner` within `[ipa, ipa + size)`; returns bytes removed. */
  remove(owner: Memextent, ipa: number, size: number): number {
    return this.#cut(ipa, ipa + size, owner);
  }

  /**
   * Replace the access rights of `owner`'s translations within
   * `[ipa, ipa + size)`; returns bytes changed.
   */
  updateAccess(
    owner: Memextent,
    ipa: number,
    size: number,
    userAccess: number,
    kernelAccess: number,
  ): number {
    const end = ipa + size;
    const changed: Stage2Entry[] = [];
    for (const e of this.#entries) {
      if (e.owner !== owner || e.ipaEnd <= ipa || e.ipaBase >= end) continue;
      const from = Math.max(e.ipaBase, ipa);
      const to = Math.min(e.ipaEnd, end);
      changed.push(e.slice(from, to - from).withAccess(userAccess, kernelAccess));
    }
    if (changed.length === 0) return 0;
    let bytes = 0;
    for (const c of changed) {
      this.#cut(c.ipaBase, c.ipaEnd, owner);
      this.#entries.push(c);
      bytes += c.size;
    }
    this.#entries.sort((a, b) => a.ipaBase - b.ipaBase);
    return bytes;
  }

  /** Remove (optionally only `owner`'s) translations overlapping `[base, end)`, splitting at the edges. */
  #cut(base: number, end: number, owner: Memextent | null): number {
    let removed = 0;
    const out: Stage2Entry[] = [];
    for (const e of this.#entries) {
      if (e.ipaEnd <= base || e.ipaBase >= end || (owner !== null && e.owner !== owner)) {
        out.push(e);
        continue;
      }
      if (e.ipaBase < base) out.push(e.slice(e.ipaBase, base - e.ipaBase));
      if (e.ipaEnd > end) out.push(e.slice(end, e.ipaEnd - end));
      removed += Math.min(e.ipaEnd, end) - Math.max(e.ipaBase, base);
    }
    if (removed > 0) {
      out.sort((a, b) => a.ipaBase - b.ipaBase);
      this.#entries = out;
      this.#last = null;
      this.generation++;
    }
    return removed;
  }

  // -------------------------------------------------------------------------
  // VMMIO ranges
  // -------------------------------------------------------------------------

  /**
   * addrspace_configure_vmmio: add or remove `[vbase, vbase + size)`.
   * Unaligned → ERROR_ARGUMENT_ALIGNMENT; empty or beyond the IPA space →
   * ERROR_ARGUMENT_SIZE; adding an overlapping range → ERROR_BUSY; removing a
   * range that was not added exactly → ERROR_ADDR_INVALID; another op →
   * ERROR_ARGUMENT_INVALID.
   */
  configureVmmio(vbase: number, size: number, op: number): void {
    if (op !== AddrspaceVmmioOp.ADD && op !== AddrspaceVmmioOp.REMOVE) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `VMMIO op ${op}`);
    }
    if (vbase % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "VMMIO range not page aligned");
    }
    if (size === 0 || vbase + size > ADDRSPACE_IPA_LIMIT) {
      throwHypError(HypError.ERROR_ARGUMENT_SIZE, "VMMIO range empty or beyond the IPA space");
    }
    const end = vbase + size;
    if (op === AddrspaceVmmioOp.ADD) {
      if (this.#vmmio.some((r) => r.base < end && vbase < r.end)) {
        throwHypError(HypError.ERROR_BUSY, "VMMIO range overlaps an existing one");
      }
      this.#vmmio.push({ base: vbase, end });
      this.#vmmio.sort((a, b) => a.base - b.base);
    } else {
      const i = this.#vmmio.findIndex((r) => r.base === vbase && r.end === end);
      if (i < 0) throwHypError(HypError.ERROR_ADDR_INVALID, "no such VMMIO range");
      this.#vmmio.splice(i, 1);
    }
    this.observer?.vmmioChanged?.(this);
  }

  /** Whether `ipa` lies in a VMMIO range (its unbacked accesses go to the proxy scheduler). */
  isVmmio(ipa: number): boolean {
    for (const r of this.#vmmio) if (ipa >= r.base && ipa < r.end) return true;
    return false;
  }

  /** VMMIO ranges, sorted. */
  get vmmioRanges(): readonly { readonly base: number; readonly end: number }[] {
    return this.#vmmio;
  }

  // -------------------------------------------------------------------------
  // vdevices
  // -------------------------------------------------------------------------

  /**
   * Record a vdevice attachment (the vdevice has already validated `index`
   * and `size`). The range must be page aligned and inside the IPA space and
   * must not overlap another vdevice; one attachment per (object, index).
   */
  attachVdevice(attachment: VdeviceAttachment): void {
    const { vbase, size } = attachment;
    if (vbase % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0) {
      throwHypError(HypError.ERROR_ARGUMENT_ALIGNMENT, "vdevice range not page aligned");
    }
    if (size === 0 || vbase + size > ADDRSPACE_IPA_LIMIT) {
      throwHypError(HypError.ERROR_ARGUMENT_SIZE, "vdevice range empty or beyond the IPA space");
    }
    for (const v of this.#vdevices) {
      if (v.object === attachment.object && v.index === attachment.index) {
        throwHypError(HypError.ERROR_BUSY, "vdevice index already attached");
      }
      if (v.vbase < vbase + size && vbase < v.vbase + v.size) {
        throwHypError(HypError.ERROR_ADDR_INVALID, "vdevice range overlaps another vdevice");
      }
    }
    attachment.object.get();
    this.#vdevices.push(attachment);
    this.observer?.vdeviceAttached?.(this, attachment);
  }

  /** Attached vdevices. */
  get vdevices(): readonly VdeviceAttachment[] {
    return this.#vdevices;
  }
}
