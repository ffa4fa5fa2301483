/**
 * The virtio_mmio module: the VIRTIO_MMIO object, its backend hypercalls and the virtio-input ones.
 *
 * @module
 */
import type { CoreModule } from "../../module.ts";
import { ObjectType } from "../object_type.ts";
import { registerVirtioMmioHypercalls, virtioMmioFactory } from "./hypercalls.ts";
import { registerVirtioInputHypercalls } from "./virtio_input_hypercalls.ts";

/** virtio-mmio devices with a VM backend (HYP `hyp/vm/virtio_mmio`, `hyp/vm/virtio_input`). */
export const virtioMmioModule: CoreModule = {
  name: "virtio_mmio",
  objects: [[ObjectType.VIRTIO_MMIO, virtioMmioFactory]],
  hypercalls: (table) => {
    registerVirtioMmioHypercalls(table);
    registerVirtioInputHypercalls(table);
  },
};
