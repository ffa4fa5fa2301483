/**
 * The narrow control surface of a system for tools: VM records by VMID (as
 * plain data), and a refused request as a {@link VmRequestError} that says
 * why, instead of the resource manager's error classes and status codes.
 * The dashboard's VM controls are written against this and
 * `GunyahSystem.launch` / `stopVm` only.
 *
 * @module
 */

/** A VM as the resource manager records it, as plain data. */
export interface VmRecordView {
  /** RM VMID. */
  readonly vmid: number;
  /** The VM's name. */
  readonly name: string;
  /** RM status, lower case: `init`, `ready`, `running`, `exited`, ... */
  readonly status: string;
  /** Why it exited, when it did. */
  readonly exitReason: string | null;
}

/** Why the system refused a VM request. */
export type VmRequestRefusal = "unknown-vm" | "invalid-argument" | "refused";

/** A VM request the system refused; `reason` says which kind of refusal. */
export class VmRequestError extends Error {
  /** Error name. */
  override readonly name = "VmRequestError";
  /** `reason`: which kind of refusal; `message`: what was refused and why. */
  constructor(readonly reason: VmRequestRefusal, message: string) {
    super(message);
  }
}
