/**
 * virtio-net as a gunyah-ts device plugin (default export): a network
 * device on the Ethernet segment its configuration entry names (`net:`
 * beside `plugin:`), through `DeviceHost.connectEthernet`.
 *
 * Options:
 * - `mac`: the device's MAC address, `aa:bb:cc:dd:ee:ff` (a unicast
 *   address). Default: QEMU's 52:54:00:12:34:56 plus the device's network
 *   interface ordinal in the system (`netInterface`, set by the host), as
 *   QEMU numbers its NICs, so the same configuration gets the same addresses
 *   on every run;
 * - `mmioBase`, `intid`, `netInterface`: set by the host.
 *
 * @module
 */
import type { DeviceHost, DevicePlugin } from "@gunyah-ts/core/plugin";
import { PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import { placementFrom, VirtioMmioDevice, type VirtioMmioPlacement } from "@gunyah-ts/virtio-mmio";
import { VirtioNetBackend } from "./net_backend.ts";

export * from "./net_backend.ts";

/** QEMU's default NIC address (net/net.c `qemu_macaddr_default_if_unset`): 52:54:00:12:34:56. */
export const VIRTIO_NET_DEFAULT_MAC: readonly number[] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

/** A virtio-net device: the virtio-mmio device plus its backend's counters. */
export class VirtioNetDevice extends VirtioMmioDevice {
  /** The network backend. */
  readonly net: VirtioNetBackend;
  /** A virtio-net device at `placement`. */
  constructor(host: DeviceHost, backend: VirtioNetBackend, placement: VirtioMmioPlacement) {
    super("virtio-net", host, backend, placement);
    this.net = backend;
  }
}

/** Parse option `mac` (a unicast EUI-48 in colon form). */
function macOption(text: unknown): Uint8Array {
  if (typeof text !== "string" || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text)) {
    throw new Error(
      `virtio-net: option 'mac' must be a MAC address like 52:54:00:12:34:57, got ${
        JSON.stringify(text)
      }`,
    );
  }
  const mac = Uint8Array.from(text.split(":"), (h) => parseInt(h, 16));
  if ((mac[0] & 1) !== 0 || mac.every((b) => b === 0)) {
    throw new Error(`virtio-net: option 'mac' ${text} is not a unicast address`);
  }
  return mac;
}

/** The default address of network interface `ordinal`: 52:54:00:12:34:56 + ordinal (low 24 bits). */
export function defaultMac(ordinal: number): Uint8Array {
  const d = VIRTIO_NET_DEFAULT_MAC;
  const low = ((d[3] << 16) + (d[4] << 8) + d[5] + ordinal) & 0xff_ffff;
  return Uint8Array.of(d[0], d[1], d[2], low >>> 16, (low >>> 8) & 0xff, low & 0xff);
}

/** The virtio-net device plugin. */
const plugin: DevicePlugin = {
  kind: "device",
  apiVersion: PLUGIN_API_VERSION,
  name: "virtio-net",
  create(host, options) {
    const placement = placementFrom(options, "virtio-net");
    const ordinal = options.netInterface ?? 0;
    if (typeof ordinal !== "number" || !Number.isInteger(ordinal) || ordinal < 0) {
      throw new Error("virtio-net: option 'netInterface' must be a non-negative integer");
    }
    const mac = options.mac === undefined ? defaultMac(ordinal) : macOption(options.mac);
    if (host.connectEthernet === undefined) {
      throw new Error(
        "virtio-net: this host offers no networks; give the device entry net: <segment> " +
          "and the configuration a net: section naming that segment",
      );
    }
    const backend = new VirtioNetBackend(mac);
    backend.uplink = host.connectEthernet(backend);
    return new VirtioNetDevice(host, backend, placement);
  },
};
export default plugin;
