/**
 * The QEMU side of the benchmarks: the same guests under
 * `qemu-system-aarch64` (TCG), timed on the same machine in the same run.
 *
 * @module
 */

import { QEMU_HEADLESS_ARGS, QEMU_SYSTEM_AARCH64 } from "@gunyah-ts/platform-qemu-virt";

/** The QEMU binary (Debian package qemu-system-arm). */
export const QEMU = QEMU_SYSTEM_AARCH64;

/** A timed run. */
export interface TimedRun {
  /** Wall time in milliseconds from spawn to the end condition. */
  readonly ms: number;
  /** Peak resident set size of the process in KiB (VmHWM), or 0 when not measured. */
  readonly peakRssKiB: number;
  /** Console output captured. */
  readonly output: string;
}

function peakRss(pid: number): number {
  try {
    const s = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = /VmHWM:\s+(\d+) kB/.exec(s);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Run QEMU with `args` until it exits or its console prints `marker`
 * (then it is killed). Times out after `timeoutMs`. With `startMarker`, the
 * time is measured from that console text instead of from spawn.
 */
export async function timeQemu(
  args: readonly string[],
  opts: { marker?: string; startMarker?: string; timeoutMs?: number } = {},
): Promise<TimedRun> {
  const t0 = performance.now();
  const child = new Deno.Command(QEMU, {
    args: [...args],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let rss = 0;
  const sampler = setInterval(() => {
    rss = Math.max(rss, peakRss(child.pid));
  }, 20);
  const timeout = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, opts.timeoutMs ?? 120_000);
  let output = "";
  let ms = -1, start = t0;
  let started = opts.startMarker === undefined;
  const dec = new TextDecoder();
  try {
    for await (const chunk of child.stdout) {
      output += dec.decode(chunk, { stream: true });
      if (!started && output.includes(opts.startMarker!)) {
        start = performance.now();
        started = true;
      }
      if (started && opts.marker && output.includes(opts.marker)) {
        ms = performance.now() - start;
        rss = Math.max(rss, peakRss(child.pid));
        child.kill("SIGKILL");
        break;
      }
    }
    await child.status;
  } finally {
    clearInterval(sampler);
    clearTimeout(timeout);
  }
  if (ms < 0) ms = performance.now() - t0;
  if (opts.marker && !output.includes(opts.marker)) {
    throw new Error(
      `QEMU never printed ${JSON.stringify(opts.marker)}; last output:\n${output.slice(-500)}`,
    );
  }
  return { ms, peakRssKiB: rss, output };
}

/** QEMU machine arguments matching the gunyah-ts default VM. */
export function qemuVirtArgs(memMiB: number, smp: number): string[] {
  return [
    "-M",
    "virt,gic-version=3",
    "-cpu",
    "cortex-a57",
    "-smp",
    String(smp),
    "-m",
    `${memMiB}M`,
    ...QEMU_HEADLESS_ARGS,
    "-no-reboot",
  ];
}
