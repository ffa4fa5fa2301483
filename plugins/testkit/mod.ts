/**
 * The gunyah-ts device-plugin test kit: a fake {@link DeviceHost} (RAM over a
 * SharedArrayBuffer, IRQ recording, virtual time and timers) and a virtio
 * test driver that builds virtqueues in guest RAM and drives a device.
 *
 * @module
 */
export * from "./fake_host.ts";
export * from "./virtio_driver.ts";
