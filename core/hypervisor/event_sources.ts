/**
 * Where the core's events (events.ts) come from besides the run loop and
 * the vCPUs: object lifecycle (created, activated, destroyed), every
 * hypercall, and a VM's exit through PSCI. Each source is cheap when nobody
 * listens (`EventBus.has`).
 *
 * @module
 */
import { errorFromRegister } from "../abi/error.ts";
import { hypercallInfo } from "../abi/hypercall_numbers.ts";
import type { EventBus } from "../events.ts";
import type { HypercallObserver } from "../hypercall/table.ts";
import { Addrspace } from "../object/addrspace/addrspace.ts";
import type { GunyahObject, ObjectLifecycleObserver } from "../object/object.ts";
import { objectTypeName } from "../object/object_type.ts";
import { Thread } from "../object/thread/thread.ts";
import type { VirtualClock } from "../time/virtual_clock.ts";
import type { HypervisorEvents } from "./events.ts";
import type { VmRegistry } from "./vm_registry.ts";

/**
 * The root partition's lifecycle observer: emits `object.*` events, wires a
 * new address space's vdevice attachments to the VM registry, and lets a
 * destroyed vCPU leave the hypervisor (`forgetThread`).
 */
export function lifecycleEvents(
  events: EventBus<HypervisorEvents>,
  vms: VmRegistry,
  forgetThread: (t: Thread) => void,
): ObjectLifecycleObserver {
  const emit = (
    name: "object.created" | "object.activated" | "object.destroyed",
    o: GunyahObject,
  ) => {
    if (events.has(name)) {
      events.emit(name, { object: o.describeName(), type: objectTypeName(o.type) });
    }
  };
  return {
    created: (o) => {
      if (o instanceof Addrspace) {
        o.observer = { vdeviceAttached: (a, att) => vms.mapVdevice(a, att) };
      }
      emit("object.created", o);
    },
    activated: (o) => emit("object.activated", o),
    destroyed: (o) => {
      if (o instanceof Thread) forgetThread(o);
      emit("object.destroyed", o);
    },
  };
}

/** The dispatcher's observer: a `hypercall` event per call. */
export function hypercallEvents(
  events: EventBus<HypervisorEvents>,
  clock: VirtualClock,
): HypercallObserver {
  return (ctx, entry, n, results) => {
    if (!events.has("hypercall")) return;
    events.emit("hypercall", {
      time: clock.now,
      caller: ctx.thread ? ctx.thread.describeName() : "native",
      n,
      name: entry?.name ?? hypercallInfo(n)?.name ?? "unknown",
      error: n === 0 ? 0 : errorFromRegister(results[0]),
    });
  };
}
