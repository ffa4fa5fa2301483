/**
 * Resource-manager ABI numbers: RPC message IDs, RM error codes, VMIDs, VM
 * states, exit types and hypervisor resource types.
 *
 * Source: Gunyah resource manager `include/rm_types.h`, `include/vm_mgnt_message.h`,
 * `include/memparcel_msg.h`, `include/vm_resource_msg.h`, as collected in
 * shared/gunyah-abi.md §5; Linux names from `drivers/virt/gunyah/rsc_mgr*.c` (v17).
 *
 * @module
 */

/** RM RPC message IDs (gunyah-abi.md §5.4). */
export const RmMsg = {
  VM_ALLOCATE: 0x56000001,
  VM_DEALLOCATE: 0x56000002,
  VM_START: 0x56000004,
  VM_STOP: 0x56000005,
  VM_RESET: 0x56000006,
  VM_CONFIG_IMAGE: 0x56000009,
  VM_AUTH_IMAGE: 0x5600000a,
  VM_INIT: 0x5600000b,
  VM_GET_STATE: 0x56000017,
  VM_GET_HYP_RESOURCES: 0x56000020,
  VM_GET_VMID: 0x56000024,
  VM_GET_PEERS: 0x56000025,
  VM_SET_CONTEXT: 0x56000031,
  VM_SET_STATUS: 0x56000080,
  VM_CONSOLE_OPEN: 0x56000081,
  VM_CONSOLE_CLOSE: 0x56000082,
  VM_CONSOLE_WRITE: 0x56000083,
  VM_CONSOLE_FLUSH: 0x56000084,
  VM_EXIT: 0x56000085,
  MEM_DONATE: 0x51000010,
  MEM_ACCEPT: 0x51000011,
  MEM_LEND: 0x51000012,
  MEM_SHARE: 0x51000013,
  MEM_RELEASE: 0x51000014,
  MEM_RECLAIM: 0x51000015,
  MEM_NOTIFY: 0x51000017,
  MEM_APPEND: 0x51000018,
  MEM_QCOM_LOOKUP_SGL: 0x5100001a,
  VM_IRQ_ACCEPT: 0x56000050,
  VM_IRQ_LEND: 0x56000051,
  VM_IRQ_RELEASE: 0x56000052,
  VM_IRQ_RECLAIM: 0x56000053,
  VM_IRQ_NOTIFY: 0x56000054,
} as const;

/** RM → VM notification IDs (gunyah-abi.md §5.4, "Notifications"). */
export const RmNotify = {
  VM_EXITED: 0x56100001,
  VM_SHUTDOWN: 0x56100002,
  VM_STATUS: 0x56100008,
  VM_CONSOLE_CHARS: 0x56100080,
  MEM_SHARED: 0x51100011,
  MEM_RELEASED: 0x51100012,
  MEM_ACCEPTED: 0x51100013,
  MEM_RECALL: 0x51100014,
  VM_IRQ_LENT: 0x56100011,
  VM_IRQ_RELEASED: 0x56100012,
  VM_IRQ_ACCEPTED: 0x56100013,
} as const;

/** RM error codes carried in the first word of a reply (gunyah-abi.md §5.2). */
export const RmError = {
  OK: 0x0,
  UNIMPLEMENTED: 0xffffffff,
  NOMEM: 0x1,
  NORESOURCE: 0x2,
  DENIED: 0x3,
  MSG_INVALID: 0x4,
  BUSY: 0x5,
  ARGUMENT_INVALID: 0x6,
  HANDLE_INVALID: 0x7,
  VALIDATE_FAILED: 0x8,
  MAP_FAILED: 0x9,
  MEM_INVALID: 0xa,
  MEM_INUSE: 0xb,
  MEM_RELEASED: 0xc,
  VMID_INVALID: 0xd,
  LOOKUP_FAILED: 0xe,
  IRQ_INVALID: 0xf,
  IRQ_INUSE: 0x10,
  IRQ_RELEASED: 0x11,
  IN_USE: 0x12,
  IRQ_NOT_MAPPED: 0x13,
  VM_STATE: 0x14,
} as const;

