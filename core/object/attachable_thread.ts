/**
 * What the attach hypercalls need from a thread (vCPU) object.
 *
 * The thread type belongs to the thread module; the core's attach calls
 * (cspace_attach_thread 0x3e, addrspace_attach_thread 0x2a,
 * vic_attach_vcpu 0x29, vpm_group_attach_vcpu 0x3c) look the thread up,
 * check "thread still INIT, container ACTIVE" and the rights, and then ask
 * the thread to record the attachment through this interface.
 * Each method returns a Gunyah error code (e.g. ERROR_ARGUMENT_INVALID when
 * the thread is not a vCPU).
 *
 * @module
 */
import type { HypError } from "../abi/error.ts";
import type { Cspace } from "../cspace/cspace.ts";
import type { Addrspace } from "./addrspace/addrspace.ts";
import type { GunyahObject } from "./object.ts";
import type { Vic } from "./vic/vic.ts";
import type { VpmGroup } from "./vpm_group/vpm_group.ts";

/** A thread that containers can be attached to while it is INIT. */
export interface AttachableThread extends GunyahObject {
  /** Make `cspace` the thread's cspace (replacing any earlier one). Take a reference (`cspace.get()`). */
  attachCspace(cspace: Cspace): HypError;
  /**
   * Make `addrspace` the vCPU's stage-2 address space (ERROR_ARGUMENT_INVALID
   * if the thread is not a vCPU). Take a reference.
   */
  attachAddrspace(addrspace: Addrspace): HypError;
  /**
   * Record that the vCPU is attachment `index` of `vic`, replacing an earlier
   * vic (the index is already checked; ERROR_ARGUMENT_INVALID if not a vCPU).
   * Take a reference. As in HYP, the slot itself is taken when the thread
   * activates: call `vic.activateVcpu(thread, index)` from the thread's
   * activate hook (ERROR_BUSY if taken) and `vic.deactivateVcpu(thread)`
   * when it is destroyed.
   */
  attachVic(vic: Vic, index: number): HypError;
  /**
   * Record that the vCPU is attachment `index` of the vpm_group; the same
   * activation rule applies (`group.activateVcpu` / `group.deactivateVcpu`).
   */
  attachVpmGroup(group: VpmGroup, index: number): HypError;
}

/** Whether `object` implements {@link AttachableThread}. */
export function isAttachableThread(object: GunyahObject): object is AttachableThread {
  return typeof (object as unknown as { attachCspace?: unknown }).attachCspace === "function";
}
