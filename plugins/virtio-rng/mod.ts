/**
 * virtio-rng as a gunyah-ts device plugin (default export).
 *
 * Options: `seed` (a number: deterministic bytes; omitted: the host's
 * `crypto.getRandomValues`), plus `mmioBase` and `intid`, which the host sets
 * from the virtio-mmio slot it assigns.
 *
 * @module
 */
import { type DevicePlugin, PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import { placementFrom, VirtioMmioDevice } from "@gunyah-ts/virtio-mmio";
import { cryptoSource, SeededSource, VirtioRngBackend } from "./rng_backend.ts";

export * from "./rng_backend.ts";

/** The virtio-rng device plugin. */
const plugin: DevicePlugin = {
  kind: "device",
  apiVersion: PLUGIN_API_VERSION,
  name: "virtio-rng",
  create(host, options) {
    const seed = options.seed;
    if (seed !== undefined && (typeof seed !== "number" || !Number.isInteger(seed))) {
      throw new Error("virtio-rng: option 'seed' must be an integer (or omitted for host entropy)");
    }
    const backend = new VirtioRngBackend(
      seed === undefined ? cryptoSource : new SeededSource(seed),
    );
    return new VirtioMmioDevice("virtio-rng", host, backend, placementFrom(options, "virtio-rng"));
  },
};
export default plugin;
