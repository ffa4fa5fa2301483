/**
 * The virtio-input device type of a virtio_mmio object (HYP
 * `hyp/vm/virtio_input`, built for QEMU): the hypervisor itself answers the
 * frontend's configuration queries (Virtio 1.2 §5.8.4) from data the backend
 * gave it with virtio_input_configure / virtio_input_set_data.
 *
 * Config space layout (page offset 0x100 + HYP `virtio_input_config`):
 * select @0, subsel @1, size @2, the answer union `u` @8 (string, bitmap,
 * absinfo or the 64-bit ids). Writing select or subsel (byte by byte: a word
 * written at select also writes subsel and then faults at size, as HYP
 * walks it) refreshes `size` and `u` for the selected item; an unknown item
 * answers size 0. `u` bytes beyond the answer keep what was there before.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import { VIRTIO_MMIO_CONFIG } from "../../abi/virtio.ts";
import { VIRTIO_DEVICE_TYPE_INPUT } from "./registers.ts";
import { VIRTIO_DEVICE_MODELS, type VirtioDeviceModel, type VirtioMmio } from "./virtio_mmio.ts";

/** `virtio_input_config_select` (Virtio 1.2 §5.8.4). */
export const enum VirtioInputConfigSelect {
  UNSET = 0x00,
  ID_NAME = 0x01,
  ID_SERIAL = 0x02,
  ID_DEVIDS = 0x03,
  PROP_BITS = 0x10,
  EV_BITS = 0x11,
  ABS_INFO = 0x12,
}

/** Config-space offsets of `virtio_input_config` (relative to the config space). */
export const VIRTIO_INPUT_CONFIG_SELECT = 0x00;
/** subsel. */
export const VIRTIO_INPUT_CONFIG_SUBSEL = 0x01;
/** size. */
export const VIRTIO_INPUT_CONFIG_SIZE = 0x02;
/** The answer union `u`. */
export const VIRTIO_INPUT_CONFIG_U = 0x08;

/** Most event types (HYP `VIRTIO_INPUT_MAX_EV_TYPES`). */
export const VIRTIO_INPUT_MAX_EV_TYPES = 32;
/** Most absolute axes (HYP `VIRTIO_INPUT_MAX_ABS_AXES`). */
export const VIRTIO_INPUT_MAX_ABS_AXES = 64;
/** Name and serial capacity (HYP `VIRTIO_INPUT_MAX_STRING_SIZE`). */
export const VIRTIO_INPUT_MAX_STRING_SIZE = 128;
/** Event bitmap capacity (HYP `VIRTIO_INPUT_MAX_BITMAP_SIZE`). */
export const VIRTIO_INPUT_MAX_BITMAP_SIZE = 128;
/** Bytes of one absinfo (HYP `VIRTIO_INPUT_MAX_ABSINFO_SIZE`: min, max, fuzz, flat, res). */
export const VIRTIO_INPUT_MAX_ABSINFO_SIZE = 20;
/** A free ev_bits/absinfo slot (HYP `VIRTIO_INPUT_SUBSEL_INVALID`). */
export const VIRTIO_INPUT_SUBSEL_INVALID = 255;

/** One ev_bits or absinfo slot. */
export interface VirtioInputSlot {
  subsel: number;
  size: number;
  readonly data: Uint8Array;
}

/** What the backend registered for one virtio-input device (HYP `virtio_input_data`). */
export class VirtioInputData {
  readonly name = new Uint8Array(VIRTIO_INPUT_MAX_STRING_SIZE);
  nameSize = 0;
  readonly serial = new Uint8Array(VIRTIO_INPUT_MAX_STRING_SIZE);
  serialSize = 0;
  /** prop_bits, little-endian bytes (set_data may replace a prefix). */
  readonly propBits = new Uint8Array(4);
  /** devids, little-endian bytes. */
  readonly devids = new Uint8Array(8);
  absinfo: VirtioInputSlot[] | null = null;
  evBits: VirtioInputSlot[] | null = null;
}

const inputData = new WeakMap<VirtioMmio, VirtioInputData>();

/** The virtio-input data of an active INPUT virtio_mmio (created at activation). */
export function virtioInputDataOf(virtioMmio: VirtioMmio): VirtioInputData | undefined {
  return inputData.get(virtioMmio);
}

