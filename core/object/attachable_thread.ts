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
import type { GunyahObject } from "./object.ts";

/** A thread that containers can be attached to while it is INIT. */
export interface AttachableThread extends GunyahObject {
  /** Make `cspace` the thread's cspace (replacing any earlier one). */
  attachCspace(cspace: Cspace): HypError;
}

/** Whether `object` implements {@link AttachableThread}. */
export function isAttachableThread(object: GunyahObject): object is AttachableThread {
  return typeof (object as unknown as { attachCspace?: unknown }).attachCspace === "function";
}
