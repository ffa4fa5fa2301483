/**
 * virtio-mmio for gunyah-ts device plugins: the transport, the split
 * virtqueue engine and the backend contract.
 *
 * @module
 */
export * from "./constants.ts";
export * from "./guest_memory.ts";
export * from "./virtqueue.ts";
export type * from "./backend.ts";
export * from "./transport.ts";
export * from "./device.ts";
