/**
 * virtio-blk as a gunyah-ts device plugin (default export) over a disk image
 * file.
 *
 * Options:
 * - `path` (required): the image file; a relative path is resolved against
 *   the `configDir` option the host sets (the configuration's directory), or
 *   the working directory without one;
 * - `readOnly` (default false): offer VIRTIO_BLK_F_RO and open the file
 *   read-only, so the plugin needs only read permission on it;
 * - `serial` (default "gunyah-ts"): the GET_ID string, at most 20 bytes;
 * - `mmioBase`, `intid`: set by the host from the virtio-mmio slot.
 *
 * Isolated, it needs `permissions: { read: [path], write: [path] }` (no
 * write with `readOnly`).
 *
 * @module
 */
import { type DevicePlugin, PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import { placementFrom, VirtioMmioDevice } from "@gunyah-ts/virtio-mmio";
import { FileBlockImage, VirtioBlkBackend } from "./blk_backend.ts";

export * from "./blk_backend.ts";

/** The virtio-blk device plugin. */
const plugin: DevicePlugin = {
  kind: "device",
  apiVersion: PLUGIN_API_VERSION,
  name: "virtio-blk",
  create(host, options) {
    const placement = placementFrom(options, "virtio-blk");
    const { path, readOnly = false, serial = "gunyah-ts" } = options;
    if (typeof path !== "string" || path.length === 0) {
      throw new Error("virtio-blk: option 'path' (the disk image file) is required");
    }
    if (typeof readOnly !== "boolean") {
      throw new Error("virtio-blk: option 'readOnly' must be true or false");
    }
    if (typeof serial !== "string") throw new Error("virtio-blk: option 'serial' must be a string");
    const { configDir } = options;
    const file = path.startsWith("/") || typeof configDir !== "string"
      ? path
      : `${configDir.replace(/\/$/, "")}/${path}`;
    const image = new FileBlockImage(file, readOnly);
    const backend = new VirtioBlkBackend(image, readOnly, serial, (m) => host.log(m));
    return new VirtioMmioDevice("virtio-blk", host, backend, placement);
  },
};
export default plugin;
