/**
 * The AArch64 architecture plugin object.
 *
 * @example
 * ```ts
 * import { aarch64Plugin } from "./plugin.ts";
 * const gic = aarch64Plugin.createInterruptController({ vcpus: 1, spis: 64 }, {
 *   distributorBase: 0x08000000,
 *   redistributorBase: 0x080a0000,
 * });
 * // const vcpu = aarch64Plugin.createVcpu({ index: 0, mpidr: 0, memory, mmio, irq: gic, ... });
 * // gic.attachVcpu(0, vcpu);
 * ```
 *
 * @module
 */
import {
  type ArchPlugin,
  type InterruptControllerConfig,
  type InterruptControllerInstance,
  PLUGIN_API_VERSION,
  type VcpuInit,
} from "@gunyah-ts/core/plugin";
import { createGicV3 } from "./gic/gicv3.ts";
import { Aarch64Vcpu } from "./vcpu.ts";
import type { CpuModeOptions } from "./jit/config.ts";
import { a64Decoder } from "./decode/a64.ts";

/**
 * An "aarch64" {@link ArchPlugin} whose vCPUs execute in the mode `options`
 * select (`cpuMode: "interp" | "jit"`, `jitThreshold`; see jit/config.ts).
 */
export function createAarch64Plugin(options: CpuModeOptions = {}): ArchPlugin {
  return {
    kind: "arch",
    apiVersion: PLUGIN_API_VERSION,
    name: "aarch64",
    createVcpu(init: VcpuInit): Aarch64Vcpu {
      return new Aarch64Vcpu(init, a64Decoder(), options);
    },
    createInterruptController(
      config: InterruptControllerConfig,
      placement: { readonly distributorBase: number; readonly redistributorBase: number },
    ): InterruptControllerInstance {
      return createGicV3(config, placement);
    },
  };
}

/** The "aarch64" {@link ArchPlugin} with the default execution mode (jit/config.ts). */
export const aarch64Plugin: ArchPlugin = createAarch64Plugin();
