/**
 * The doorbell module: the DOORBELL object and its hypercalls (0x10-0x15).
 *
 * @module
 */
import type { CoreModule } from "../../module.ts";
import { ObjectType } from "../object_type.ts";
import { doorbellFactory, registerDoorbellHypercalls } from "./hypercalls.ts";

/** Doorbells (HYP `hyp/ipc/doorbell`). */
export const doorbellModule: CoreModule = {
  name: "doorbell",
  objects: [[ObjectType.DOORBELL, doorbellFactory]],
  hypercalls: registerDoorbellHypercalls,
};
