/**
 * A device plugin that misbehaves on request, for the fault-containment tests
 * (issue 12): a virtio-mmio pattern device whose `fault` option makes it
 * throw from a timer (`"timer"`), from every queue notification
 * (`"notify"`: a host-side exception, not a VirtioError), or hang the thread
 * serving it (`"hang"`: a busy loop on the first notification).
 *
 * @module
 */
import { type DevicePlugin, PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import { placementFrom, VirtioMmioDevice } from "@gunyah-ts/virtio-mmio";
import { PatternBackend } from "@gunyah-ts/plugin-template";

class FaultyBackend extends PatternBackend {
  constructor(readonly fault: string) {
    super(new TextEncoder().encode("ok"));
  }
  #notifies = 0;
  override notify(index: number): void {
    // The transport notifies once at DRIVER_OK; the driver's kicks come after.
    const kick = this.#notifies++ > 0;
    if (this.fault === "notify") throw new TypeError("the plugin's notify handler is broken");
    if (this.fault === "hang" && kick) { for (;;) { /* a plugin stuck forever */ } }
    super.notify(index);
  }
}

const plugin: DevicePlugin = {
  kind: "device",
  apiVersion: PLUGIN_API_VERSION,
  name: "faulty",
  create(host, options) {
    const fault = String(options.fault ?? "");
    const device = new VirtioMmioDevice(
      "faulty",
      host,
      new FaultyBackend(fault),
      placementFrom(options, "faulty"),
    );
    if (fault === "timer") {
      host.setTimer(1000, () => {
        throw new RangeError("the plugin's timer callback is broken");
      });
    }
    return device;
  },
};
export default plugin;
