/**
 * The hypervisor's event map: what the core announces on its
 * {@link EventBus} (the dashboard, traces and tests subscribe; core modules
 * meet through these instead of importing each other).
 *
 * Payloads are small plain objects built only when someone listens
 * (`bus.has(name)`), so an unobserved run pays nothing. Times are virtual ns.
 *
 * @module
 */
import type { EventBus } from "../events.ts";

/** Every event of the core, by name. */
export type HypervisorEvents = {
  /** An object was created (any type). */
  "object.created": { readonly object: string; readonly type: string };
  /** An object became ACTIVE. */
  "object.activated": { readonly object: string; readonly type: string };
  /** An object was destroyed (its last reference went). */
  "object.destroyed": { readonly object: string; readonly type: string };
  /** A thread changed state: activated, poweron, poweroff, killed, exited, blocked, unblocked, fault, affinity. */
  "thread.state": {
    readonly time: number;
    readonly thread: string;
    readonly change: string;
    readonly detail: string;
  };
  /** A physical CPU switched threads (`thread` null = idle). */
  "sched.switch": {
    readonly time: number;
    readonly cpu: number;
    readonly from: string | null;
    readonly thread: string | null;
  };
  /** A vCPU left the CPU for the core (HVC, SMC, WFI, MMIO, fault, ...). */
  "vcpu.exit": {
    readonly time: number;
    readonly cpu: number;
    readonly thread: string;
    readonly kind: string;
    readonly retired: number;
  };
  /** A hypercall was dispatched (vCPU or native caller). */
  "hypercall": {
    readonly time: number;
    readonly caller: string;
    readonly n: number;
    readonly name: string;
    readonly error: number;
  };
  /** A vCPU's MMIO access waits for completion (non-proxy vCPU: an isolated device must complete it). */
  "vcpu.vmmio": {
    readonly time: number;
    readonly thread: string;
    readonly ipa: number;
    readonly size: number;
    readonly write: boolean;
  };
  /** A VM-wide power event (PSCI SYSTEM_OFF / SYSTEM_RESET) ended a VM's run. */
  "vm.exit": {
    readonly time: number;
    readonly thread: string;
    readonly reason: "system_off" | "system_reset";
  };
  /** Virtual time jumped forward because every CPU was idle. */
  "time.jump": { readonly from: number; readonly to: number };
  /** A diagnostic message (unknown sysreg traps, arch logs, ...). */
  "log": { readonly time: number; readonly message: string };
};

/** The hypervisor's bus type. */
export type HypervisorEventBus = EventBus<HypervisorEvents>;
