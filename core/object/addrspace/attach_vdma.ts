/**
 * addrspace_attach_vdma (0x2f): attach a DMA-capable device (an SMMU
 * context, for example) to an address space.
 *
 * HYP 12/2023 (`hyp/mem/addrspace/src/hypercalls.c`, built for QEMU) looks
 * the addrspace up with ATTACH (ACTIVE) and then triggers the
 * `addrspace_attach_vdma` event, whose default result is
 * ERROR_CSPACE_WRONG_OBJECT_TYPE (`hyp/interfaces/addrspace/addrspace.ev`).
 * No module of the open-source tree handles that event (the QEMU platform
 * has no SMMU), so every call with a valid addrspace ends with that error;
 * the dma_device CapID and the index are never examined. This does exactly
 * the same.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { CAP_RIGHTS_ADDRSPACE_ATTACH } from "../../abi/rights.ts";
import type { HypercallTable } from "../../hypercall/table.ts";
import { ObjectType } from "../object_type.ts";

/** Register addrspace_attach_vdma. */
export function registerAddrspaceAttachVdmaHypercall(table: HypercallTable): void {
  table.registerHypercall(Hypercall.ADDRSPACE_ATTACH_VDMA, "addrspace_attach_vdma", (ctx, a) => {
    ctx.cspace.lookup(a[0], ObjectType.ADDRSPACE, CAP_RIGHTS_ADDRSPACE_ATTACH);
    throwHypError(
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
      "no DMA device type exists on this platform (no SMMU)",
    );
  });
}