/** `count` free slots of `capacity` data bytes. */
export function freeSlots(count: number, capacity: number): VirtioInputSlot[] {
  return Array.from({ length: count }, () => ({
    subsel: VIRTIO_INPUT_SUBSEL_INVALID,
    size: 0,
    data: new Uint8Array(capacity),
  }));
}

/** Put `bytes` in the config space's `u` and `size` in its size byte. */
function answer(v: VirtioMmio, bytes: Uint8Array, size: number): void {
  const regs = v.regs!;
  regs.set(bytes.subarray(0, size), VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CONFIG_U);
  regs[VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CONFIG_SIZE] = size & 0xff;
}

function noAnswer(v: VirtioMmio): void {
  v.regs![VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CONFIG_SIZE] = 0;
}

/** Refresh `size` and `u` for (select, subsel) (HYP `virtio_input_config_u_write`). */
function refresh(v: VirtioMmio, d: VirtioInputData, select: number, subsel: number): void {
  const single = subsel === 0;
  switch (select) {
    case VirtioInputConfigSelect.ID_NAME:
      return single ? answer(v, d.name, d.nameSize) : noAnswer(v);
    case VirtioInputConfigSelect.ID_SERIAL:
      return single ? answer(v, d.serial, d.serialSize) : noAnswer(v);
    case VirtioInputConfigSelect.ID_DEVIDS:
      return single ? answer(v, d.devids, 8) : noAnswer(v);
    case VirtioInputConfigSelect.PROP_BITS:
      return single ? answer(v, d.propBits, 4) : noAnswer(v);
    case VirtioInputConfigSelect.EV_BITS:
    case VirtioInputConfigSelect.ABS_INFO: {
      const ev = select === VirtioInputConfigSelect.EV_BITS;
      const limit = ev ? VIRTIO_INPUT_MAX_EV_TYPES : VIRTIO_INPUT_MAX_ABS_AXES;
      const slot = subsel < limit
        ? (ev ? d.evBits : d.absinfo)?.find((s) => s.subsel === subsel)
        : undefined;
      if (slot === undefined) return noAnswer(v);
      return answer(v, slot.data, ev ? slot.size : VIRTIO_INPUT_MAX_ABSINFO_SIZE);
    }
    default:
      return noAnswer(v);
  }
}

/** The INPUT device model (registered in {@link VIRTIO_DEVICE_MODELS}). */
export const virtioInputModel: VirtioDeviceModel = {
  activate(v: VirtioMmio): HypError {
    inputData.set(v, new VirtioInputData());
    return HypError.OK;
  },
  cleanup(v: VirtioMmio): void {
    inputData.delete(v);
  },
  configWrite(v: VirtioMmio, pageOffset: number, value: number, size: number): boolean {
    const d = inputData.get(v);
    if (d === undefined || pageOffset < VIRTIO_MMIO_CONFIG) return false;
    const regs = v.regs!;
    let offset = pageOffset - VIRTIO_MMIO_CONFIG;
    let val = value >>> 0;
    let emulated = false;
    for (let remaining = size; remaining > 0; remaining--) {
      if (offset === VIRTIO_INPUT_CONFIG_SELECT) {
        regs[VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CONFIG_SELECT] = val & 0xff;
        refresh(v, d, val & 0xff, regs[VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CONFIG_SUBSEL]);
      } else if (offset === VIRTIO_INPUT_CONFIG_SUBSEL) {
        regs[VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CONFIG_SUBSEL] = val & 0xff;
        refresh(v, d, regs[VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CONFIG_SELECT], val & 0xff);
      } else {
        // Nothing after subsel is writable: the rest of the access faults.
        return false;
      }
      emulated = true;
      offset++;
      val >>>= 8;
    }
    return emulated;
  },
};

VIRTIO_DEVICE_MODELS.set(VIRTIO_DEVICE_TYPE_INPUT, virtioInputModel);

/** The input data of `v`, which must be an active INPUT device (else `error`). */
export function requireInputData(v: VirtioMmio, error: HypError): VirtioInputData {
  const d = v.deviceType === VIRTIO_DEVICE_TYPE_INPUT ? inputData.get(v) : undefined;
  if (d === undefined) throwHypError(error, "not a virtio-input device");
  return d;
}
