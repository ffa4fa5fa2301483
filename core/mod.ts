/**
 * The gunyah-ts core: objects, capabilities, hypercall dispatch, scheduling
 * and virtual time, and the contracts every plugin implements.
 *
 * @module
 */
export * from "./plugin/mod.ts";
export * from "./abi/mod.ts";
export * from "./events.ts";
// Objects, capabilities and hypercall dispatch (core/abi, core/object, core/cspace, core/hypercall, core/memory).
export * from "./object/object_type.ts";
export * from "./object/object.ts";
export * from "./object/factory.ts";
export * from "./object/attachable_thread.ts";
export * from "./object/partition/partition.ts";
export * from "./cspace/prng.ts";
export * from "./cspace/cap.ts";
export * from "./cspace/cap_id.ts";
export * from "./cspace/cspace.ts";
export * from "./cspace/hypercalls.ts";
export * from "./object/partition/hypercalls.ts";
export * from "./memory/physical_memory.ts";
export * from "./memory/memdb.ts";
export * from "./memory/physical_user_memory.ts";
export * from "./hypercall/context.ts";
export * from "./hypercall/table.ts";
export * from "./hypercall/smccc.ts";
export * from "./hypercall/identify.ts";
export * from "./module.ts";
export * from "./modules.ts";
// Threads/vCPUs, scheduling, virtual time and the hypervisor run loop (core/object/thread, core/sched, core/time, core/hypervisor).
export * from "./time/mod.ts";
export * from "./sched/mod.ts";
export * from "./object/thread/mod.ts";
export * from "./hypervisor/mod.ts";
export * from "./psci/mod.ts";
export * from "./object/vdevice.ts";
export * from "./object/addrspace/stage2_entry.ts";
export * from "./object/addrspace/addrspace.ts";
export * from "./object/addrspace/hypercalls.ts";
export * from "./object/memextent/memextent.ts";
export * from "./object/memextent/hypercalls.ts";
export * from "./object/vic/virq_source.ts";
export * from "./object/vic/vic.ts";
export * from "./object/vic/hypercalls.ts";
export * from "./object/vpm_group/vpm_group.ts";
export * from "./object/hwirq/hwirq.ts";
export * from "./object/doorbell/doorbell.ts";
export * from "./object/doorbell/hypercalls.ts";
export * from "./object/msgqueue/msgqueue.ts";
export * from "./object/msgqueue/hypercalls.ts";
export * from "./hypercall/prng.ts";
export * from "./object/addrspace/addrspace_user_memory.ts";
export * from "./hypercall/port.ts";