/** VMIDs (gunyah-abi.md §5.3). */
export const Vmid = {
  HYP: 0x0,
  HLOS: 0x3,
  DYNAMIC_FIRST: 0x80,
  DYNAMIC_LAST: 0xbf,
  RM: 0xff,
  ANY: 0xfffe,
  PEER_DEFAULT: 0xffff,
} as const;

/** VM status values (gunyah-abi.md §5.5). */
export const VmStatus = {
  NONE: 0,
  INIT: 1,
  READY: 2,
  RUNNING: 3,
  PAUSED: 4,
  LOAD: 5,
  AUTH: 6,
  INIT_FAILED: 8,
  EXITED: 9,
  RESETTING: 10,
  RESET: 11,
} as const;

/** NOTIFY_VM_EXITED exit types (gunyah-abi.md §5.5). */
export const ExitType = {
  VM_EXIT: 0,
  PLATFORM_OFF: 1,
  PLATFORM_RESET: 2,
  PSCI_SYSTEM_RESET2: 3,
  WATCHDOG_BITE: 4,
  SOFTWARE_ERROR: 5,
  ASYNC_HW_ERROR: 6,
  VM_STOP_FORCED: 7,
} as const;

/** VM_GET_HYP_RESOURCES resource types (gunyah-abi.md §5.6, RM numbering). */
export const ResourceType = {
  DOORBELL_SRC: 0,
  DOORBELL: 1,
  MSG_QUEUE_SEND: 2,
  MSG_QUEUE_RECV: 3,
  VIRTUAL_CPU: 4,
  VIRTUAL_PM: 5,
  VIRTIO_MMIO: 6,
  VRTC: 7,
  WATCHDOG: 8,
} as const;

/** Size of one VM_GET_HYP_RESOURCES entry in bytes (gunyah-abi.md §5.6). */
export const HYP_RESOURCE_ENTRY_SIZE = 44;

/** `vcpu_bind_virq` types (gunyah-abi.md §1.7; HYP `vcpu.tc` `vcpu_virq_type`). */
export const VcpuVirqKind = { HALT: 0, VCPU_RUN_WAKEUP: 1 } as const;

/** `vcpu_run` / `vcpu_run_check` states the RM reads (gunyah-abi.md §1.7). */
export const RunState = {
  READY: 0,
  EXPECTS_WAKEUP: 1,
  POWERED_OFF: 2,
  BLOCKED: 3,
  ADDRSPACE_VMMIO_READ: 4,
  ADDRSPACE_VMMIO_WRITE: 5,
  FAULT: 6,
  PSCI_SYSTEM_RESET: 0x100,
} as const;

/** PSCI_SYSTEM_RESET state_data_0 bit 63: SYSTEM_RESET, not SYSTEM_RESET2 (gunyah-abi.md §1.7). */
export const RUN_RESET_IS_SYSTEM_RESET = 1n << 63n;

/** VM_CONFIG_IMAGE auth types (gunyah-abi.md §5.4). */
export const ImageAuth = { NONE: 0, PLATFORM: 1, ANDROID: 2 } as const;

/** vGIC frame sizes (Arm GICv3: a 64 KiB GICD, 128 KiB of GICR frames per vCPU). */
export const GICD_FRAME_BYTES = 0x1_0000;
export const GICR_VCPU_FRAMES_SIZE = 0x2_0000;
/** `addrspace_attach_vdevice` GICR flags (HYP `vgic.tc`): bit0 last_valid, bit1 last. */
export const GICR_ATTACH_LAST_VALID = 0x1;
export const GICR_ATTACH_LAST = 0x2;
/** The vGIC placement the hypervisor uses unless told otherwise (QEMU virt GICD / GICR). */
export const VGIC_DEFAULT_GICD = 0x0800_0000n;
export const VGIC_DEFAULT_GICR = 0x080a_0000n;
/** `addrspace_configure_vmmio` ops (HYP `addrspace.tc`). */
export const VmmioOp = { ADD: 0, REMOVE: 1 } as const;
