/**
 * Gunyah hypercall numbers, names and register signatures.
 *
 * Source: the `.hvc` files of HYP (quic/gunyah-hypervisor 12/2023, commit
 * 36ca3a2; names, numbers and register counts checked against every
 * `define <name> hypercall` there) as listed in gunyah-abi.md §1.5; the call number N is reached natively as
 * `hvc #(0x6000 + N)` and through SMCCC as function ID `0xC6008000 | N`.
 * Argument names starting `res0`/`res1` are reserved inputs that the
 * hypervisor ignores.
 *
 * @module
 */

/** How the open-source hypervisor treats a call number. */
export type HypercallAvailability =
  /** Implemented by the 12/2023 hypervisor. */
  | "implemented"
  /** Declared and numbered, but the hypervisor returns ERROR_UNIMPLEMENTED. */
  | "unimplemented"
  /** Only present in the API document (HYPDOC) or in optional modules not built for QEMU. */
  | "optional";

/** One row of the hypercall table. */
export interface HypercallInfo {
  /** Call number N. */
  readonly n: number;
  /** HYP name, e.g. `"msgqueue_send"`. */
  readonly name: string;
  /** Input registers in order (native X0.., SMCCC X1..). */
  readonly args: readonly string[];
  /** Output registers in order (X0..); `error` is the error word. */
  readonly results: readonly string[];
  /** How the open-source hypervisor treats the call (implemented, unimplemented, optional). */
  readonly availability: HypercallAvailability;
}

