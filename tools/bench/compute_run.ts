/**
 * Compute-bound MIPS benchmark through the whole system: boots a bench guest
 * ELF (tools/bench/guests/build.ts `buildComputeGuest`) as the primary VM of
 * a {@link GunyahSystem} with one vCPU, runs the hypervisor until the guest
 * powers off, and prints wall time, process CPU time, retired instructions
 * and MIPS against both (on a shared machine the CPU-time figure is the one
 * that compares across runs).
 *
 * Run: `deno run -A tools/bench/compute_run.ts [path.elf] [repeats]`
 * (default .cache/bench/compute-2000000.elf, built on demand; 1 repeat).
 *
 * @module
 */
import process from "node:process";
import { GunyahSystem } from "@gunyah-ts/system";
import { buildComputeGuest } from "./guests/build.ts";

/** Result of one benchmark run. */
export interface ComputeRunResult {
  /** How the run ended (guest event or run-loop stop reason). */
  readonly end: string;
  /** Host wall time of the run, ms. */
  readonly ms: number;
  /** Host CPU time (user + system) of this process during the run, ms. */
  readonly cpuMs: number;
  /** Instructions retired by all CPUs. */
  readonly retired: number;
}

/** Boot `elf` as a one-vCPU primary VM and run it to its end. */
export async function runComputeGuest(elf: Uint8Array): Promise<ComputeRunResult> {
  const sys = await GunyahSystem.create({ ramBytes: 128 << 20 });
  const vm = sys.launch({
    name: "primary",
    memory: 128 << 20,
    vcpus: 1,
    kernel: elf,
    bootargs: "",
  });
  vm.console.onOutput((b) => Deno.stdout.writeSync(b));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const end = await Promise.race([
    vm.ended.then((e) => JSON.stringify(e)),
    sys.hv.run({ untilIdle: true }).then((r) => `run:${r}`),
  ]);
  sys.hv.stop();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const retired = sys.hv.cpuStats().reduce((a, c) => a + c.retired, 0);
  return { end, ms, cpuMs, retired };
}

if (import.meta.main) {
  const path = Deno.args[0] ?? await buildComputeGuest(2_000_000);
  const repeats = Number(Deno.args[1] ?? 1);
  const elf = await Deno.readFile(path);
  for (let i = 0; i < repeats; i++) {
    const r = await runComputeGuest(elf);
    console.log(
      `end ${r.end}  retired ${r.retired}  wall ${r.ms.toFixed(0)} ms ${
        (r.retired / r.ms / 1000).toFixed(1)
      } MIPS  cpu ${r.cpuMs.toFixed(0)} ms ${(r.retired / r.cpuMs / 1000).toFixed(1)} MIPS`,
    );
  }
  Deno.exit(0);
}
