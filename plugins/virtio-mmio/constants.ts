/**
 * Numbers of the virtio 1.x specification (OASIS virtio v1.2) used by the
 * virtio-mmio transport and the split virtqueue: the MMIO register map
 * (§4.2.2, "MMIO Device Register Layout", version 2), device status bits
 * (§2.1), reserved feature bits (§6) and the split-virtqueue layout (§2.7).
 *
 * @module
 */

/** `MagicValue` register contents: "virt" little-endian (§4.2.2). */
export const VIRTIO_MMIO_MAGIC = 0x74726976;
/** `Version` of the modern (non-legacy) virtio-mmio interface (§4.2.2). */
export const VIRTIO_MMIO_VERSION = 2;
/** Vendor ID gunyah-ts reports: ASCII "GYTS" read as a little-endian u32 (QEMU reports "QEMU"). */
export const VIRTIO_MMIO_VENDOR_ID = 0x53545947;
/** Size of one virtio-mmio transport window on qemu-virt (virt.c, `VIRT_MMIO` slot). */
export const VIRTIO_MMIO_WINDOW_SIZE = 0x200;

// Register offsets (§4.2.2, Table "MMIO Device Register Layout").
/** 0x000 R: magic value. */
export const VIRTIO_MMIO_MAGIC_VALUE = 0x000;
/** 0x004 R: device version number. */
export const VIRTIO_MMIO_VERSION_REG = 0x004;
/** 0x008 R: virtio subsystem device ID. */
export const VIRTIO_MMIO_DEVICE_ID = 0x008;
/** 0x00c R: virtio subsystem vendor ID. */
export const VIRTIO_MMIO_VENDOR_ID_REG = 0x00c;
/** 0x010 R: device features, the 32-bit word chosen by DeviceFeaturesSel. */
export const VIRTIO_MMIO_DEVICE_FEATURES = 0x010;
/** 0x014 W: device features word selection. */
export const VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014;
/** 0x020 W: driver (activated) features, the word chosen by DriverFeaturesSel. */
export const VIRTIO_MMIO_DRIVER_FEATURES = 0x020;
/** 0x024 W: driver features word selection. */
export const VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024;
/** 0x030 W: virtual queue index. */
export const VIRTIO_MMIO_QUEUE_SEL = 0x030;
/** 0x034 R: maximum virtual queue size. */
export const VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034;
/** 0x038 W: virtual queue size. */
export const VIRTIO_MMIO_QUEUE_NUM = 0x038;
/** 0x044 RW: virtual queue ready bit. */
export const VIRTIO_MMIO_QUEUE_READY = 0x044;
/** 0x050 W: queue notifier. */
export const VIRTIO_MMIO_QUEUE_NOTIFY = 0x050;
/** 0x060 R: interrupt status. */
export const VIRTIO_MMIO_INTERRUPT_STATUS = 0x060;
/** 0x064 W: interrupt acknowledge. */
export const VIRTIO_MMIO_INTERRUPT_ACK = 0x064;
/** 0x070 RW: device status. */
export const VIRTIO_MMIO_STATUS = 0x070;
/** 0x080 W: descriptor area, low 32 bits. */
export const VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080;
/** 0x084 W: descriptor area, high 32 bits. */
export const VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084;
/** 0x090 W: driver area (available ring), low 32 bits. */
export const VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090;
/** 0x094 W: driver area, high 32 bits. */
export const VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094;
/** 0x0a0 W: device area (used ring), low 32 bits. */
export const VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0;
/** 0x0a4 W: device area, high 32 bits. */
export const VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4;
/** 0x0fc R: configuration atomicity value (config generation). */
export const VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc;
/** 0x100+: device-specific configuration space. */
export const VIRTIO_MMIO_CONFIG = 0x100;

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

/** VIRTIO_F_VERSION_1, feature bit 32 (§6): compliance with virtio 1.x. It is bit 0 of word 1. */
export const VIRTIO_F_VERSION_1_HI = 1 << 0;

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
/** Block device (§5.2). */
export const VIRTIO_ID_BLOCK = 2;
/** Console (§5.3). */
export const VIRTIO_ID_CONSOLE = 3;
/** Entropy source (§5.4). */
export const VIRTIO_ID_RNG = 4;
