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

// Register offsets (§4.2.2, Table "MMIO Device Register Layout"): one definition for the whole
// system, in the core's virtio_mmio object. There `VIRTIO_MMIO_VERSION` / `_VENDOR_ID` name the
// register offsets; here those names are the register *values*, so the offsets get `_REG`.
export {
  VIRTIO_MMIO_CONFIG,
  VIRTIO_MMIO_CONFIG_GENERATION,
  VIRTIO_MMIO_DEVICE_FEATURES,
  VIRTIO_MMIO_DEVICE_FEATURES_SEL,
  VIRTIO_MMIO_DEVICE_ID,
  VIRTIO_MMIO_DRIVER_FEATURES,
  VIRTIO_MMIO_DRIVER_FEATURES_SEL,
  VIRTIO_MMIO_INTERRUPT_ACK,
  VIRTIO_MMIO_INTERRUPT_STATUS,
  VIRTIO_MMIO_MAGIC_VALUE,
  VIRTIO_MMIO_QUEUE_DESC_HIGH,
  VIRTIO_MMIO_QUEUE_DESC_LOW,
  VIRTIO_MMIO_QUEUE_DEVICE_HIGH,
  VIRTIO_MMIO_QUEUE_DEVICE_LOW,
  VIRTIO_MMIO_QUEUE_DRIVER_HIGH,
  VIRTIO_MMIO_QUEUE_DRIVER_LOW,
  VIRTIO_MMIO_QUEUE_NOTIFY,
  VIRTIO_MMIO_QUEUE_NUM,
  VIRTIO_MMIO_QUEUE_NUM_MAX,
  VIRTIO_MMIO_QUEUE_READY,
  VIRTIO_MMIO_QUEUE_SEL,
  VIRTIO_MMIO_STATUS,
  VIRTIO_MMIO_VENDOR_ID as VIRTIO_MMIO_VENDOR_ID_REG,
  VIRTIO_MMIO_VERSION as VIRTIO_MMIO_VERSION_REG,
} from "@gunyah-ts/core/abi";

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
