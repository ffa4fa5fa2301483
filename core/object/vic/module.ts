/**
 * The virtual interrupt controller module: the VIC and VPM_GROUP objects and their hypercalls (vgic_set_mpidr_mapping, vic_bind_msi_source included).
 *
 * @module
 */
import type { CoreModule } from "../../module.ts";
import { ObjectType } from "../object_type.ts";
import { registerVicBindMsiSourceHypercall } from "./bind_msi_source.ts";
import { registerVicHypercalls, vicFactory, vpmGroupFactory } from "./hypercalls.ts";
import { registerVgicMpidrMappingHypercall } from "./set_mpidr_mapping.ts";

/** The vIC (HYP `hyp/vm/vic_base`, `hyp/vm/vgic`) and VPM groups (`hyp/vm/vpm_base`). */
export const vicModule: CoreModule = {
  name: "vic",
  objects: [[ObjectType.VIC, vicFactory], [ObjectType.VPM_GROUP, vpmGroupFactory]],
  hypercalls: (table) => {
    registerVicHypercalls(table);
    registerVgicMpidrMappingHypercall(table);
    registerVicBindMsiSourceHypercall(table);
  },
};
