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

/**
 * The translator's host form: `wasm` (a WebAssembly module per block,
 * ./wasm/) or `js` (a JavaScript function per block, ./emit.ts).
 */
export type JitBackend = "js" | "wasm";

/** Options of the AArch64 vCPUs (see {@link resolveCpuMode}). */
export interface CpuModeOptions {
  /** `interp` or `jit`. */
  readonly cpuMode?: CpuMode;
  /** Interpreter executions of an instruction before a block is translated there. */
  readonly jitThreshold?: number;
  /** The translator's host form. */
  readonly jitBackend?: JitBackend;
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
 * Host form used unless an option or `GUNYAH_JIT_BACKEND` chooses: WebAssembly.
 * Measured on the default Debian boot to /init (linux_boot.ts, load ~1,
 * PERFORMANCE.md "Translator, fourth pass"): 14.1 s wall with `js` at its
 * best threshold, 9.0 s with `wasm` (one cheap compile tier instead of V8's
 * per-function JavaScript tiering, native i64, blocks chained in the
 * dispatcher); both pass the same differential and e2e tests.
 */
export const DEFAULT_JIT_BACKEND: JitBackend = "wasm";
/**
 * Default hotness threshold of the `wasm` host form: interpreter executions
 * of a block head before it is translated. Measured on the default Debian
 * boot (same pass): 1000, 2000 and 3000 all 9.0-9.1 s, 8000 9.8 s, 30000
 * 11.5 s (before blocks went past conditional branches).
 */
export const DEFAULT_JIT_THRESHOLD = 2000;
/**
 * Default hotness threshold of the `js` host form. Measured on Debian boots
 * to /init (PERFORMANCE.md, 7 Dec 2026): 30000 beat 8000 and 2000 on both
 * the default boot (13.8-14.1 vs 14.6-15.1 vs 17.0-17.7 s CPU) and the
 * `cryptomgr.notests` boot; a JavaScript block only pays for its
 * translation, V8's tier-up and its per-entry cost once it has run many
 * thousands of times.
 */
export const JS_JIT_THRESHOLD = 30000;

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

/**
 * The value of environment variable `name` if set and not empty, refused
 * with a message naming the `expected` values when `valid` rejects it.
 */
function envChoice<T extends string>(
  name: string,
  valid: (value: unknown) => value is T,
  expected: string,
): T | undefined {
  const e = env(name);
  if (e === undefined || e === "") return undefined;
  if (!valid(e)) throw new RangeError(`${name} must be ${expected}, got "${e}"`);
  return e;
}

/** Whether `value` names a {@link JitBackend}. */
export function isJitBackend(value: unknown): value is JitBackend {
  return value === "js" || value === "wasm";
}

/** The mode, threshold and host form `options` select (see the module doc). */
export function resolveCpuMode(options: CpuModeOptions = {}): {
  readonly mode: CpuMode;
  readonly threshold: number;
  readonly backend: JitBackend;
} {
  const mode = options.cpuMode ?? envChoice("GUNYAH_CPU_MODE", isCpuMode, '"interp" or "jit"');
  const backend = options.jitBackend ??
    envChoice("GUNYAH_JIT_BACKEND", isJitBackend, '"js" or "wasm"') ?? DEFAULT_JIT_BACKEND;
  let threshold = options.jitThreshold;
  if (threshold === undefined) {
    const e = env("GUNYAH_JIT_THRESHOLD");
    if (e !== undefined && e !== "") threshold = Number(e);
  }
  threshold ??= backend === "wasm" ? DEFAULT_JIT_THRESHOLD : JS_JIT_THRESHOLD;
  if (!Number.isInteger(threshold) || threshold < 0 || threshold >= 0xffff) {
    throw new RangeError(`the JIT threshold must be an integer in 0..65534, got ${threshold}`);
  }
  return { mode: mode ?? DEFAULT_CPU_MODE, threshold, backend };
}
