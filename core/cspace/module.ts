/**
 * The cspace module: the CSPACE object and the capability hypercalls.
 *
 * @module
 */
import type { CoreModule } from "../module.ts";
import { ObjectType } from "../object/object_type.ts";
import { cspaceFactory, registerCspaceHypercalls } from "./hypercalls.ts";

/** Capability spaces (HYP `hyp/core/cspace_twolevel`). */
export const cspaceModule: CoreModule = {
  name: "cspace",
  objects: [[ObjectType.CSPACE, cspaceFactory]],
  hypercalls: registerCspaceHypercalls,
};
