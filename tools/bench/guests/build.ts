/**
 * Builds the benchmark guests with the AArch64 cross toolchain into
 * `.cache/bench/`, keyed by source and parameters.
 *
 * @module
 */
import { CROSS_GCC, runTool } from "@gunyah-ts/tests/guests";

/** Loop body length of guests/compute.S (instructions per iteration). */
export const COMPUTE_LOOP_INSTRUCTIONS = 12;

const here = new URL(".", import.meta.url).pathname;
const cache = new URL("../../../.cache/bench/", import.meta.url).pathname;

/** Build compute.S for `iterations`; returns the ELF path. */
export async function buildComputeGuest(iterations: number): Promise<string> {
  await Deno.mkdir(cache, { recursive: true });
  const out = `${cache}compute-${iterations}.elf`;
  const src = `${here}compute.S`;
  const [s, o] = await Promise.all([Deno.stat(src), Deno.stat(out).catch(() => null)]);
  if (o && o.mtime && s.mtime && o.mtime >= s.mtime) return out;
  await runTool(CROSS_GCC, [
    "-nostdlib",
    "-static",
    "-Wl,-Ttext=0x40200000",
    "-Wl,--build-id=none",
    `-DITERATIONS=${iterations}`,
    "-o",
    out,
    src,
  ]);
  return out;
}
