/**
 * First-class object types and object states.
 *
 * Source: gunyah-abi.md §2.1-§2.2 — the `first_class_object` declarations of
 * HYP's interface `build.conf` files and `object_state` in
 * `hyp/core/object_standard/templates/object.tc.tmpl`. HYP numbers object
 * types by build order and never shows them to a guest, so the values here
 * are this implementation's own.
 *
 * @module
 */
import {
  CAP_RIGHTS_ADDRSPACE_ALL,
  CAP_RIGHTS_CSPACE_ALL,
  CAP_RIGHTS_DOORBELL_ALL,
  CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE,
  CAP_RIGHTS_HWIRQ_ALL,
  CAP_RIGHTS_MEMEXTENT_ALL,
  CAP_RIGHTS_MSGQUEUE_ALL,
  CAP_RIGHTS_PARTITION_ALL,
  CAP_RIGHTS_THREAD_ALL,
  CAP_RIGHTS_VIC_ALL,
  CAP_RIGHTS_VIRTIO_MMIO_ALL,
  CAP_RIGHTS_VPM_GROUP_ALL,
  CAP_RIGHTS_VRTC_ALL,
} from "../abi/rights.ts";

/** Gunyah first-class object types. */
export enum ObjectType {
  PARTITION = 0,
  CSPACE = 1,
  ADDRSPACE = 2,
  MEMEXTENT = 3,
  THREAD = 4,
  DOORBELL = 5,
  MSGQUEUE = 6,
  VIC = 7,
  HWIRQ = 8,
  VPM_GROUP = 9,
  VIRTIO_MMIO = 10,
  VRTC = 11,
}

/** `object_state` (HYP `object.tc.tmpl`). */
export enum ObjectState {
  NONE = 0,
  INIT = 1,
  ACTIVE = 2,
  FAILED = 3,
  DESTROYING = 4,
}

const RIGHTS_ALL: Readonly<Record<ObjectType, number>> = {
  [ObjectType.PARTITION]: CAP_RIGHTS_PARTITION_ALL,
  [ObjectType.CSPACE]: CAP_RIGHTS_CSPACE_ALL,
  [ObjectType.ADDRSPACE]: CAP_RIGHTS_ADDRSPACE_ALL,
  [ObjectType.MEMEXTENT]: CAP_RIGHTS_MEMEXTENT_ALL,
  [ObjectType.THREAD]: CAP_RIGHTS_THREAD_ALL,
  [ObjectType.DOORBELL]: CAP_RIGHTS_DOORBELL_ALL,
  [ObjectType.MSGQUEUE]: CAP_RIGHTS_MSGQUEUE_ALL,
  [ObjectType.VIC]: CAP_RIGHTS_VIC_ALL,
  [ObjectType.HWIRQ]: CAP_RIGHTS_HWIRQ_ALL,
  [ObjectType.VPM_GROUP]: CAP_RIGHTS_VPM_GROUP_ALL,
  [ObjectType.VIRTIO_MMIO]: CAP_RIGHTS_VIRTIO_MMIO_ALL,
  [ObjectType.VRTC]: CAP_RIGHTS_VRTC_ALL,
};

/**
 * Rights of a master cap of `type`: every defined right of the type plus
 * the generic OBJECT_ACTIVATE (HYP `cspace_get_rights_all`).
 */
export function masterRights(type: ObjectType): number {
  return (RIGHTS_ALL[type] | CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE) >>> 0;
}

/** Lower-case HYP name of an object type, e.g. `"vpm_group"`. */
export function objectTypeName(type: ObjectType): string {
  return ObjectType[type].toLowerCase();
}
