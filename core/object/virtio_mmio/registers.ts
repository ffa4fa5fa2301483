/**
 * The virtio-mmio register page a virtio_mmio object shares between its
 * backend and frontend VMs, and the bitfields of its hypercalls.
 *
 * The virtio register offsets, status and feature bits are the spec's
 * (core/abi/virtio.ts); HYP lays the page out as `virtio_mmio_regs` in
 * `hyp/vm/virtio_mmio/virtio_mmio.tc`. Constants
 * named `VIRTIO_MMIO_MAX_VQS`, `VIRTIO_MMIO_DEV_FEAT_NUM`, etc. are HYP's
 * (same file); notify-reason and option-flag bits are from
 * `hyp/interfaces/virtio_mmio/virtio_mmio.tc`.
 *
 * @module
 */
import { PAGE_SIZE } from "../../abi/formats.ts";
import { VIRTIO_MMIO_CONFIG } from "../../abi/virtio.ts";

/** Size of the register page (one 4 KiB page, HYP `PGTABLE_VM_PAGE_SIZE`). */
export const VIRTIO_MMIO_PAGE_SIZE: number = PAGE_SIZE;
/** Bytes of device configuration space (HYP `VIRTIO_MMIO_REG_CONFIG_BYTES`: page − 0x100). */
export const VIRTIO_MMIO_CONFIG_BYTES: number = VIRTIO_MMIO_PAGE_SIZE - VIRTIO_MMIO_CONFIG;

/** Most virtqueues a virtio_mmio object may have (HYP `VIRTIO_MMIO_MAX_VQS`). */
export const VIRTIO_MMIO_MAX_VQS = 16;
/** Device feature words (HYP `VIRTIO_MMIO_DEV_FEAT_NUM`): features 0..63. */
export const VIRTIO_MMIO_DEV_FEAT_NUM = 2;
/** Driver feature words (HYP `VIRTIO_MMIO_DRV_FEAT_NUM`). */
export const VIRTIO_MMIO_DRV_FEAT_NUM = 2;

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
