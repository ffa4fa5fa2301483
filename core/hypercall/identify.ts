/**
 * `hypervisor_identify` (call 0x00): API info and feature flags
 * (gunyah-abi.md §1.3; HYP `hyp/interfaces/api/api.tc`).
 *
 * Feature bits are derived from what is registered in the table, the way
 * HYP sets each bit in the module that provides the feature: a bit is set
 * only when the calls it announces are implemented here.
 *
 * @module
 */
import { Hypercall } from "../abi/hypercall_numbers.ts";
import {
  API_FLAGS0_SCHEDULER_SHIFT,
  ApiFlags0,
  hypApiInfo,
  HypVariant,
  SchedulerVariant,
} from "../abi/identify.ts";
import type { HypercallTable } from "./table.ts";

/** Feature bit → the call whose presence announces it. */
const FEATURE_PROBES: readonly (readonly [ApiFlags0, number])[] = [
  [ApiFlags0.PARTITION_CSPACE, Hypercall.PARTITION_CREATE_CSPACE],
  [ApiFlags0.DOORBELL, Hypercall.DOORBELL_SEND],
  [ApiFlags0.MSGQUEUE, Hypercall.MSGQUEUE_SEND],
  [ApiFlags0.VIC, Hypercall.VIC_CONFIGURE],
  [ApiFlags0.VPM, Hypercall.VPM_GROUP_CONFIGURE],
  [ApiFlags0.VCPU, Hypercall.VCPU_CONFIGURE],
  [ApiFlags0.MEMEXTENT, Hypercall.MEMEXTENT_CONFIGURE],
  [ApiFlags0.TRACE_CTRL, Hypercall.TRACE_UPDATE_CLASS_FLAGS],
  [ApiFlags0.WATCHDOG, Hypercall.WATCHDOG_CONFIGURE],
  [ApiFlags0.VIRTIO_MMIO, Hypercall.VIRTIO_MMIO_CONFIGURE],
  [ApiFlags0.PRNG, Hypercall.PRNG_GET_ENTROPY],
  [ApiFlags0.VCPU_RUN, Hypercall.VCPU_RUN],
];

/** `api_flags_0` for the calls currently registered in `table`, scheduler variant FPRR. */
export function apiFlags0(table: HypercallTable): bigint {
  let flags = SchedulerVariant.FPRR << API_FLAGS0_SCHEDULER_SHIFT;
  for (const [bit, n] of FEATURE_PROBES) if (table.isImplemented(n)) flags |= bit;
  return BigInt(flags >>> 0);
}

/** Register hypervisor_identify in `table`. */
export function registerIdentifyHypercall(
  table: HypercallTable,
  variant: HypVariant = HypVariant.QUALCOMM,
): void {
  const info = hypApiInfo(variant);
  table.registerHypercall(Hypercall.HYPERVISOR_IDENTIFY, "hypervisor_identify", (_ctx, _a, r) => {
    r[0] = info;
    r[1] = apiFlags0(table);
    r[2] = 0n; // api_flags_1: no bit is set by the 12/2023 code
    r[3] = 0n; // api_flags_2: likewise
  });
}
