// A minimal device plugin used by loader_test.ts.
import { PLUGIN_API_VERSION } from "../contracts.ts";
import type { Device, DeviceHost, DevicePlugin } from "../contracts.ts";

const plugin: DevicePlugin = {
  kind: "device",
  apiVersion: PLUGIN_API_VERSION,
  name: "scratch-register",
  create(_host: DeviceHost, options): Device {
    let value = Number(options.initial ?? 0) >>> 0;
    return {
      name: "scratch",
      regions: [{
        base: 0x0c000000,
        size: 0x1000,
        read(_off, _size, _cpu, out) {
          out.lo = value;
          out.hi = 0;
          return 0;
        },
        write(_off, _size, lo) {
          value = lo >>> 0;
          return 0;
        },
      }],
      reset() {
        value = 0;
      },
      describe: () => ({ value }),
    };
  },
};
export default plugin;
