/**
 * The MMIO side of one VM's physical address space ({@link MmioBus}): device
 * regions (vGIC frames, UART, RTC, virtio-mmio, ...) and the VMMIO ranges of
 * its address space, which leave the vCPU for its proxy scheduler.
 *
 * An access to a VMMIO range (or a region that answers
 * {@link MmioResult.Exit}) makes the vCPU exit without retiring the
 * instruction. The core records the access and blocks the vCPU; whoever
 * handles it (the `vcpu_run` caller, an isolated device) calls
 * {@link VmMmioBus.complete} with the read value, and when the vCPU runs again
 * the instruction re-executes and this bus answers it from that value.
 *
 * Lookup is a sorted array with a last-hit cache; reads and writes allocate
 * nothing.
 *
 * @example
 * ```ts
 * const bus = new VmMmioBus();
 * bus.addVmmioRange(0x1000_0000, 0x1000);
 * bus.read(0x1000_0010, 4, 0); // MmioResult.Exit
 * bus.complete(0, 0x1234, 0);
 * bus.read(0x1000_0010, 4, 0); // MmioResult.Handled, bus.dataLo === 0x1234
 * ```
 *
 * @module
 */
import { type MmioBus, type MmioData, type MmioRegion, MmioResult } from "../plugin/contracts.ts";

/** Most vCPUs one bus tracks completions for (GICv3 affinity routing allows more; our VMs are small). */
export const VM_MMIO_MAX_VCPUS = 256;

/** Something that knows the VMMIO ranges of an address space (the addrspace object). */
export interface VmmioSource {
  /** Whether `ipa` lies in one of its VMMIO ranges. */
  isVmmio(ipa: number): boolean;
}

/**
 * A region seen at another base: accesses at `base + offset` reach `inner`
 * at `innerOffset + offset` (a vdevice frame mapped where the VM's owner put
 * it, e.g. one vCPU's GICR frames out of the controller's redistributor
 * region).
 */
export class RelocatedRegion implements MmioRegion {
  /** `inner` seen at `[base, base + size)`, starting at its offset `innerOffset`. */
  constructor(
    readonly base: number,
    readonly size: number,
    readonly inner: MmioRegion,
    readonly innerOffset: number,
  ) {}
  read(offset: number, size: number, vcpuIndex: number, out: MmioData): MmioResult {
    return this.inner.read(this.innerOffset + offset, size, vcpuIndex, out);
  }
  write(offset: number, size: number, lo: number, hi: number, vcpuIndex: number): MmioResult {
    return this.inner.write(this.innerOffset + offset, size, lo, hi, vcpuIndex);
  }
}

/** The bus of one VM. */
export class VmMmioBus implements MmioBus {
  dataLo = 0;
  dataHi = 0;
  /** The address space whose VMMIO ranges (addrspace_configure_vmmio) this bus honours. */
  vmmioSource: VmmioSource | null = null;
  #regions: MmioRegion[] = [];
  #last: MmioRegion | null = null;
  #vmmio: { base: number; size: number }[] = [];
  readonly #scratch: MmioData = { lo: 0, hi: 0 };
  // Per-vCPU completion of an exited access: armed flag, IPA, size, value.
  readonly #doneArmed = new Uint8Array(VM_MMIO_MAX_VCPUS);
  readonly #doneIpa = new Float64Array(VM_MMIO_MAX_VCPUS);
  readonly #doneLo = new Uint32Array(VM_MMIO_MAX_VCPUS);
  readonly #doneHi = new Uint32Array(VM_MMIO_MAX_VCPUS);
  // The access that exited, per vCPU, so complete() knows its IPA.
  readonly #exitIpa = new Float64Array(VM_MMIO_MAX_VCPUS).fill(-1);

  /** Whether a region covering exactly `[base, base + size)` is claimed. */
  hasRegionAt(base: number, size: number): boolean {
    return this.#regions.some((r) => r.base === base && r.size === size);
  }

  /** Claim a device region; overlapping an existing region throws. */
  addRegion(region: MmioRegion): void {
    if (region.size <= 0) {
      throw new RangeError(`MMIO region at 0x${region.base.toString(16)} has no size`);
    }
    for (const r of this.#regions) {
      if (overlaps(r.base, r.size, region.base, region.size)) {
        throw new Error(
          `MMIO region 0x${region.base.toString(16)}+0x${region.size.toString(16)} overlaps ` +
            `0x${r.base.toString(16)}+0x${r.size.toString(16)}`,
        );
      }
    }
    this.#regions.push(region);
    this.#regions.sort((a, b) => a.base - b.base);
  }

