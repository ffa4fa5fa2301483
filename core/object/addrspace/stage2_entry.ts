/**
 * One stage-2 translation of an addrspace: a contiguous IPA range mapped to
 * a contiguous physical range of one memextent, with access rights and a
 * memory type. Entries over RAM implement the plugin contract's
 * `Stage2Mapping` (bytes over the `SharedArrayBuffer`); entries over
 * non-RAM physical memory (device memextents) are kept for bookkeeping but
 * never returned by `Stage2View.lookup`, so accesses to them go to the MMIO
 * bus.
 *
 * Entries are immutable: changing a mapping replaces its entry and bumps the
 * addrspace's generation, so CPUs may cache entries.
 *
 * @module
 */
import type { Stage2Mapping } from "../../plugin/contracts.ts";
import type { Memextent } from "../memextent/memextent.ts";

const NO_BYTES = new Uint8Array(0);
const NO_VIEW = new DataView(new ArrayBuffer(0));

/** An immutable stage-2 entry. */
export class Stage2Entry implements Stage2Mapping {
  readonly ipaBase: number;
  readonly size: number;
  /** `ipaBase + size`, precomputed for the lookup path. */
  readonly ipaEnd: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly offset: number;
  /** The region memory `view` covers (RAM entries only; see `Stage2Mapping.memory`). */
  readonly memory?: WebAssembly.Memory;
  /**
   * Stage-2 access for the guest kernel (EL1): OR of S2_ACCESS_R/W/X
   * (same encoding as `pgtable_access`).
   */
  readonly access: number;
  /** Access for EL0 (user); stage-2 execute permission can differ per EL (FEAT_XNX). */
  readonly userAccess: number;
  /** Stage-2 memory type (`pgtable_vm_memtype`). */
  readonly memtype: number;
  /** Physical address of `ipaBase`. */
  readonly phys: number;
  /** The memextent whose memory this entry maps. */
  readonly owner: Memextent;
  /** Whether the physical range is RAM (visible to `Stage2View.lookup`). */
  readonly ram: boolean;

  constructor(
    owner: Memextent,
    ipaBase: number,
    phys: number,
    size: number,
    userAccess: number,
    kernelAccess: number,
    memtype: number,
    ram: {
      readonly bytes: Uint8Array;
      readonly view: DataView;
      readonly offset: number;
      readonly memory?: WebAssembly.Memory;
    } | null,
  ) {
    this.owner = owner;
    this.ipaBase = ipaBase;
    this.size = size;
    this.ipaEnd = ipaBase + size;
    this.phys = phys;
    this.userAccess = userAccess;
    this.access = kernelAccess;
    this.memtype = memtype;
    this.ram = ram !== null;
    this.bytes = ram ? ram.bytes : NO_BYTES;
    this.view = ram ? ram.view : NO_VIEW;
    this.offset = ram ? ram.offset : 0;
    this.memory = ram?.memory;
  }

  /** A copy covering `[ipaBase, ipaBase + size)` of this entry (for splits). */
  slice(ipaBase: number, size: number): Stage2Entry {
    const delta = ipaBase - this.ipaBase;
    return this.with(ipaBase, size, delta, this.userAccess, this.access);
  }

  /** A copy with other access rights. */
  withAccess(userAccess: number, kernelAccess: number): Stage2Entry {
    return this.with(this.ipaBase, this.size, 0, userAccess, kernelAccess);
  }

  private with(
    ipaBase: number,
    size: number,
    delta: number,
    userAccess: number,
    kernelAccess: number,
  ): Stage2Entry {
    return new Stage2Entry(
      this.owner,
      ipaBase,
      this.phys + delta,
      size,
      userAccess,
      kernelAccess,
      this.memtype,
      this.ram
        ? { bytes: this.bytes, view: this.view, offset: this.offset + delta, memory: this.memory }
        : null,
    );
  }
}
