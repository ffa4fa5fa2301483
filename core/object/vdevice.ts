/**
 * Objects that can be attached to an addrspace as virtual devices
 * (`addrspace_attach_vdevice`, 0x62): the vGIC behind a vic object (index 0
 * = GICD, 1..N = one GICR per vCPU).
 *
 * @module
 */
import type { Addrspace } from "./addrspace/addrspace.ts";
import type { GunyahObject } from "./object.ts";

/** A first-class object that provides a virtual device. */
export interface VdeviceProvider extends GunyahObject {
  /** Rights the caller's cap must carry to attach it (e.g. vic ATTACH_VDEVICE). */
  readonly vdeviceAttachRights: number;
  /** Validate `index`/`size` for this device and record the attachment in `addrspace` (throws a Gunyah error). */
  attachToAddrspace(
    addrspace: Addrspace,
    index: number,
    vbase: number,
    size: number,
    flags: bigint,
  ): void;
}

/** Whether `object` is a {@link VdeviceProvider}. */
export function isVdeviceProvider(object: GunyahObject): object is VdeviceProvider {
  return typeof (object as unknown as { attachToAddrspace?: unknown }).attachToAddrspace ===
    "function";
}
