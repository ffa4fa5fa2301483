/**
 * The AArch64 architecture plugin: the A64 CPU emulator (EL0/EL1), stage-1
 * MMU, generic timer and the GICv3 virtual interrupt controller.
 *
 * @module
 */
export * from "./cpu/state.ts";
export { Cpu } from "./cpu/cpu.ts";
export { runCpu } from "./cpu/run.ts";
export { Aarch64Vcpu } from "./vcpu.ts";
export { aarch64Plugin, createAarch64Plugin } from "./plugin.ts";
export {
  type CpuMode,
  type CpuModeOptions,
  DEFAULT_CPU_MODE,
  DEFAULT_JIT_BACKEND,
  DEFAULT_JIT_THRESHOLD,
  isCpuMode,
  isJitBackend,
  type JitBackend,
  JS_JIT_THRESHOLD,
  resolveCpuMode,
} from "./jit/config.ts";
export { type TranslatorStats, translatorTotals } from "./jit/translator.ts";
export { a64Decoder } from "./decode/a64.ts";
export type { EncodingEntry, Handler } from "./decode/entry.ts";

import { aarch64Plugin as plugin } from "./plugin.ts";
/** The arch plugin, as `plugins.arch: builtin:aarch64` loads it. */
export default plugin;
