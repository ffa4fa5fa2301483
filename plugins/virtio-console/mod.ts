/**
 * virtio-console as a gunyah-ts device plugin (default export): one port,
 * guest output to a sink, host input to the guest.
 *
 * Options:
 * - `output`: `"stdout"` (default), `"log"` (the host's diagnostics log), or
 *   `{ "file": "<path>" }` (appended; needs write permission on that path
 *   when isolated);
 * - `input`: a string delivered to the guest once it is ready (e.g. a
 *   command for a test);
 * - `mmioBase`, `intid`: set by the host from the virtio-mmio slot.
 *
 * The device's `input(bytes)` method feeds more host input at run time.
 *
 * @module
 */
import type { DeviceHost, DevicePlugin } from "@gunyah-ts/core/plugin";
import { PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import { placementFrom, VirtioMmioDevice, type VirtioMmioPlacement } from "@gunyah-ts/virtio-mmio";
import { type ConsoleSink, VirtioConsoleBackend } from "./console_backend.ts";

export * from "./console_backend.ts";

/** A virtio-console device: the virtio-mmio device plus host input. */
export class VirtioConsoleDevice extends VirtioMmioDevice {
  /** The console backend (to send input to the guest). */
  readonly console: VirtioConsoleBackend;
  /** A virtio-console device at `placement`. */
  constructor(host: DeviceHost, backend: VirtioConsoleBackend, placement: VirtioMmioPlacement) {
    super("virtio-console", host, backend, placement);
    this.console = backend;
  }
  /** Send `bytes` to the guest. */
  input(bytes: Uint8Array): void {
    this.console.input(bytes);
  }
}

function sinkFrom(output: unknown, host: DeviceHost): ConsoleSink {
  if (output === undefined || output === "stdout") {
    return (b) => {
      Deno.stdout.writeSync(b);
    };
  }
  if (output === "log") {
    const dec = new TextDecoder();
    return (b) => host.log(`virtio-console: ${dec.decode(b)}`);
  }
  if (
    typeof output === "object" && output !== null &&
    typeof (output as { file?: unknown }).file === "string"
  ) {
    const file = Deno.openSync((output as { file: string }).file, {
      write: true,
      create: true,
      append: true,
    });
    return (b) => {
      let done = 0;
      while (done < b.length) done += file.writeSync(b.subarray(done));
    };
  }
  throw new Error(`virtio-console: option 'output' must be "stdout", "log" or { file: "<path>" }`);
}

/** The virtio-console device plugin. */
const plugin: DevicePlugin = {
  kind: "device",
  apiVersion: PLUGIN_API_VERSION,
  name: "virtio-console",
  create(host, options) {
    const placement = placementFrom(options, "virtio-console");
    const backend = new VirtioConsoleBackend(sinkFrom(options.output, host));
    if (options.input !== undefined) {
      if (typeof options.input !== "string") {
        throw new Error("virtio-console: option 'input' must be a string");
      }
      backend.input(new TextEncoder().encode(options.input));
    }
    return new VirtioConsoleDevice(host, backend, placement);
  },
};
export default plugin;
