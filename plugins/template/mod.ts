/**
 * A copyable gunyah-ts device plugin (see README.md): a virtio-mmio device
 * whose backend fills the guest's buffers with a configured byte pattern.
 *
 * Options: `pattern` (a string, default "gunyah-ts"), plus `mmioBase` and
 * `intid`, which the host sets from the virtio-mmio slot it assigns.
 *
 * @module
 */
import { type DevicePlugin, PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import { placementFrom, VirtioMmioDevice } from "@gunyah-ts/virtio-mmio";
import { PatternBackend } from "./pattern_backend.ts";

export * from "./pattern_backend.ts";

/** The plugin: the module's default export. */
const plugin: DevicePlugin = {
  kind: "device",
  apiVersion: PLUGIN_API_VERSION,
  name: "template-pattern",
  create(host, options) {
    const { pattern = "gunyah-ts" } = options;
    if (typeof pattern !== "string" || pattern.length === 0) {
      throw new Error("template-pattern: option 'pattern' must be a non-empty string");
    }
    const backend = new PatternBackend(new TextEncoder().encode(pattern));
    return new VirtioMmioDevice(
      "template-pattern",
      host,
      backend,
      placementFrom(options, "template-pattern"),
    );
  },
};
export default plugin;
