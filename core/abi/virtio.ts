/**
 * The virtio 1.2 specification (OASIS, "Virtual I/O Device Version 1.2") as
 * numbers: the virtio-mmio register map (§4.2.2, version 2), its interrupt
 * bits, device status bits (§2.1), reserved feature bits (§6), the split
 * virtqueue layout (§2.7) and device IDs (§5). One definition for the whole
 * system: Gunyah's virtio_mmio object (core/object/virtio_mmio) and the
 * device plugins' transport (plugins/virtio-mmio) both use these.
 *
 * Register names are the register *offsets*, as in Linux's
 * `include/uapi/linux/virtio_mmio.h`; the values a register holds are named
 * after it (`VIRTIO_MMIO_MAGIC` in `MagicValue`, `VIRTIO_MMIO_VERSION_MODERN`
 * in `Version`).
 *
 * @module
 */

// virtio-mmio register offsets (§4.2.2, Table "MMIO Device Register Layout").
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

/** `MagicValue` register contents: "virt" little-endian (§4.2.2). */
export const VIRTIO_MMIO_MAGIC = 0x74726976;
/** `Version` register contents of the modern (non-legacy) virtio-mmio interface (§4.2.2). */
export const VIRTIO_MMIO_VERSION_MODERN = 2;

/** InterruptStatus bit 0: the device used a buffer in at least one virtqueue (§4.2.2). */
export const VIRTIO_MMIO_INT_VRING = 1;
/** InterruptStatus bit 1: the device configuration changed (§4.2.2). */
export const VIRTIO_MMIO_INT_CONFIG = 2;

// Device status field (§2.1).
/** The guest OS has found the device. */
export const VIRTIO_STATUS_ACKNOWLEDGE = 1;
/** The guest OS knows how to drive the device. */
export const VIRTIO_STATUS_DRIVER = 2;
/** The driver is set up and ready to drive the device. */
export const VIRTIO_STATUS_DRIVER_OK = 4;
/** The driver has acknowledged the features it understands; negotiation is complete. */
export const VIRTIO_STATUS_FEATURES_OK = 8;
/** The device experienced an error from which it cannot recover. */
export const VIRTIO_STATUS_DEVICE_NEEDS_RESET = 64;
/** Something went wrong in the guest; it has given up on the device. */
export const VIRTIO_STATUS_FAILED = 128;

// Reserved feature bits (§6), as bit numbers.
/** VIRTIO_F_VERSION_1 (Virtio 1.2 §6): feature bit 32. */
export const VIRTIO_F_VERSION_1 = 32;
/** VIRTIO_F_ACCESS_PLATFORM (Virtio 1.2 §6): feature bit 33. */
export const VIRTIO_F_ACCESS_PLATFORM = 33;
/** VIRTIO_F_NOTIFICATION_DATA (Virtio 1.2 §6): feature bit 38. */
export const VIRTIO_F_NOTIFICATION_DATA = 38;

// Split virtqueue (§2.7).
/** Descriptor flag: the buffer continues via the `next` field. */
export const VIRTQ_DESC_F_NEXT = 1;
/** Descriptor flag: the buffer is device write-only (otherwise device read-only). */
export const VIRTQ_DESC_F_WRITE = 2;
/** Descriptor flag: the buffer holds a table of descriptors (VIRTIO_F_INDIRECT_DESC, not offered). */
export const VIRTQ_DESC_F_INDIRECT = 4;
/** Size of one `struct virtq_desc` (addr u64, len u32, flags u16, next u16). */
export const VIRTQ_DESC_SIZE = 16;
/** Size of one `struct virtq_used_elem` (id u32, len u32). */
export const VIRTQ_USED_ELEM_SIZE = 8;
/** Largest queue size of a split virtqueue (§2.7: "Queue Size ... maximum 32768"). */
export const VIRTQ_MAX_SIZE = 32768;

// Device IDs (§5).
/** Network device (§5.1). */
export const VIRTIO_ID_NET = 1;
/** Block device (§5.2). */
export const VIRTIO_ID_BLOCK = 2;
/** Console (§5.3). */
export const VIRTIO_ID_CONSOLE = 3;
/** Entropy source (§5.4). */
export const VIRTIO_ID_RNG = 4;
