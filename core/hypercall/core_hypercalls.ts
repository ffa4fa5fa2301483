/**
 * Registration of everything the core itself implements: its object
 * factories and its hypercalls. The thread module adds its own factory
 * (`ObjectType.THREAD`) and its calls through the same registries.
 *
 * @module
 */
import { cspaceFactory, registerCspaceHypercalls } from "../cspace/hypercalls.ts";
import { addrspaceFactory, registerAddrspaceHypercalls } from "../object/addrspace/hypercalls.ts";
import { doorbellFactory, registerDoorbellHypercalls } from "../object/doorbell/hypercalls.ts";
import type { ObjectFactoryRegistry } from "../object/factory.ts";
import { memextentFactory, registerMemextentHypercalls } from "../object/memextent/hypercalls.ts";
import { msgqueueFactory, registerMsgqueueHypercalls } from "../object/msgqueue/hypercalls.ts";
import { ObjectType } from "../object/object_type.ts";
import {
  registerVirtioMmioHypercalls,
  virtioMmioFactory,
} from "../object/virtio_mmio/hypercalls.ts";
import { registerVirtioInputHypercalls } from "../object/virtio_mmio/virtio_input_hypercalls.ts";
import { registerPartitionHypercalls } from "../object/partition/hypercalls.ts";
import { registerVicHypercalls, vicFactory, vpmGroupFactory } from "../object/vic/hypercalls.ts";
import { registerVgicMpidrMappingHypercall } from "../object/vic/set_mpidr_mapping.ts";
import { registerVicBindMsiSourceHypercall } from "../object/vic/bind_msi_source.ts";
import { registerAddrspaceAttachVdmaHypercall } from "../object/addrspace/attach_vdma.ts";
import { registerIdentifyHypercall } from "./identify.ts";
import { registerPrngHypercall } from "./prng.ts";
import type { HypercallTable } from "./table.ts";
import { registerTraceHypercalls } from "./trace_control.ts";

/** Register the core's object factories (every creatable type except thread). */
export function registerCoreObjectFactories(factories: ObjectFactoryRegistry): void {
  factories.register(ObjectType.CSPACE, cspaceFactory);
  factories.register(ObjectType.ADDRSPACE, addrspaceFactory);
  factories.register(ObjectType.MEMEXTENT, memextentFactory);
  factories.register(ObjectType.DOORBELL, doorbellFactory);
  factories.register(ObjectType.MSGQUEUE, msgqueueFactory);
  factories.register(ObjectType.VIC, vicFactory);
  factories.register(ObjectType.VPM_GROUP, vpmGroupFactory);
  factories.register(ObjectType.VIRTIO_MMIO, virtioMmioFactory);
}

/** Register the core's hypercalls in `table`. */
export function registerCoreHypercalls(table: HypercallTable): void {
  registerIdentifyHypercall(table);
  registerPartitionHypercalls(table);
  registerCspaceHypercalls(table);
  registerMemextentHypercalls(table);
  registerAddrspaceHypercalls(table);
  registerAddrspaceAttachVdmaHypercall(table);
  registerDoorbellHypercalls(table);
  registerMsgqueueHypercalls(table);
  registerVicHypercalls(table);
  registerVgicMpidrMappingHypercall(table);
  registerVicBindMsiSourceHypercall(table);
  registerPrngHypercall(table);
  registerTraceHypercalls(table);
  registerVirtioMmioHypercalls(table);
  registerVirtioInputHypercalls(table);
}