  /** Release a device region (no-op if absent). */
  removeRegion(region: MmioRegion): void {
    const i = this.#regions.indexOf(region);
    if (i >= 0) this.#regions.splice(i, 1);
    if (this.#last === region) this.#last = null;
  }

  /** The claimed regions, by base address. */
  get regions(): readonly MmioRegion[] {
    return this.#regions;
  }

  /** Add a VMMIO range (HYP `addrspace_configure_vmmio` ADD). */
  addVmmioRange(base: number, size: number): void {
    this.#vmmio.push({ base, size });
  }

  /** Remove a VMMIO range added with the same base and size; returns whether it existed. */
  removeVmmioRange(base: number, size: number): boolean {
    const i = this.#vmmio.findIndex((r) => r.base === base && r.size === size);
    if (i < 0) return false;
    this.#vmmio.splice(i, 1);
    return true;
  }

  /** Whether `ipa` lies in a VMMIO range (of the bus or of its address space). */
  isVmmio(ipa: number): boolean {
    if (this.vmmioSource !== null && this.vmmioSource.isVmmio(ipa)) return true;
    const v = this.#vmmio;
    for (let i = 0; i < v.length; i++) {
      if (ipa >= v[i].base && ipa - v[i].base < v[i].size) return true;
    }
    return false;
  }

  /**
   * Complete the access that made vCPU `vcpuIndex` exit: for a read, `lo`/`hi`
   * is the value the re-executed load receives; for a write the values are
   * ignored. Throws if that vCPU has no exited access.
   */
  complete(vcpuIndex: number, lo: number, hi: number): void {
    const ipa = this.#exitIpa[vcpuIndex];
    if (ipa < 0) throw new Error(`vCPU ${vcpuIndex} has no MMIO access waiting for completion`);
    this.#doneArmed[vcpuIndex] = 1;
    this.#doneIpa[vcpuIndex] = ipa;
    this.#doneLo[vcpuIndex] = lo >>> 0;
    this.#doneHi[vcpuIndex] = hi >>> 0;
    this.#exitIpa[vcpuIndex] = -1;
  }

  /** Forget any exited or completed access of `vcpuIndex` (vCPU reset). */
  resetVcpu(vcpuIndex: number): void {
    this.#doneArmed[vcpuIndex] = 0;
    this.#exitIpa[vcpuIndex] = -1;
  }

  read(ipa: number, size: number, vcpuIndex: number): MmioResult {
    if (this.#doneArmed[vcpuIndex] === 1 && this.#doneIpa[vcpuIndex] === ipa) {
      this.#doneArmed[vcpuIndex] = 0;
      this.dataLo = this.#doneLo[vcpuIndex];
      this.dataHi = size === 8 ? this.#doneHi[vcpuIndex] : 0;
      return MmioResult.Handled;
    }
    const r = this.#find(ipa);
    if (r !== null) {
      const out = this.#scratch;
      out.lo = 0;
      out.hi = 0;
      let res: MmioResult;
      try {
        res = r.read(ipa - r.base, size, vcpuIndex, out);
      } catch (e) {
        res = this.#contain(r, e);
        out.lo = 0;
        out.hi = 0;
      }
      if (res === MmioResult.Handled) {
        this.dataLo = out.lo >>> 0;
        this.dataHi = out.hi >>> 0;
      } else if (res === MmioResult.Exit) {
        this.#exitIpa[vcpuIndex] = ipa;
      }
      return res;
    }
    if (this.isVmmio(ipa)) {
      this.#exitIpa[vcpuIndex] = ipa;
      return MmioResult.Exit;
    }
    return MmioResult.Unclaimed;
  }

  write(ipa: number, size: number, lo: number, hi: number, vcpuIndex: number): MmioResult {
    if (this.#doneArmed[vcpuIndex] === 1 && this.#doneIpa[vcpuIndex] === ipa) {
      this.#doneArmed[vcpuIndex] = 0;
      return MmioResult.Handled;
    }
    const r = this.#find(ipa);
    if (r !== null) {
      let res: MmioResult;
      try {
        res = r.write(ipa - r.base, size, lo, hi, vcpuIndex);
      } catch (e) {
        res = this.#contain(r, e);
      }
      if (res === MmioResult.Exit) this.#exitIpa[vcpuIndex] = ipa;
      return res;
    }
    if (this.isVmmio(ipa)) {
      this.#exitIpa[vcpuIndex] = ipa;
      return MmioResult.Exit;
    }
    return MmioResult.Unclaimed;
  }

  /**
   * A device region threw while serving an access (a device bug or a plugin
   * fault, never the guest's): with {@link onFault} set the fault is
   * contained there and the access completes (a read returns 0); without it
   * the error propagates.
   */
  onFault: ((region: MmioRegion, error: unknown) => void) | null = null;

  #contain(region: MmioRegion, error: unknown): MmioResult {
    if (this.onFault === null) throw error;
    this.onFault(region, error);
    return MmioResult.Handled;
  }

  #find(ipa: number): MmioRegion | null {
    const last = this.#last;
    if (last !== null && ipa >= last.base && ipa - last.base < last.size) return last;
    const rs = this.#regions;
    let lo = 0, hi = rs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = rs[mid];
      if (ipa < r.base) hi = mid - 1;
      else if (ipa - r.base >= r.size) lo = mid + 1;
      else {
        this.#last = r;
        return r;
      }
    }
    return null;
  }
}

function overlaps(a: number, as: number, b: number, bs: number): boolean {
  return a < b + bs && b < a + as;
}
