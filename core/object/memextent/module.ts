/**
 * The memory-extent module: the MEMEXTENT object and its hypercalls.
 *
 * @module
 */
import type { CoreModule } from "../../module.ts";
import { ObjectType } from "../object_type.ts";
import { memextentFactory, registerMemextentHypercalls } from "./hypercalls.ts";

/** Memory extents (HYP `hyp/mem/memextent`). */
export const memextentModule: CoreModule = {
  name: "memextent",
  objects: [[ObjectType.MEMEXTENT, memextentFactory]],
  hypercalls: registerMemextentHypercalls,
};
