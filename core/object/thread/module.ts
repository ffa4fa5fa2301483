/**
 * The thread module: the THREAD object (a vCPU) and the vCPU and scheduler
 * hypercalls. Unlike the other modules it needs the hypervisor's vCPU
 * runtime, so it is a function of it.
 *
 * @module
 */
import type { CoreModule } from "../../module.ts";
import type { ObjectFactory } from "../factory.ts";
import { ObjectType } from "../object_type.ts";
import { registerThreadHypercalls, type VcpuRuntime } from "./hypercalls.ts";

/** Threads (HYP `hyp/core/thread_standard`, `hyp/vm/vcpu`, the scheduler's calls). */
export function threadModule(
  runtime: VcpuRuntime,
  cpuCount: number,
  createThread: ObjectFactory,
): CoreModule {
  return {
    name: "thread",
    objects: [[ObjectType.THREAD, createThread]],
    hypercalls: (table) => registerThreadHypercalls(table, runtime, cpuCount),
  };
}
