/**
 * A virtio_mmio register page as the frontend VM sees it, as an
 * `MmioRegion` for a VM's bus: reads come straight from the page (HYP maps
 * it read-only into the frontend, so reads never trap) and writes go to the
 * object's trap handler ({@link VirtioMmio.frontendWrite}); a write the
 * handler refuses answers `Unclaimed`, so the frontend gets an external
 * abort as HYP's VCPU_TRAP_RESULT_FAULT gives it.
 *
 * Placement: HYP traps the frontend's writes because the page is mapped
 * read-only in the frontend's stage 2 and the memextent carries the vdevice.
 * Here a stage-2 write-permission failure is an abort, not a trap, and the
 * hypervisor does not yet swap a mapping of a vdevice memextent for this
 * region: whoever builds the frontend VM puts the region on its bus at the
 * page's IPA instead of mapping the memextent there.
 *
 * Reads and writes allocate nothing.
 *
 * @module
 */
import { type MmioData, type MmioRegion, MmioResult } from "../../plugin/contracts.ts";
import { VIRTIO_MMIO_PAGE_SIZE } from "./registers.ts";
import type { VirtioMmio } from "./virtio_mmio.ts";

/** The frontend's view of a virtio_mmio register page at IPA `base`. */
export class VirtioMmioFrontendRegion implements MmioRegion {
  readonly size = VIRTIO_MMIO_PAGE_SIZE;

  constructor(readonly base: number, readonly device: VirtioMmio) {}

  read(offset: number, size: number, _vcpuIndex: number, out: MmioData): MmioResult {
    const regs = this.device.regs;
    if (regs === null || offset + size > this.size) return MmioResult.Unclaimed;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < size; i++) {
      const b = regs[offset + i];
      if (i < 4) lo |= b << (8 * i);
      else hi |= b << (8 * (i - 4));
    }
    out.lo = lo >>> 0;
    out.hi = hi >>> 0;
    return MmioResult.Handled;
  }

  write(offset: number, size: number, lo: number, _hi: number, _vcpuIndex: number): MmioResult {
    if (size > 4) return MmioResult.Unclaimed;
    return this.device.frontendWrite(offset, size, lo) ? MmioResult.Handled : MmioResult.Unclaimed;
  }
}
