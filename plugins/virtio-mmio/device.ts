/**
 * A virtio-mmio {@link Device}: one transport window over one backend, as a
 * device plugin's `create` returns it.
 *
 * Placement comes from the plugin options `mmioBase` and `intid`, which
 * `attachDevicePlugins` (plugins/host/attach.ts) fills from the virtio-mmio
 * slot it assigns; the devicetree node comes from the platform.
 *
 * @module
 */
import type { Device, DeviceHost } from "@gunyah-ts/core/plugin";
import type { VirtioBackend } from "./backend.ts";
import { VirtioMmioTransport } from "./transport.ts";

/** Where a virtio-mmio device sits (set by the host from the slot it assigns). */
export interface VirtioMmioPlacement {
  /** IPA of the 0x200-byte window. */
  readonly mmioBase: number;
  /** GIC INTID of its edge-triggered interrupt. */
  readonly intid: number;
}

/** Read {@link VirtioMmioPlacement} from plugin options, with a message naming what is wrong. */
export function placementFrom(
  options: Readonly<Record<string, unknown>>,
  plugin: string,
): VirtioMmioPlacement {
  const { mmioBase, intid } = options;
  if (typeof mmioBase !== "number" || !Number.isSafeInteger(mmioBase) || mmioBase < 0) {
    throw new Error(
      `${plugin}: option 'mmioBase' (the IPA of the virtio-mmio window) must be a non-negative integer`,
    );
  }
  if (typeof intid !== "number" || !Number.isInteger(intid) || intid < 32 || intid > 1019) {
    throw new Error(`${plugin}: option 'intid' must be an SPI INTID (32..1019)`);
  }
  return { mmioBase, intid };
}

/** A device made of one virtio-mmio transport. */
export class VirtioMmioDevice implements Device {
  /** The device's one transport window. */
  readonly transport: VirtioMmioTransport;
  readonly regions: readonly VirtioMmioTransport[];

  /** A device named `name`: `backend` behind a transport at `placement`. */
  constructor(
    readonly name: string,
    host: DeviceHost,
    backend: VirtioBackend,
    placement: VirtioMmioPlacement,
  ) {
    this.transport = new VirtioMmioTransport(placement.mmioBase, placement.intid, backend, host);
    this.regions = [this.transport];
  }

  reset(): void {
    this.transport.reset();
  }

  /**
   * The device failed outside an access (its timer threw, a host resource
   * broke): DEVICE_NEEDS_RESET and a configuration-change interrupt, so the
   * driver sees it and only this device is lost (plugins/host calls this).
   */
  fail(reason: string): void {
    this.transport.needsReset(reason);
  }

  close(): void {
    this.transport.backend.close?.();
  }

  describe(): Record<string, string | number | boolean> {
    return { name: this.name, ...this.transport.describe() };
  }
}
