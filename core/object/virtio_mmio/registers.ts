/**
 * The virtio-mmio register page a virtio_mmio object shares between its
 * backend and frontend VMs, and the bitfields of its hypercalls.
 *
 * Offsets: Virtio 1.2 §4.2.2 (MMIO device register layout), as HYP lays
 * out `virtio_mmio_regs` in `hyp/vm/virtio_mmio/virtio_mmio.tc`. Constants
 * named `VIRTIO_MMIO_MAX_VQS`, `VIRTIO_MMIO_DEV_FEAT_NUM`, etc. are HYP's
 * (same file); notify-reason and option-flag bits are from
 * `hyp/interfaces/virtio_mmio/virtio_mmio.tc`.
 *
 * @module
 */

/** MagicValue. */
export const VIRTIO_MMIO_MAGIC_VALUE = 0x000;
/** Version. */
export const VIRTIO_MMIO_VERSION = 0x004;
/** DeviceID. */
export const VIRTIO_MMIO_DEVICE_ID = 0x008;
/** VendorID. */
export const VIRTIO_MMIO_VENDOR_ID = 0x00c;
/** DeviceFeatures. */
export const VIRTIO_MMIO_DEVICE_FEATURES = 0x010;
/** DeviceFeaturesSel. */
export const VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014;
/** DriverFeatures. */
export const VIRTIO_MMIO_DRIVER_FEATURES = 0x020;
/** DriverFeaturesSel. */
export const VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024;
/** QueueSel. */
export const VIRTIO_MMIO_QUEUE_SEL = 0x030;
/** QueueNumMax. */
export const VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034;
/** QueueNum. */
export const VIRTIO_MMIO_QUEUE_NUM = 0x038;
/** QueueReady. */
export const VIRTIO_MMIO_QUEUE_READY = 0x044;
/** QueueNotify. */
export const VIRTIO_MMIO_QUEUE_NOTIFY = 0x050;
/** InterruptStatus. */
export const VIRTIO_MMIO_INTERRUPT_STATUS = 0x060;
/** InterruptACK. */
export const VIRTIO_MMIO_INTERRUPT_ACK = 0x064;
/** Status. */
export const VIRTIO_MMIO_STATUS = 0x070;
/** QueueDescLow. */
export const VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080;
/** QueueDescHigh. */
export const VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084;
/** QueueDriverLow. */
export const VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090;
/** QueueDriverHigh. */
export const VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094;
/** QueueDeviceLow. */
export const VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0;
/** QueueDeviceHigh. */
export const VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4;
/** ConfigGeneration. */
export const VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc;
/** Device-specific configuration space. */
export const VIRTIO_MMIO_CONFIG = 0x100;

/** Size of the register page (one 4 KiB page, HYP `PGTABLE_VM_PAGE_SIZE`). */
export const VIRTIO_MMIO_PAGE_SIZE = 0x1000;
/** Bytes of device configuration space (HYP `VIRTIO_MMIO_REG_CONFIG_BYTES`: page − 0x100). */
export const VIRTIO_MMIO_CONFIG_BYTES = VIRTIO_MMIO_PAGE_SIZE - VIRTIO_MMIO_CONFIG;

/** Most virtqueues a virtio_mmio object may have (HYP `VIRTIO_MMIO_MAX_VQS`). */
export const VIRTIO_MMIO_MAX_VQS = 16;
/** Device feature words (HYP `VIRTIO_MMIO_DEV_FEAT_NUM`): features 0..63. */
export const VIRTIO_MMIO_DEV_FEAT_NUM = 2;
/** Driver feature words (HYP `VIRTIO_MMIO_DRV_FEAT_NUM`). */
export const VIRTIO_MMIO_DRV_FEAT_NUM = 2;

/** VIRTIO_F_VERSION_1 (Virtio 1.2 §6): feature bit 32. */
export const VIRTIO_F_VERSION_1 = 32;
/** VIRTIO_F_ACCESS_PLATFORM (Virtio 1.2 §6): feature bit 33. */
export const VIRTIO_F_ACCESS_PLATFORM = 33;
/** VIRTIO_F_NOTIFICATION_DATA (Virtio 1.2 §6): feature bit 38. */
export const VIRTIO_F_NOTIFICATION_DATA = 38;

/** Status register: DRIVER_OK (Virtio 1.2 §2.1). */
export const VIRTIO_STATUS_DRIVER_OK = 1 << 2;
/** Status register: DEVICE_NEEDS_RESET. */
export const VIRTIO_STATUS_DEVICE_NEEDS_RESET = 1 << 6;
/** Status register: FAILED. */
export const VIRTIO_STATUS_FAILED = 1 << 7;

/** `virtio_mmio_notify_reason` bit 0: the frontend notified a queue. */
export const VIRTIO_NOTIFY_NEW_BUFFER = 1 << 0;
/** Bit 1: the frontend requested a device reset (wrote 0 to Status). */
export const VIRTIO_NOTIFY_RESET_RQST = 1 << 1;
/** Bit 3: the frontend set DRIVER_OK. */
export const VIRTIO_NOTIFY_DRIVER_OK = 1 << 3;
/** Bit 4: the frontend set FAILED. */
export const VIRTIO_NOTIFY_FAILED = 1 << 4;

/** `virtio_option_flags` bit 6: device_type is valid. */
export const VIRTIO_OPTION_VALID_DEVICE_TYPE = 1n << 6n;

/** `virtio_device_type` INVALID: a generic device whose config space the backend fills. */
export const VIRTIO_DEVICE_TYPE_INVALID = 0;
/** `virtio_device_type` INPUT (HYP `vm/virtio_input`; Virtio 1.2 §5.8 device ID 18). */
export const VIRTIO_DEVICE_TYPE_INPUT = 18;

/** Words per virtqueue in the banked queue registers (HYP `virtio_mmio_banked_queue_registers`). */
export const QUEUE_WORDS = 9;
/** Banked queue register indices within a queue's {@link QUEUE_WORDS}. */
export const enum QueueWord {
  NUM_MAX = 0,
  NUM = 1,
  READY = 2,
  DESC_LOW = 3,
  DESC_HIGH = 4,
  DRV_LOW = 5,
  DRV_HIGH = 6,
  DEV_LOW = 7,
  DEV_HIGH = 8,
}
