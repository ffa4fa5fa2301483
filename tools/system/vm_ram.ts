/**
 * The VMs' physical RAM: one region per host-created VM (the primary, and
 * each VM the host VMM builds), allocated at run time at a physical address
 * from a sparse window and counted against the system's RAM budget
 * (`--memory`), and removed again when that VM is gone.
 *
 * A region is added to physical RAM (`PhysicalMemory.addRegion`) and to the
 * memory database as its partition's (the resource manager's); on free it
 * leaves both, and its bytes are dropped. A region for a host client (the
 * host VMM) is announced to the RM through {@link ClientRamSource}: the RM
 * claims it as the client's own RAM when it is added and must let it go
 * (nothing of it in a memory parcel) before it is removed.
 *
 * @module
 */
import type { Hypervisor, Partition } from "@gunyah-ts/core";
import { HypError } from "@gunyah-ts/core/abi";
import type { ClientRamListener, ClientRamSource } from "@gunyah-ts/rm";

/** Regions are placed on 2 MiB boundaries (a stage-2 block; keeps addresses readable). */
const REGION_ALIGN = 2 << 20;
/** The physical window is this many times the budget, so freed holes need not be reused in place. */
const WINDOW_FACTOR = 4;
/** Top of the hypervisor's physical address space (36 bits, gunyah-abi.md §9). */
const PHYS_LIMIT = 2 ** 36;

/** One allocated region. */
export interface VmRamRegion {
  /** Physical base. */
  readonly base: number;
  /** Bytes. */
  readonly size: number;
  /** The region's bytes (its physical RAM). */
  readonly bytes: Uint8Array;
  /** The host client that owns it, or null (a VM the RM builds over it). */
  readonly clientVmid: number | null;
}

/** The budget is spent: bytes asked for, bytes left. */
export class VmRamExhausted extends Error {
  /** Error name. */
  override readonly name = "VmRamExhausted";
}

/** The sparse allocator of the VMs' RAM regions. */
export class VmRam implements ClientRamSource {
  readonly #hv: Hypervisor;
  readonly #partition: Partition;
  readonly #windowBase: number;
  readonly #windowEnd: number;
  /** Bytes the VMs may hold at once. */
  readonly budget: number;
  readonly #regions: VmRamRegion[] = [];
  #listener: ClientRamListener | null = null;

  /**
   * @param hv the hypervisor whose physical RAM and memdb get the regions
   * @param partition the partition that owns them in the memdb (the RM's)
   * @param base first physical address of the window (the platform's RAM base)
   * @param budget bytes the VMs may hold at once
   */
  constructor(hv: Hypervisor, partition: Partition, base: number, budget: number) {
    this.#hv = hv;
    this.#partition = partition;
    this.#windowBase = base;
    this.#windowEnd = Math.min(PHYS_LIMIT, base + WINDOW_FACTOR * budget);
    this.budget = budget;
  }

  /** The RM subscribes (ClientRamSource). */
  watch(listener: ClientRamListener): void {
    if (this.#listener) throw new Error("VM RAM: the resource manager is already watching");
    this.#listener = listener;
  }

  /** Regions allocated now, by base. */
  get regions(): readonly VmRamRegion[] {
    return this.#regions;
  }

  /** Bytes allocated now. */
  get used(): number {
    return this.#regions.reduce((s, r) => s + r.size, 0);
  }

  /**
   * A fresh region of `size` bytes (a multiple of 4 KiB) for `what`; for a
   * host client `clientVmid`, the RM is told and records it as that client's
   * RAM. Throws {@link VmRamExhausted} when the budget or the window is spent.
   */
  allocate(size: number, what: string, clientVmid: number | null = null): VmRamRegion {
    if (size <= 0 || size % 0x1000 !== 0) {
      throw new RangeError(`${what}: RAM of ${size} bytes is not a positive multiple of 4 KiB`);
    }
    const left = this.budget - this.used;
    if (size > left) {
      throw new VmRamExhausted(
        `${what} needs ${mib(size)} but only ${mib(left)} of the ${
          mib(this.budget)
        } RAM budget is left; destroy a VM or give the system more --memory`,
      );
    }
    const base = this.#place(size);
    if (base === null) {
      throw new VmRamExhausted(
        `${what}: no free ${mib(size)} physical range in the VMs' window (fragmented); ` +
          `destroy a VM first`,
      );
    }
    const region = this.#hv.physicalMemory.addRegion(base, size);
    const err = this.#hv.memdb.insert(base, size, this.#partition);
    if (err !== HypError.OK) {
      this.#hv.physicalMemory.removeRegion(base);
      throw new Error(`${what}: memdb refused 0x${base.toString(16)}+${mib(size)} (${err})`);
    }
    const out: VmRamRegion = { base, size, bytes: region.bytes, clientVmid };
    if (clientVmid !== null) {
      try {
        if (!this.#listener) throw new Error("the resource manager does not take client RAM");
        this.#listener.added({ vmid: clientVmid, base, size });
      } catch (e) {
        this.#hv.memdb.remove(base, size, this.#partition);
        this.#hv.physicalMemory.removeRegion(base);
        throw e;
      }
    }
    this.#regions.push(out);
    this.#regions.sort((a, b) => a.base - b.base);
    return out;
  }

  /**
   * Give the region at `base` back: a client's is first released by the RM
   * (which refuses while any page is in a memory parcel); then it leaves the
   * memdb (it must be its partition's again, no extent holding it) and
   * physical RAM.
   */
  free(base: number): void {
    const i = this.#regions.findIndex((r) => r.base === base);
    if (i < 0) throw new RangeError(`VM RAM: no region at 0x${base.toString(16)}`);
    const r = this.#regions[i];
    if (r.clientVmid !== null) {
      this.#listener?.removing({ vmid: r.clientVmid, base: r.base, size: r.size });
    }
    const err = this.#hv.memdb.remove(r.base, r.size, this.#partition);
    if (err !== HypError.OK) {
      throw new Error(
        `VM RAM: 0x${r.base.toString(16)}+${mib(r.size)} is still held by an extent (${err})`,
      );
    }
    this.#hv.physicalMemory.removeRegion(r.base);
    this.#regions.splice(i, 1);
  }

  /** First fit on {@link REGION_ALIGN} in the window, or null. */
  #place(size: number): number | null {
    let at = this.#windowBase;
    for (const r of this.#regions) {
      if (at + size <= r.base) break;
      at = Math.max(at, alignUp(r.base + r.size, REGION_ALIGN));
    }
    return at + size <= this.#windowEnd ? at : null;
  }
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function mib(bytes: number): string {
  return bytes % (1 << 20) === 0 ? `${bytes >> 20} MiB` : `${bytes} bytes`;
}
