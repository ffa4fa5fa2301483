/**
 * Linux boot benchmark: boots the cached Debian arm64 kernel and initrd
 * (`deno task gunyah images` caches them) as the primary VM and measures the
 * time until the kernel hands over to user space — the console line
 * "Run /init as init process" — in host wall time, host CPU time, virtual
 * time and retired instructions. Progress goes to stderr every 5 s.
 *
 * Run: `deno run -A tools/bench/linux_boot.ts` (env VCPUS, default 2; APPEND
 * replaces the kernel command line; LIMIT_S stops after that many wall s).
 *
 * @module
 */
import process from "node:process";
import { ensureGuestImages, GunyahSystem } from "@gunyah-ts/system";
import { translatorTotals } from "@gunyah-ts/arch-aarch64";

/** The kernel's console line announcing the hand-over to /init (init/main.c). */
const INIT_MARKER = "Run /init as init process";

const img = await ensureGuestImages();
const kernel = await Deno.readFile(img.kernel);
const initrd = await Deno.readFile(img.initrd);
const sys = await GunyahSystem.create({ ramBytes: 512 << 20 });
const vm = sys.launch({
  name: "primary",
  memory: 512 << 20,
  vcpus: Number(Deno.env.get("VCPUS") ?? 2),
  kernel,
  initrd,
  bootargs: Deno.env.get("APPEND") ?? "console=ttyAMA0 earlycon=pl011,0x09000000",
});
const limitMs = Number(Deno.env.get("LIMIT_S") ?? 600) * 1000;
const decoder = new TextDecoder();
let tail = "";
const t0 = performance.now();
const c0 = process.cpuUsage();
const retired = () => sys.hv.cpuStats().reduce((a, c) => a + c.retired, 0);
const report = (what: string) => {
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const n = retired();
  console.error(
    `\n${what}: wall ${(ms / 1000).toFixed(1)} s, cpu ${(cpuMs / 1000).toFixed(1)} s, virtual ${
      (sys.hv.time / 1e6).toFixed(0)
    } ms, retired ${n} (${(n / ms / 1000).toFixed(1)} MIPS wall, ${
      (n / cpuMs / 1000).toFixed(1)
    } MIPS cpu)`,
  );
  console.error(`translator: ${JSON.stringify(translatorTotals())}`);
};
vm.console.onOutput((b) => {
  Deno.stdout.writeSync(b);
  tail = (tail + decoder.decode(b)).slice(-200);
  if (tail.includes(INIT_MARKER)) {
    tail = "";
    report("reached /init");
    sys.hv.stop();
  }
});
const progress = setInterval(() => report("progress"), 5000);
const limit = setTimeout(() => {
  report(`stopped after ${limitMs / 1000} s`);
  sys.hv.stop();
}, limitMs);
const end = await Promise.race([
  vm.ended.then((e) => JSON.stringify(e)),
  sys.hv.run({ untilIdle: true }).then((r) => `run:${r}`),
]);
clearInterval(progress);
clearTimeout(limit);
report(`end ${end}`);
Deno.exit(0);