/** Gunyah hypercall numbers (N in `hvc #0x6000+N`). */
export const Hypercall = {
  HYPERVISOR_IDENTIFY: 0x00,
  PARTITION_CREATE_PARTITION: 0x01,
  PARTITION_CREATE_CSPACE: 0x02,
  PARTITION_CREATE_ADDRSPACE: 0x03,
  PARTITION_CREATE_MEMEXTENT: 0x04,
  PARTITION_CREATE_THREAD: 0x05,
  PARTITION_CREATE_DOORBELL: 0x06,
  PARTITION_CREATE_MSGQUEUE: 0x07,
  PARTITION_CREATE_WATCHDOG: 0x09,
  PARTITION_CREATE_VIC: 0x0a,
  PARTITION_CREATE_VPM_GROUP: 0x0b,
  OBJECT_ACTIVATE: 0x0c,
  OBJECT_ACTIVATE_FROM: 0x0d,
  OBJECT_RESET: 0x0e,
  OBJECT_RESET_FROM: 0x0f,
  DOORBELL_BIND_VIRQ: 0x10,
  DOORBELL_UNBIND_VIRQ: 0x11,
  DOORBELL_SEND: 0x12,
  DOORBELL_RECEIVE: 0x13,
  DOORBELL_RESET: 0x14,
  DOORBELL_MASK: 0x15,
  MSGQUEUE_BIND_SEND_VIRQ: 0x17,
  MSGQUEUE_BIND_RECEIVE_VIRQ: 0x18,
  MSGQUEUE_UNBIND_SEND_VIRQ: 0x19,
  MSGQUEUE_UNBIND_RECEIVE_VIRQ: 0x1a,
  MSGQUEUE_SEND: 0x1b,
  MSGQUEUE_RECEIVE: 0x1c,
  MSGQUEUE_FLUSH: 0x1d,
  MSGQUEUE_CONFIGURE_SEND: 0x1f,
  MSGQUEUE_CONFIGURE_RECEIVE: 0x20,
  MSGQUEUE_CONFIGURE: 0x21,
  CSPACE_DELETE_CAP_FROM: 0x22,
  CSPACE_COPY_CAP_FROM: 0x23,
  CSPACE_REVOKE_CAP_FROM: 0x24,
  CSPACE_CONFIGURE: 0x25,
  HWIRQ_BIND_VIRQ: 0x26,
  HWIRQ_UNBIND_VIRQ: 0x27,
  VIC_CONFIGURE: 0x28,
  VIC_ATTACH_VCPU: 0x29,
  ADDRSPACE_ATTACH_THREAD: 0x2a,
  ADDRSPACE_MAP: 0x2b,
  ADDRSPACE_UNMAP: 0x2c,
  ADDRSPACE_UPDATE_ACCESS: 0x2d,
  ADDRSPACE_CONFIGURE: 0x2e,
  ADDRSPACE_ATTACH_VDMA: 0x2f,
  MEMEXTENT_MODIFY: 0x30,
  MEMEXTENT_CONFIGURE: 0x31,
  MEMEXTENT_CONFIGURE_DERIVE: 0x32,
  VCPU_CONFIGURE: 0x34,
  VCPU_POWERON: 0x38,
  VCPU_POWEROFF: 0x39,
  VCPU_KILL: 0x3a,
  SCHEDULER_YIELD: 0x3b,
  VPM_GROUP_ATTACH_VCPU: 0x3c,
  VCPU_SET_AFFINITY: 0x3d,
  CSPACE_ATTACH_THREAD: 0x3e,
  TRACE_UPDATE_CLASS_FLAGS: 0x3f,
  WATCHDOG_ATTACH_VCPU: 0x40,
  WATCHDOG_BIND_VIRQ: 0x41,
  WATCHDOG_UNBIND_VIRQ: 0x42,
  VPM_GROUP_BIND_VIRQ: 0x43,
  VPM_GROUP_UNBIND_VIRQ: 0x44,
  VPM_GROUP_GET_STATE: 0x45,
  VCPU_SET_PRIORITY: 0x46,
  VCPU_SET_TIMESLICE: 0x47,
  PARTITION_CREATE_VIRTIO_MMIO: 0x48,
  VIRTIO_MMIO_CONFIGURE: 0x49,
  VIRTIO_MMIO_BACKEND_BIND_VIRQ: 0x4a,
  VIRTIO_MMIO_BACKEND_UNBIND_VIRQ: 0x4b,
  VIRTIO_MMIO_FRONTEND_BIND_VIRQ: 0x4c,
  VIRTIO_MMIO_FRONTEND_UNBIND_VIRQ: 0x4d,
  VIRTIO_MMIO_BACKEND_ASSERT_VIRQ: 0x4e,
  VIRTIO_MMIO_BACKEND_SET_DEV_FEATURES: 0x4f,
  VIRTIO_MMIO_BACKEND_SET_QUEUE_NUM_MAX: 0x50,
  VIRTIO_MMIO_BACKEND_GET_DRV_FEATURES: 0x51,
  VIRTIO_MMIO_BACKEND_GET_QUEUE_INFO: 0x52,
  VIRTIO_MMIO_BACKEND_GET_NOTIFICATION: 0x53,
  VIRTIO_MMIO_BACKEND_ACKNOWLEDGE_RESET: 0x54,
  VIRTIO_MMIO_BACKEND_UPDATE_STATUS: 0x55,
  VIC_BIND_MSI_SOURCE: 0x56,
  PRNG_GET_ENTROPY: 0x57,
  WATCHDOG_CONFIGURE: 0x58,
  CSPACE_REVOKE_CAPS_FROM: 0x59,
  ADDRSPACE_LOOKUP: 0x5a,
  ADDRSPACE_CONFIGURE_INFO_AREA: 0x5b,
  VCPU_BIND_VIRQ: 0x5c,
  VCPU_UNBIND_VIRQ: 0x5d,
  VIRTIO_INPUT_CONFIGURE: 0x5e,
  VIRTIO_INPUT_SET_DATA: 0x5f,
  ADDRSPACE_CONFIGURE_VMMIO: 0x60,
  MEMEXTENT_DONATE: 0x61,
  ADDRSPACE_ATTACH_VDEVICE: 0x62,
  WATCHDOG_MANAGE: 0x63,
  VCPU_REGISTER_WRITE: 0x64,
  VCPU_RUN: 0x65,
  VPM_GROUP_CONFIGURE: 0x66,
  VGIC_SET_MPIDR_MAPPING: 0x67,
  VCPU_RUN_CHECK: 0x68,
  ADDRSPACE_FIND_INFO_AREA: 0x6a,
} as const;

/** A Gunyah hypercall number. */
export type HypercallNumber = typeof Hypercall[keyof typeof Hypercall];

const E = "error";
const CREATE_ARGS = ["src_partition", "cspace", "res0"] as const;
const CREATE_RESULTS = [E, "new_cap"] as const;

function row(
  n: number,
  name: string,
  args: readonly string[],
  results: readonly string[],
  availability: HypercallAvailability = "implemented",
): HypercallInfo {
  return { n, name, args, results, availability };
}

