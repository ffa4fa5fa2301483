/**
 * The hypervisor's own services: hypervisor_identify, prng_get_entropy and
 * trace_update_class_flags.
 *
 * @module
 */
import type { CoreModule } from "../module.ts";
import { registerIdentifyHypercall } from "./identify.ts";
import { registerPrngHypercall } from "./prng.ts";
import { registerTraceHypercalls } from "./trace_control.ts";

/** Identify, PRNG and trace control (HYP `hyp/core/api`, `hyp/misc/prng_*`, `hyp/misc/trace`). */
export const hypervisorServicesModule: CoreModule = {
  name: "hypercall",
  hypercalls: (table) => {
    registerIdentifyHypercall(table);
    registerPrngHypercall(table);
    registerTraceHypercalls(table);
  },
};
