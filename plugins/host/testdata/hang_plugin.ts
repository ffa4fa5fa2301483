/**
 * A device that hangs the thread serving it, for the two-VM isolation test
 * (issue 12): one 32-bit register in its slot's window; a read answers its
 * read count, a write never returns (a busy loop, as a buggy or hostile
 * plugin would).
 *
 * @module
 */
import {
  type DevicePlugin,
  type MmioData,
  MmioResult,
  PLUGIN_API_VERSION,
} from "@gunyah-ts/core/plugin";

const plugin: DevicePlugin = {
  kind: "device",
  apiVersion: PLUGIN_API_VERSION,
  name: "hang",
  create(_host, options) {
    const base = Number(options.mmioBase);
    let reads = 0;
    return {
      name: "hang",
      regions: [{
        base,
        size: 0x200,
        read(_offset: number, _size: number, _vcpu: number, out: MmioData): MmioResult {
          out.lo = ++reads;
          out.hi = 0;
          return MmioResult.Handled;
        },
        write(): MmioResult {
          for (;;) { /* a plugin stuck forever */ }
        },
      }],
      reset() {},
      describe: () => ({ reads }),
    };
  },
};
export default plugin;
