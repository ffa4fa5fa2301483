/**
 * How a vCPU executes guest code: `interp` (the interpreter alone) or `jit`
 * (hot blocks translated to host code, ./translator.ts; the interpreter for
 * the rest), and the translator's hotness threshold.
 *
 * Explicit options win; otherwise the environment variables
 * `GUNYAH_CPU_MODE` (`interp` | `jit`) and `GUNYAH_JIT_THRESHOLD` (a
 * non-negative integer; 0 translates every block on first execution) apply,
 * so that whole test suites can be run in either mode; otherwise the
 * defaults below.
 *
 * @module
 */

/** Execution mode of a vCPU. */
export type CpuMode = "interp" | "jit";

/** Options of the AArch64 vCPUs (see {@link resolveCpuMode}). */
export interface CpuModeOptions {
  /** `interp` or `jit`. */
  readonly cpuMode?: CpuMode;
  /** Interpreter executions of an instruction before a block is translated there. */
  readonly jitThreshold?: number;
}

/**
 * Mode used when neither an option nor the environment chooses one: the
 * translator. Measured with the 30000 threshold below (PERFORMANCE.md,
 * 7 Dec 2026): the default Debian boot to /init takes ~14 s of CPU in `jit`
 * against ~22 s in `interp`, the `cryptomgr.notests` boot is at parity
 * (9.2 s each), and the compute guest runs ~8x faster; `GUNYAH_CPU_MODE=jit
 * GUNYAH_JIT_THRESHOLD=0 deno task diff` and the Linux e2e test pass.
 */
export const DEFAULT_CPU_MODE: CpuMode = "jit";
/**
 * Default hotness threshold: interpreter executions of a block head before
 * it is translated. Measured on Debian boots to /init (PERFORMANCE.md,
 * 7 Dec 2026): 30000 beat 8000 and 2000 on both the default boot (13.8-14.1
 * vs 14.6-15.1 vs 17.0-17.7 s CPU) and the `cryptomgr.notests` boot; a
 * block only pays for its translation, V8's tier-up and its per-entry cost
 * once it has run many thousands of times.
 */
export const DEFAULT_JIT_THRESHOLD = 30000;

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: the defaults apply
  }
}

/** Whether `value` names a {@link CpuMode}. */
export function isCpuMode(value: unknown): value is CpuMode {
  return value === "interp" || value === "jit";
}

/** The mode and threshold `options` select (see the module doc). */
export function resolveCpuMode(options: CpuModeOptions = {}): {
  readonly mode: CpuMode;
  readonly threshold: number;
} {
  let mode = options.cpuMode;
  if (mode === undefined) {
    const e = env("GUNYAH_CPU_MODE");
    if (e !== undefined && e !== "") {
      if (!isCpuMode(e)) {
        throw new RangeError(`GUNYAH_CPU_MODE must be "interp" or "jit", got "${e}"`);
      }
      mode = e;
    }
  }
  let threshold = options.jitThreshold;
  if (threshold === undefined) {
    const e = env("GUNYAH_JIT_THRESHOLD");
    if (e !== undefined && e !== "") threshold = Number(e);
  }
  threshold ??= DEFAULT_JIT_THRESHOLD;
  if (!Number.isInteger(threshold) || threshold < 0 || threshold >= 0xffff) {
    throw new RangeError(`the JIT threshold must be an integer in 0..65534, got ${threshold}`);
  }
  return { mode: mode ?? DEFAULT_CPU_MODE, threshold };
}

/**
 * The translator's host form: `wasm` (a WebAssembly module per block,
 * ./wasm/) or `js` (a JavaScript function per block, ./emit.ts).
 */
export type JitBackend = "js" | "wasm";

/** The host form used unless `GUNYAH_JIT_BACKEND` says otherwise. */
export const DEFAULT_JIT_BACKEND: JitBackend = "js";

/** The host form of translated blocks: `GUNYAH_JIT_BACKEND` or {@link DEFAULT_JIT_BACKEND}. */
export function resolveJitBackend(): JitBackend {
  const e = env("GUNYAH_JIT_BACKEND");
  if (e === undefined || e === "") return DEFAULT_JIT_BACKEND;
  if (e !== "js" && e !== "wasm") {
    throw new RangeError(`GUNYAH_JIT_BACKEND must be "js" or "wasm", got "${e}"`);
  }
  return e;
}
