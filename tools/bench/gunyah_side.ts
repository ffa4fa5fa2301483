/**
 * The gunyah-ts side of the benchmarks, run as its own process so its wall
 * time and peak memory are measured like QEMU's:
 *
 *   deno run -A tools/bench/gunyah_side.ts compute <guest.elf>
 *   deno run -A tools/bench/gunyah_side.ts linux <Image> <initrd> <marker> [<start marker>]
 *
 * Prints one JSON line: {ms, retired, virtualNs, console} where `ms` is wall
 * time from VM launch (or from the console's start marker) to the end
 * condition (PSCI SYSTEM_OFF, or the console marker), and `console` the
 * console text after the start marker (linux only).
 *
 * @module
 */
import { GunyahSystem } from "@gunyah-ts/system";

async function main(args: string[]): Promise<number> {
  const [mode, ...rest] = args;
  if (mode !== "compute" && mode !== "linux") {
    console.error("usage: gunyah_side.ts compute <elf> | linux <Image> <initrd> <marker>");
    return 2;
  }
  const linux = mode === "linux";
  const kernel = await Deno.readFile(rest[0]);
  const initrd = linux ? await Deno.readFile(rest[1]) : undefined;
  const marker = linux ? rest[2] : "";
  const startMarker = linux ? rest[3] : undefined;
  const memory = linux ? 512 << 20 : 64 << 20;
  const sys = await GunyahSystem.create({ ramBytes: memory });
  let t0 = performance.now();
  let started = startMarker === undefined;
  const vm = sys.launch({
    name: "bench",
    memory,
    vcpus: linux ? 2 : 1,
    kernel,
    initrd,
    bootargs: "console=ttyAMA0",
  });
  let out = "";
  let done: () => void = () => {};
  const seen = new Promise<void>((r) => (done = r));
  const dec = new TextDecoder();
  vm.console.onOutput((b) => {
    if (!linux) return;
    out += dec.decode(b);
    if (!started && out.includes(startMarker!)) {
      t0 = performance.now();
      started = true;
      out = out.slice(out.indexOf(startMarker!));
    }
    if (started && out.includes(marker)) done();
  });
  const run = sys.hv.run();
  const end = await Promise.race([vm.ended, seen.then(() => null)]);
  const ms = performance.now() - t0;
  sys.hv.stop();
  await run;
  if (end !== null && (linux || end.kind !== "system_off")) {
    console.error(`the guest ended before the benchmark did: ${JSON.stringify(end)}`);
    return 1;
  }
  const retired = sys.hv.cpuStats().reduce((n, c) => n + c.retired, 0);
  const console_ = startMarker === undefined ? "" : out;
  console.log(JSON.stringify({ ms, retired, virtualNs: sys.hv.time, console: console_ }));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
