/**
 * virtio_input_configure (0x5e) and virtio_input_set_data (0x5f) (HYP
 * `hyp/vm/virtio_input/src/hypercalls.c`): the backend of an active INPUT
 * virtio_mmio (cap with CONFIG) registers the device's identity and event
 * data, which the hypervisor then serves to the frontend (virtio_input.ts).
 *
 * HYP's error choices, kept as they are: configure on a non-INPUT device is
 * ERROR_OBJECT_CONFIG but set_data on one is ERROR_CSPACE_WRONG_OBJECT_TYPE;
 * configure stores devids and prop_bits before checking the counts; a
 * second configure with non-zero counts is ERROR_BUSY (slots are allocated
 * once); set_data of an EV_BITS/ABS_INFO item takes the first free slot
 * (ERROR_NORESOURCES when none, ERROR_ARGUMENT_INVALID when configure gave
 * no slots or subsel is out of range); copies from the caller's buffer fail
 * with ERROR_ARGUMENT_SIZE (size 0 or larger than the item),
 * ERROR_ADDR_OVERFLOW or ERROR_ADDR_INVALID.
 *
 * @module
 */
import { HypError, throwHypError, throwIfError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { CAP_RIGHTS_VIRTIO_MMIO_CONFIG } from "../../abi/rights.ts";
import type { HypercallContext } from "../../hypercall/context.ts";
import { argU32, type HypercallTable } from "../../hypercall/table.ts";
import { ObjectType } from "../object_type.ts";
import {
  freeSlots,
  requireInputData,
  VIRTIO_INPUT_MAX_ABS_AXES,
  VIRTIO_INPUT_MAX_ABSINFO_SIZE,
  VIRTIO_INPUT_MAX_BITMAP_SIZE,
  VIRTIO_INPUT_MAX_EV_TYPES,
  VIRTIO_INPUT_SUBSEL_INVALID,
  VirtioInputConfigSelect,
  type VirtioInputSlot,
} from "./virtio_input.ts";
import type { VirtioMmio } from "./virtio_mmio.ts";

const U64_LIMIT = 1n << 64n;

/**
 * Copy `size` bytes from the caller's `va` into `dst` (HYP
 * `useraccess_copy_from_guest_va`); returns OK or the error.
 */
function copyFromCaller(
  ctx: HypercallContext,
  dst: Uint8Array,
  va: bigint,
  size: number,
): HypError {
  if (size === 0 || size > dst.length) return HypError.ERROR_ARGUMENT_SIZE;
  if (va + BigInt(size - 1) >= U64_LIMIT) return HypError.ERROR_ADDR_OVERFLOW;
  const bytes = ctx.readUser(va, size);
  if (!(bytes instanceof Uint8Array)) return bytes;
  dst.set(bytes);
  return HypError.OK;
}

function fillSlot(
  ctx: HypercallContext,
  slots: VirtioInputSlot[] | null,
  limit: number,
  subsel: number,
  size: number,
  va: bigint,
): HypError {
  if (slots === null || subsel >= limit) return HypError.ERROR_ARGUMENT_INVALID;
  const slot = slots.find((s) => s.subsel === VIRTIO_INPUT_SUBSEL_INVALID);
  if (slot === undefined) return HypError.ERROR_NORESOURCES;
  const err = copyFromCaller(ctx, slot.data, va, size);
  if (err === HypError.OK) {
    slot.size = size & 0xff;
    slot.subsel = subsel;
  }
  return err;
}

function virtioMmio(ctx: HypercallContext, cap: bigint): VirtioMmio {
  return ctx.cspace.lookup<VirtioMmio>(cap, ObjectType.VIRTIO_MMIO, CAP_RIGHTS_VIRTIO_MMIO_CONFIG);
}

/** Register virtio_input_configure and virtio_input_set_data. */
export function registerVirtioInputHypercalls(table: HypercallTable): void {
  table.registerHypercall(Hypercall.VIRTIO_INPUT_CONFIGURE, "virtio_input_configure", (ctx, a) => {
    const d = requireInputData(virtioMmio(ctx, a[0]), HypError.ERROR_OBJECT_CONFIG);
    for (let i = 0; i < 8; i++) d.devids[i] = Number((a[1] >> BigInt(8 * i)) & 0xffn);
    const propBits = argU32(a, 2);
    for (let i = 0; i < 4; i++) d.propBits[i] = (propBits >>> (8 * i)) & 0xff;
    const evTypes = argU32(a, 3);
    const absAxes = argU32(a, 4);
    if (evTypes > VIRTIO_INPUT_MAX_EV_TYPES || absAxes > VIRTIO_INPUT_MAX_ABS_AXES) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, "too many event types or axes");
    }
    if (evTypes > 0) {
      if (d.evBits !== null) throwHypError(HypError.ERROR_BUSY, "event types already configured");
      d.evBits = freeSlots(evTypes, VIRTIO_INPUT_MAX_BITMAP_SIZE);
    }
    if (absAxes > 0) {
      if (d.absinfo !== null) throwHypError(HypError.ERROR_BUSY, "axes already configured");
      d.absinfo = freeSlots(absAxes, VIRTIO_INPUT_MAX_ABSINFO_SIZE);
    }
  });
  table.registerHypercall(Hypercall.VIRTIO_INPUT_SET_DATA, "virtio_input_set_data", (ctx, a) => {
    const d = requireInputData(virtioMmio(ctx, a[0]), HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE);
    const sel = argU32(a, 1);
    const subsel = argU32(a, 2);
    const size = argU32(a, 3);
    const va = a[4];
    let err: HypError;
    switch (sel) {
      case VirtioInputConfigSelect.ID_NAME:
      case VirtioInputConfigSelect.ID_SERIAL: {
        if (subsel !== 0) {
          err = HypError.ERROR_ARGUMENT_INVALID;
          break;
        }
        const name = sel === VirtioInputConfigSelect.ID_NAME;
        err = copyFromCaller(ctx, name ? d.name : d.serial, va, size);
        const stored = err === HypError.OK ? size : 0;
        if (name) d.nameSize = stored;
        else d.serialSize = stored;
        break;
      }
      case VirtioInputConfigSelect.ID_DEVIDS:
      case VirtioInputConfigSelect.PROP_BITS:
        err = subsel !== 0 ? HypError.ERROR_ARGUMENT_INVALID : copyFromCaller(
          ctx,
          sel === VirtioInputConfigSelect.ID_DEVIDS ? d.devids : d.propBits,
          va,
          size,
        );
        break;
      case VirtioInputConfigSelect.EV_BITS:
        err = fillSlot(ctx, d.evBits, VIRTIO_INPUT_MAX_EV_TYPES, subsel, size, va);
        break;
      case VirtioInputConfigSelect.ABS_INFO:
        err = fillSlot(ctx, d.absinfo, VIRTIO_INPUT_MAX_ABS_AXES, subsel, size, va);
        break;
      default:
        err = HypError.ERROR_ARGUMENT_INVALID;
    }
    throwIfError(err);
  });
}