/** Every numbered hypercall, in call-number order (gunyah-abi.md §1.5). */
export const HYPERCALLS: readonly HypercallInfo[] = [
  row(0x00, "hypervisor_identify", [], [
    "hyp_api_info",
    "api_flags_0",
    "api_flags_1",
    "api_flags_2",
  ]),
  row(0x01, "partition_create_partition", CREATE_ARGS, CREATE_RESULTS, "unimplemented"),
  row(0x02, "partition_create_cspace", CREATE_ARGS, CREATE_RESULTS),
  row(0x03, "partition_create_addrspace", CREATE_ARGS, CREATE_RESULTS),
  row(0x04, "partition_create_memextent", CREATE_ARGS, CREATE_RESULTS),
  row(0x05, "partition_create_thread", CREATE_ARGS, CREATE_RESULTS),
  row(0x06, "partition_create_doorbell", CREATE_ARGS, CREATE_RESULTS),
  row(0x07, "partition_create_msgqueue", CREATE_ARGS, CREATE_RESULTS),
  row(0x09, "partition_create_watchdog", CREATE_ARGS, CREATE_RESULTS, "optional"),
  row(0x0a, "partition_create_vic", CREATE_ARGS, CREATE_RESULTS),
  row(0x0b, "partition_create_vpm_group", CREATE_ARGS, CREATE_RESULTS),
  row(0x0c, "object_activate", ["cap", "res0"], [E]),
  row(0x0d, "object_activate_from", ["cspace", "cap", "res0"], [E]),
  row(0x0e, "object_reset", ["cap", "res0"], [E], "unimplemented"),
  row(0x0f, "object_reset_from", ["cspace", "cap", "res0"], [E], "unimplemented"),
  row(0x10, "doorbell_bind_virq", ["doorbell", "vic", "virq_info", "res0"], [E]),
  row(0x11, "doorbell_unbind_virq", ["doorbell", "res0"], [E]),
  row(0x12, "doorbell_send", ["doorbell", "new_flags", "res0"], [E, "old_flags"]),
  row(0x13, "doorbell_receive", ["doorbell", "clear_flags", "res0"], [E, "old_flags"]),
  row(0x14, "doorbell_reset", ["doorbell", "res0"], [E]),
  row(0x15, "doorbell_mask", ["doorbell", "enable_mask", "ack_mask", "res0"], [E]),
  row(0x17, "msgqueue_bind_send_virq", ["msgqueue", "vic", "virq_info", "res0"], [E]),
  row(0x18, "msgqueue_bind_receive_virq", ["msgqueue", "vic", "virq_info", "res0"], [E]),
  row(0x19, "msgqueue_unbind_send_virq", ["msgqueue", "res0"], [E]),
  row(0x1a, "msgqueue_unbind_receive_virq", ["msgqueue", "res0"], [E]),
  row(0x1b, "msgqueue_send", ["msgqueue", "size", "data", "send_flags", "res0"], [E, "not_full"]),
  row(0x1c, "msgqueue_receive", ["msgqueue", "buffer", "buf_size", "res0"], [
    E,
    "size",
    "not_empty",
  ]),
  row(0x1d, "msgqueue_flush", ["msgqueue", "res0"], [E]),
  row(0x1f, "msgqueue_configure_send", ["msgqueue", "not_full_thres", "not_full_holdoff", "res1"], [
    E,
  ]),
  row(
    0x20,
    "msgqueue_configure_receive",
    ["msgqueue", "not_empty_thres", "not_empty_holdoff", "res1"],
    [E],
  ),
  row(0x21, "msgqueue_configure", ["msgqueue", "create_info", "res0"], [E]),
  row(0x22, "cspace_delete_cap_from", ["cspace", "cap", "res0"], [E]),
  row(
    0x23,
    "cspace_copy_cap_from",
    ["src_cspace", "src_cap", "dest_cspace", "rights_mask", "res0"],
    [
      E,
      "new_cap",
    ],
  ),
  row(0x24, "cspace_revoke_cap_from", ["src_cspace", "src_cap", "res0"], [E], "unimplemented"),
  row(0x25, "cspace_configure", ["cspace", "max_caps", "res0"], [E]),
  row(0x26, "hwirq_bind_virq", ["hwirq", "vic", "virq_info", "res0"], [E]),
  row(0x27, "hwirq_unbind_virq", ["hwirq", "res0"], [E]),
  row(0x28, "vic_configure", ["vic", "max_vcpus", "max_virqs", "vic_options", "max_msis"], [E]),
  row(0x29, "vic_attach_vcpu", ["vic", "vcpu", "index", "res0"], [E]),
  row(0x2a, "addrspace_attach_thread", ["addrspace", "thread", "res0"], [E]),
  row(0x2b, "addrspace_map", [
    "addrspace",
    "memextent",
    "vbase",
    "map_attrs",
    "map_flags",
    "offset",
    "size",
  ], [E]),
  row(0x2c, "addrspace_unmap", [
    "addrspace",
    "memextent",
    "vbase",
    "map_flags",
    "offset",
    "size",
  ], [E]),
  row(0x2d, "addrspace_update_access", [
    "addrspace",
    "memextent",
    "vbase",
    "access_attrs",
    "map_flags",
    "offset",
    "size",
  ], [E]),
  row(0x2e, "addrspace_configure", ["addrspace", "vmid", "res0"], [E]),
  row(0x2f, "addrspace_attach_vdma", ["addrspace", "dma_device", "index", "res0"], [E]),
  row(0x30, "memextent_modify", ["memextent", "modify_flags", "offset", "size"], [E]),
  row(0x31, "memextent_configure", ["memextent", "phys_base", "size", "attributes", "res0"], [E]),
  row(0x32, "memextent_configure_derive", [
    "memextent",
    "parent_memextent",
    "offset",
    "size",
    "attributes",
    "res0",
  ], [E]),
  row(0x34, "vcpu_configure", ["vcpu", "vcpu_options", "res0"], [E]),
  row(0x38, "vcpu_poweron", ["vcpu", "entry_point", "context", "flags"], [E]),
  row(0x39, "vcpu_poweroff", ["vcpu", "flags"], [E]),
  row(0x3a, "vcpu_kill", ["vcpu", "res0"], [E]),
  row(0x3b, "scheduler_yield", ["control", "arg1", "res0"], [E]),
  row(0x3c, "vpm_group_attach_vcpu", ["vpm_group", "vcpu", "index", "res0"], [E]),
  row(0x3d, "vcpu_set_affinity", ["vcpu", "cpu_index", "res1"], [E]),
  row(0x3e, "cspace_attach_thread", ["cspace", "thread", "res0"], [E]),
  row(
    0x3f,
    "trace_update_class_flags",
    ["set_flags", "clear_flags", "res0"],
    [E, "flags"],
  ),
  row(0x40, "watchdog_attach_vcpu", ["watchdog", "vcpu", "res0"], [E], "optional"),
  row(0x41, "watchdog_bind_virq", ["watchdog", "vic", "virq_info", "flags"], [E], "optional"),
  row(0x42, "watchdog_unbind_virq", ["watchdog", "flags"], [E], "optional"),
  row(0x43, "vpm_group_bind_virq", ["vpm_group", "vic", "virq_info", "res0"], [E]),
  row(0x44, "vpm_group_unbind_virq", ["vpm_group", "res0"], [E]),
  row(0x45, "vpm_group_get_state", ["vpm_group", "res0"], [E, "vpm_state"]),
  row(0x46, "vcpu_set_priority", ["vcpu", "priority"], [E]),
  row(0x47, "vcpu_set_timeslice", ["vcpu", "timeslice"], [E]),
  row(0x48, "partition_create_virtio_mmio", CREATE_ARGS, CREATE_RESULTS),
  row(
    0x49,
    "virtio_mmio_configure",
    [
      "virtio_mmio",
      "memextent",
      "vqs_num",
      "flags",
      "device_type",
    ],
    [E],
  ),
  row(0x4a, "virtio_mmio_backend_bind_virq", ["virtio_mmio", "vic", "virq_info", "res0"], [
    E,
  ]),
  row(0x4b, "virtio_mmio_backend_unbind_virq", ["virtio_mmio", "res0"], [E]),
  row(0x4c, "virtio_mmio_frontend_bind_virq", ["virtio_mmio", "vic", "virq_info", "res0"], [
    E,
  ]),
  row(0x4d, "virtio_mmio_frontend_unbind_virq", ["virtio_mmio", "res0"], [E]),
  row(0x4e, "virtio_mmio_backend_assert_virq", ["virtio_mmio", "interrupt_status", "res0"], [
    E,
  ]),
  row(
    0x4f,
    "virtio_mmio_backend_set_dev_features",
    [
      "virtio_mmio",
      "sel",
      "dev_feat",
      "res0",
    ],
    [E],
  ),
  row(
    0x50,
    "virtio_mmio_backend_set_queue_num_max",
    [
      "virtio_mmio",
      "sel",
      "queue_num_max",
      "res0",
    ],
    [E],
  ),
  row(0x51, "virtio_mmio_backend_get_drv_features", ["virtio_mmio", "sel", "res0"], [
    E,
    "drv_feat",
  ]),
  row(0x52, "virtio_mmio_backend_get_queue_info", ["virtio_mmio", "sel", "res0"], [
    E,
    "queue_num",
    "queue_ready",
    "queue_desc",
    "queue_drv",
    "queue_dev",
  ]),
  row(0x53, "virtio_mmio_backend_get_notification", ["virtio_mmio", "res0"], [
    E,
    "vqs_bitmap",
    "reason",
  ]),
  row(0x54, "virtio_mmio_backend_acknowledge_reset", ["virtio_mmio", "res0"], [E]),
  row(0x55, "virtio_mmio_backend_update_status", ["virtio_mmio", "val", "res0"], [E]),
  row(0x56, "vic_bind_msi_source", ["vic", "msi_source", "res0"], [E]),
  row(0x57, "prng_get_entropy", ["num_bytes", "res0"], [E, "data0", "data1", "data2", "data3"]),
  row(0x58, "watchdog_configure", ["watchdog", "watchdog_options", "res0"], [E], "optional"),
  row(0x59, "cspace_revoke_caps_from", ["src_cspace", "master_cap", "res0"], [E]),
  row(0x5a, "addrspace_lookup", ["addrspace", "memextent", "vbase", "size", "res0"], [
    E,
    "offset",
    "size",
    "map_attrs",
  ]),
  row(0x5b, "addrspace_configure_info_area", ["addrspace", "info_area_me", "ipa", "res0"], [
    E,
  ], "implemented"),
  row(0x5c, "vcpu_bind_virq", ["vcpu", "vic", "virq_info", "virq_type", "res0"], [E]),
  row(0x5d, "vcpu_unbind_virq", ["vcpu", "virq_type", "res0"], [E]),
  row(0x5e, "virtio_input_configure", [
    "virtio_mmio",
    "devids",
    "prop_bits",
    "num_evtypes",
    "num_absaxes",
    "res0",
  ], [
    E,
  ]),
  row(0x5f, "virtio_input_set_data", ["virtio_mmio", "sel", "subsel", "size", "data", "res0"], [
    E,
  ]),
  row(0x60, "addrspace_configure_vmmio", ["addrspace", "vbase", "size", "op", "res0"], [E]),
  row(0x61, "memextent_donate", ["options", "from", "to", "offset", "size", "res0"], [E]),
  row(
    0x62,
    "addrspace_attach_vdevice",
    ["addrspace", "vdevice", "index", "vbase", "size", "flags"],
    [
      E,
    ],
  ),
  row(0x63, "watchdog_manage", ["watchdog", "manage_op", "res0"], [E], "optional"),
  row(0x64, "vcpu_register_write", ["vcpu", "register_set", "register_index", "value", "res0"], [
    E,
  ]),
  row(0x65, "vcpu_run", ["vcpu", "resume_data_0", "resume_data_1", "resume_data_2", "res0"], [
    E,
    "vcpu_state",
    "state_data_0",
    "state_data_1",
    "state_data_2",
  ]),
  row(0x66, "vpm_group_configure", ["vpm_group", "vpm_group_option_flags", "res0"], [E]),
  row(
    0x67,
    "vgic_set_mpidr_mapping",
    [
      "vic",
      "mask",
      "aff0_shift",
      "aff1_shift",
      "aff2_shift",
      "aff3_shift",
      "mt",
    ],
    [E],
  ),
  row(0x68, "vcpu_run_check", ["vcpu", "res0"], [
    E,
    "vcpu_state",
    "state_data_0",
    "state_data_1",
    "state_data_2",
  ]),
  row(0x6a, "addrspace_find_info_area", ["res0"], [E, "ipa", "size"], "optional"),
];

const BY_NUMBER = new Map<number, HypercallInfo>(HYPERCALLS.map((h) => [h.n, h]));

/** The table row for call number `n`, or `undefined` for a reserved / unknown number. */
export function hypercallInfo(n: number): HypercallInfo | undefined {
  return BY_NUMBER.get(n);
}

/** First native hypercall immediate: `hvc #0x6000` is call 0 (HYP `hypercall.py`, `abi_aarch64(0x6000)`). */
export const HVC_NATIVE_BASE = 0x6000;
/** Number of immediates reserved for native hypercalls: `hvc #0x6000` .. `hvc #0x61ff` (gunyah-abi.md §1.1). */
export const HVC_NATIVE_RANGE = 0x200;
