/**
 * vgic_set_mpidr_mapping (0x67): replace a vic's MPIDR ↔ vCPU-index mapping
 * (HYP `hypercall_vgic_set_mpidr_mapping`, `hyp/vm/vgic/src/distrib.c`;
 * module vm/vgic is built for QEMU).
 *
 * Arguments: vic cap, mask (an MPIDR_EL1 value whose Aff fields select the
 * index bits), aff0..aff3 shifts (`count_t`: low 32 bits), mt (`bool`:
 * any non-zero value is true). The cap needs OBJECT_ACTIVATE and any state
 * (else the cspace error); a non-vic is ERROR_CSPACE_WRONG_OBJECT_TYPE; a
 * vic past INIT is ERROR_OBJECT_STATE; a bad mapping is
 * ERROR_ARGUMENT_INVALID ({@link createMpidrMapping}).
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { lookupForConfigure } from "../../cspace/hypercalls.ts";
import { argU32, type HypercallTable } from "../../hypercall/table.ts";
import { ObjectState, ObjectType } from "../object_type.ts";
import { createMpidrMapping } from "./mpidr_mapping.ts";
import type { Vic } from "./vic.ts";

/** Register vgic_set_mpidr_mapping. */
export function registerVgicMpidrMappingHypercall(table: HypercallTable): void {
  table.registerHypercall(Hypercall.VGIC_SET_MPIDR_MAPPING, "vgic_set_mpidr_mapping", (ctx, a) => {
    const vic = lookupForConfigure<Vic>(ctx, a[0], ObjectType.VIC);
    if (vic.state !== ObjectState.INIT) throwHypError(HypError.ERROR_OBJECT_STATE, "vic not INIT");
    vic.mpidrMapping = createMpidrMapping(
      a[1],
      [argU32(a, 2), argU32(a, 3), argU32(a, 4), argU32(a, 5)],
      a[6] !== 0n,
    );
  });
}
