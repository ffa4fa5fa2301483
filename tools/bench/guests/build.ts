/**
 * Builds the benchmark guests with the AArch64 cross toolchain into
 * `.cache/bench/`, keyed by source and parameters.
 *
 * @module
 */
import { gzip, writeCpio } from "@gunyah-ts/system";
import { CROSS_GCC, runTool } from "@gunyah-ts/tests/guests";

/** Loop body length of guests/compute.S (instructions per iteration). */
export const COMPUTE_LOOP_INSTRUCTIONS = 12;

/** The host's C compiler (builds the in-guest benchmark's reference for its checksum). */
const HOST_CC = "cc";

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

/**
 * Rounds of guests/linux_compute.c the in-guest benchmark runs: 60 took
 * QEMU only 0.08 s (console latency matters at that length), 200 take it
 * about 0.3 s.
 */
export const LINUX_COMPUTE_ROUNDS = 200;
/** Printed by the benchmark /init before the program starts. */
export const LINUX_COMPUTE_BEGIN = "gunyah-bench: compute-begin";
/** Printed by the benchmark /init after the program exited. */
export const LINUX_COMPUTE_DONE = "gunyah-bench: compute-done";

/** The in-guest compute benchmark: its initrd and the line the program must print. */
export interface LinuxComputeGuest {
  /** Path of the initrd: the given one with a second archive (its /init and the program) appended. */
  readonly initrd: string;
  /** The program's result line, from the same source built for and run on the host. */
  readonly expected: string;
}

/**
 * Build guests/linux_compute.c statically for AArch64 Linux and for the host,
 * run the host build for the expected checksum line, and append to
 * `baseInitrd` (gzip cpio) a second gzip cpio whose /init (replacing the
 * first archive's; the kernel unpacks concatenated archives in order) prints
 * {@link LINUX_COMPUTE_BEGIN}, runs the program and prints
 * {@link LINUX_COMPUTE_DONE}.
 */
export async function buildLinuxComputeGuest(
  baseInitrd: string,
  rounds = LINUX_COMPUTE_ROUNDS,
): Promise<LinuxComputeGuest> {
  await Deno.mkdir(cache, { recursive: true });
  const src = `${here}linux_compute.c`;
  const guest = `${cache}linux_compute.aarch64`, host = `${cache}linux_compute.host`;
  await runTool(CROSS_GCC, ["-O2", "-static", "-o", guest, src]);
  await runTool(HOST_CC, ["-O2", "-o", host, src]);
  const expected = (await runTool(host, [String(rounds)])).trim();
  const init = `#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
echo "${LINUX_COMPUTE_BEGIN}"
/bin/linux-compute ${rounds}
echo "${LINUX_COMPUTE_DONE}"
poweroff -f
`;
  const extra = await gzip(writeCpio([
    { type: "file", path: "init", data: new TextEncoder().encode(init), mode: 0o755 },
    { type: "file", path: "bin/linux-compute", data: await Deno.readFile(guest), mode: 0o755 },
  ]));
  const base = await Deno.readFile(baseInitrd);
  const out = `${cache}linux_compute-${rounds}.initrd`;
  const joined = new Uint8Array(base.length + extra.length);
  joined.set(base);
  joined.set(extra, base.length);
  await Deno.writeFile(out, joined);
  return { initrd: out, expected };
}
