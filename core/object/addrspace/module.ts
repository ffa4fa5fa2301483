/**
 * The address-space module: the ADDRSPACE object, its hypercalls and addrspace_attach_vdma.
 *
 * @module
 */
import type { CoreModule } from "../../module.ts";
import { ObjectType } from "../object_type.ts";
import { registerAddrspaceAttachVdmaHypercall } from "./attach_vdma.ts";
import { addrspaceFactory, registerAddrspaceHypercalls } from "./hypercalls.ts";

/** Address spaces (HYP `hyp/mem/addrspace`). */
export const addrspaceModule: CoreModule = {
  name: "addrspace",
  objects: [[ObjectType.ADDRSPACE, addrspaceFactory]],
  hypercalls: (table) => {
    registerAddrspaceHypercalls(table);
    registerAddrspaceAttachVdmaHypercall(table);
  },
};
