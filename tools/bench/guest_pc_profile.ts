/**
 * Where a guest spends its instructions: boots the cached Debian kernel and
 * initrd like linux_boot.ts and samples every vCPU's PC (and EL) about once a
 * host millisecond, from a host timer that runs between hypervisor slices
 * (a vCPU that retired nothing since the previous sample is skipped).
 * Prints the hottest address ranges per vCPU, to be read against the kernel
 * image with objdump (a Debian arm64 Image is linked at 0xffff800008000000,
 * so file offset = VA - 0xffff800008000000 when KASLR is off):
 *
 *   aarch64-linux-gnu-objdump -D -b binary -m aarch64 \
 *     --start-address=0x5ecd00 --stop-address=0x5ecfc0 Image
 *
 * Run: `deno run -A tools/bench/guest_pc_profile.ts` (env LIMIT_S, default
 * 60: wall seconds to sample; VCPUS, default 2; APPEND: kernel command line;
 * GRANULE, default 64: bytes per bucket; TOP, default 30).
 *
 * This found that two thirds of the instructions to /init with the default
 * command line are the crypto self-tests (multi-precision arithmetic of the
 * DH/RSA tests, lib/crypto/mpi), which `cryptomgr.notests` skips.
 *
 * @module
 */
import { ensureGuestImages, GunyahSystem } from "@gunyah-ts/system";

const limitMs = Number(Deno.env.get("LIMIT_S") ?? 60) * 1000;
const granule = Number(Deno.env.get("GRANULE") ?? 64);
const top = Number(Deno.env.get("TOP") ?? 30);
if (!(granule > 0 && (granule & (granule - 1)) === 0)) {
  throw new RangeError(`GRANULE must be a power of two, got ${granule}`);
}

const img = await ensureGuestImages();
const sys = await GunyahSystem.create({ ramBytes: 512 << 20 });
const vm = sys.launch({
  name: "primary",
  memory: 512 << 20,
  vcpus: Number(Deno.env.get("VCPUS") ?? 2),
  kernel: await Deno.readFile(img.kernel),
  initrd: await Deno.readFile(img.initrd),
  bootargs: Deno.env.get("APPEND") ?? "console=ttyAMA0 earlycon=pl011,0x09000000",
});
vm.console.onOutput(() => {});

const buckets = new Map<string, number>();
let samples = 0;
const mask = ~BigInt(granule - 1);
/** Retired count of each vCPU at the previous sample: a vCPU that did not run since is not sampled. */
const lastRetired = new Map<number, number>();
const sampler = setInterval(() => {
  for (const t of vm.vcpus) {
    const d = t.arch?.describe();
    if (d === undefined) continue;
    const retired = Number(d.retiredTotal), index = Number(d.index);
    if (lastRetired.get(index) === retired) continue; // off, or parked in WFI
    lastRetired.set(index, retired);
    const pc = BigInt(String(d.pc)) & mask;
    const key = `vcpu ${d.index} EL${d.el} 0x${pc.toString(16)}`;
    buckets.set(key, (buckets.get(key) ?? 0) + 1);
    samples++;
  }
}, 1);
const stop = setTimeout(() => sys.hv.stop(), limitMs);
await Promise.race([vm.ended, sys.hv.run({ untilIdle: true })]);
clearInterval(sampler);
clearTimeout(stop);
sys.hv.stop();
console.log(`${samples} samples over ${(sys.hv.time / 1e6).toFixed(0)} ms virtual time`);
for (const [key, n] of [...buckets].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${(n / samples * 100).toFixed(1).padStart(5)}%  ${key}`);
}
Deno.exit(0);
