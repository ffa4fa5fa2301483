/**
 * The core's modules, in the order a hypervisor installs them. Each folder
 * declares what it adds in its own `module.ts`; this list only names them.
 * The thread module is installed by the hypervisor itself (it needs the vCPU
 * runtime: core/object/thread/module.ts).
 *
 * @module
 */
import { cspaceModule } from "./cspace/module.ts";
import { hypervisorServicesModule } from "./hypercall/module.ts";
import type { CoreModule } from "./module.ts";
import { addrspaceModule } from "./object/addrspace/module.ts";
import { doorbellModule } from "./object/doorbell/module.ts";
import { memextentModule } from "./object/memextent/module.ts";
import { msgqueueModule } from "./object/msgqueue/module.ts";
import { partitionModule } from "./object/partition/module.ts";
import { vicModule } from "./object/vic/module.ts";
import { virtioMmioModule } from "./object/virtio_mmio/module.ts";

/** Every core module but the thread one (which needs a vCPU runtime). */
export const CORE_MODULES: readonly CoreModule[] = [
  hypervisorServicesModule,
  partitionModule,
  cspaceModule,
  memextentModule,
  addrspaceModule,
  doorbellModule,
  msgqueueModule,
  vicModule,
  virtioMmioModule,
];
