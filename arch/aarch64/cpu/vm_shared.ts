/**
 * State the vCPUs of one VM share: the decoded-instruction cache and the
 * global exclusive monitor. A VM is identified by its stage-2 view (one
 * `Stage2View` object per VM, handed to every vCPU in `VcpuInit.memory`).
 *
 * @module
 */
import type { Stage2View } from "@gunyah-ts/core/plugin";
import type { A64Decoder } from "../decode/compile.ts";
import { DecodeCache } from "../decode/cache.ts";
import { GlobalMonitor } from "./exclusive_monitor.ts";
import { Translator } from "../jit/translator.ts";
import type { JitBackend } from "../jit/config.ts";

/** Per-VM CPU-side state. */
export interface VmCpuShared {
  /** Decoded instructions of the VM's code pages. */
  readonly decodeCache: DecodeCache;
  /** The global exclusive monitor. */
  readonly monitor: GlobalMonitor;
  /** The block translator, created for the first vCPU that runs in `jit` mode. */
  translator: Translator | null;
}

/** The translator of the VM sharing `shared` (created with `threshold` and `backend` on first use). */
export function vmTranslator(
  shared: VmCpuShared,
  threshold: number,
  backend: JitBackend,
): Translator {
  if (shared.translator === null) {
    shared.translator = new Translator(shared.decodeCache, threshold, backend);
  }
  return shared.translator;
}

const byView = new WeakMap<Stage2View, VmCpuShared>();

/** The shared state of the VM whose stage-2 view is `memory` (created on first use). */
export function vmShared(memory: Stage2View, decoder: A64Decoder): VmCpuShared {
  let s = byView.get(memory);
  if (s === undefined || s.decodeCache.decoder !== decoder) {
    s = {
      decodeCache: new DecodeCache(memory, decoder),
      monitor: new GlobalMonitor(),
      translator: null,
    };
    byView.set(memory, s);
  }
  return s;
}
