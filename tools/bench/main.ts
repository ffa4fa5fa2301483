/**
 * `deno task bench`: gunyah-ts and `qemu-system-aarch64` (TCG) side by side,
 * in one run, on this machine:
 *
 * 1. guest MIPS on a compute-bound guest (guests/compute.S);
 * 2. time to boot Debian's arm64 kernel + busybox initramfs to the init
 *    marker (2 vCPUs, 512 MiB), and the peak memory of each process;
 * 3. an integer benchmark compiled for Linux (guests/linux_compute.c) run
 *    inside that guest: time from its start to its end on the console, and
 *    its checksum checked against the same program built for the host.
 *
 * gunyah-ts runs once per CPU mode (`--cpu-modes`, default both: the
 * interpreter and the block translator, arch/aarch64/jit/).
 *
 * Options: --only compute|linux|linux-compute|vmm, --iterations N (compute guest),
 * --cpu-modes interp,jit, --help.
 * Exit status 0 when every benchmark ran, 1 when one could not.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type CpuMode, isCpuMode } from "@gunyah-ts/arch-aarch64";
import {
  ensureGuestImages,
  INIT_MARKER,
  INIT_PROLOGUE,
  LOAD_VM_MANAGER,
  secondaryInitramfs,
} from "@gunyah-ts/system";
import {
  PRIMARY_SECONDARY_INITRD_PATH,
  PRIMARY_SECONDARY_KERNEL_PATH,
  SECONDARY_APPEND,
  SECONDARY_MARKER,
} from "@gunyah-ts/vmm";
import {
  buildComputeGuest,
  buildLinuxComputeGuest,
  COMPUTE_LOOP_INSTRUCTIONS,
  LINUX_COMPUTE_BEGIN,
  LINUX_COMPUTE_DONE,
  LINUX_COMPUTE_ROUNDS,
} from "./guests/build.ts";
import { qemuVirtArgs, type TimedRun, timeQemu } from "./qemu.ts";
import { qemuNetRun } from "./net_qemu.ts";
import { NET_INIT } from "./net_guest.ts";

const SIDE = new URL("./gunyah_side.ts", import.meta.url).pathname;
/** QEMU needs a long run for its time to dominate its start-up. */
const QEMU_MIN_ITERATIONS = 200_000_000;

const HELP = `Usage: deno task bench [--only compute|linux|linux-compute|vmm|net] [--iterations N]
                        [--cpu-modes interp,jit] [--net-mib N]

Runs each benchmark under gunyah-ts and under qemu-system-aarch64 (TCG) in the
same run and prints both figures and their ratio:
  compute  guest MIPS of a compute-bound guest
  linux    Debian arm64 kernel + busybox initramfs to the init marker (2 vCPUs,
           512 MiB): wall time and peak RSS
  linux-compute  an integer benchmark (C, guests/linux_compute.c) run inside
           that Linux guest: wall time from its start to its end, checksum
           checked against the same program built for the host
  vmm      gunyah-vmm in the primary booting a secondary Linux (256 MiB, 2
           vCPUs): from gunyah-vmm's start to the secondary's init marker,
           beside QEMU booting that kernel and initramfs directly
  net      guest-to-host TCP throughput through user-mode networking: the
           Linux guest (1 vCPU) takes a DHCP lease and sends --net-mib MiB
           (default 8) with busybox nc to a sink on 127.0.0.1 via 10.0.2.2,
           beside QEMU's -netdev user (slirp) with the same kernel and
           initramfs; MiB/s from the sink's first byte to its last, SHA-256
           checked against the guest's
gunyah-ts runs once per CPU mode given (default: interp,jit).`;

interface SideResult extends TimedRun {
  readonly retired: number;
  readonly virtualNs: number;
}

function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Run gunyah_side.ts as a process in CPU mode `mode`; its own timing plus the process's peak RSS. */
async function gunyah(args: string[], mode: CpuMode): Promise<SideResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", SIDE, ...args],
    env: { GUNYAH_CPU_MODE: mode },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, peakRss(child.pid))), 20);
  const out = await child.output();
  clearInterval(sampler);
  if (!out.success) throw new Error(`gunyah-ts benchmark side failed (exit ${out.code})`);
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  return {
    ms: r.ms,
    retired: r.retired,
    virtualNs: r.virtualNs,
    peakRssKiB: rss,
    output: r.console ?? "",
  };
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

function load(): string {
  return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
}

async function compute(iterations: number, modes: readonly CpuMode[]): Promise<void> {
  console.log(
    `\n== compute-bound guest: ${iterations} iterations x ${COMPUTE_LOOP_INSTRUCTIONS} instructions`,
  );
  const small = await buildComputeGuest(1000);
  const big = await buildComputeGuest(iterations);
  const ours: [CpuMode, number, SideResult][] = [];
  for (const mode of modes) {
    const r = await gunyah(["compute", big], mode);
    ours.push([mode, r.retired / r.ms / 1000, r]);
  }
  // QEMU runs the same loop far longer (its start-up alone is ~0.5 s), and the
  // start-up cost, measured on a tiny run of the same guest, is subtracted.
  const qIterations = Math.max(iterations, QEMU_MIN_ITERATIONS);
  const qBig = await buildComputeGuest(qIterations);
  const machine = qemuVirtArgs(64, 1);
  let q0 = Infinity, q1 = Infinity;
  for (let i = 0; i < 3; i++) {
    q0 = Math.min(q0, (await timeQemu([...machine, "-kernel", small])).ms);
    q1 = Math.min(q1, (await timeQemu([...machine, "-kernel", qBig])).ms);
  }
  const qInsns = (qIterations - 1000) * COMPUTE_LOOP_INSTRUCTIONS;
  const qemuMips = qInsns / Math.max(1, q1 - q0) / 1000;
  for (const [mode, mips, r] of ours) {
    console.log(
      `gunyah-ts ${mode.padEnd(6)} ${fmt(mips)} MIPS  (${r.retired} instructions in ${
        fmt(r.ms, 0)
      } ms, peak RSS ${r.peakRssKiB >> 10} MiB)`,
    );
  }
  console.log(
    `qemu TCG         ${fmt(qemuMips)} MIPS  (${qInsns} instructions in ${fmt(q1 - q0, 0)} ms ` +
      `after ${fmt(q0, 0)} ms start-up; best of 3)`,
  );
  for (const [mode, mips] of ours) {
    console.log(
      `ratio ${mode.padEnd(6)}   gunyah-ts is ${fmt(qemuMips / mips)}x slower than QEMU TCG`,
    );
  }
  console.log(`load average ${load()}`);
}

async function linux(modes: readonly CpuMode[]): Promise<void> {
  console.log("\n== Debian arm64 Linux to the init marker (2 vCPUs, 512 MiB)");
  const img = await ensureGuestImages({ progress: (m) => console.error(`[images] ${m}`) });
  console.log(`images     ${img.source}`);
  const ours: [CpuMode, SideResult][] = [];
  for (const mode of modes) {
    ours.push([mode, await gunyah(["linux", img.kernel, img.initrd, INIT_MARKER], mode)]);
  }
  const q = await timeQemu(
    [
      ...qemuVirtArgs(512, 2),
      "-kernel",
      img.kernel,
      "-initrd",
      img.initrd,
      "-append",
      "console=ttyAMA0",
    ],
    { marker: INIT_MARKER, timeoutMs: 300_000 },
  );
  for (const [mode, r] of ours) {
    console.log(
      `gunyah-ts ${mode.padEnd(6)} ${fmt(r.ms / 1000, 2)} s  peak RSS ${r.peakRssKiB >> 10} MiB  ` +
        `(${r.retired} instructions, ${fmt(r.virtualNs / 1e6, 0)} ms virtual)`,
    );
  }
  console.log(`qemu TCG         ${fmt(q.ms / 1000, 2)} s  peak RSS ${q.peakRssKiB >> 10} MiB`);
  for (const [mode, r] of ours) {
    console.log(
      `ratio ${mode.padEnd(6)}   gunyah-ts takes ${fmt(r.ms / q.ms)}x QEMU's time, ${
        fmt(r.peakRssKiB / Math.max(1, q.peakRssKiB))
      }x its memory`,
    );
  }
  console.log(`load average ${load()}`);
}

async function linuxCompute(modes: readonly CpuMode[]): Promise<void> {
  console.log(
    `\n== integer benchmark inside the Linux guest (guests/linux_compute.c, ${LINUX_COMPUTE_ROUNDS} rounds)`,
  );
  const img = await ensureGuestImages({ progress: (m) => console.error(`[images] ${m}`) });
  const g = await buildLinuxComputeGuest(img.initrd);
  const check = (who: string, output: string) => {
    if (!output.includes(g.expected)) {
      throw new Error(
        `${who}: the program did not print '${g.expected}'; console:\n${output.slice(-500)}`,
      );
    }
  };
  const ours: [CpuMode, SideResult][] = [];
  for (const mode of modes) {
    const r = await gunyah(
      ["linux", img.kernel, g.initrd, LINUX_COMPUTE_DONE, LINUX_COMPUTE_BEGIN],
      mode,
    );
    check(`gunyah-ts ${mode}`, r.output);
    ours.push([mode, r]);
  }
  const q = await timeQemu(
    [
      ...qemuVirtArgs(512, 2),
      "-kernel",
      img.kernel,
      "-initrd",
      g.initrd,
      "-append",
      "console=ttyAMA0",
    ],
    { marker: LINUX_COMPUTE_DONE, startMarker: LINUX_COMPUTE_BEGIN, timeoutMs: 300_000 },
  );
  check("QEMU", q.output);
  console.log(`result     ${g.expected} (checked in every run)`);
  for (const [mode, r] of ours) {
    console.log(`gunyah-ts ${mode.padEnd(6)} ${fmt(r.ms / 1000, 2)} s`);
  }
  console.log(`qemu TCG         ${fmt(q.ms / 1000, 2)} s`);
  for (const [mode, r] of ours) {
    console.log(`ratio ${mode.padEnd(6)}   gunyah-ts takes ${fmt(r.ms / q.ms)}x QEMU's time`);
  }
  console.log(`load average ${load()}`);
}

const NET_SIDE = new URL("./net_gunyah.ts", import.meta.url).pathname;

/** net_gunyah.ts's result line. */
interface NetSide {
  readonly bytes: number;
  readonly sha256: string;
  readonly guestSha: string;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly retransmits: number;
}

async function net(modes: readonly CpuMode[], mib: number): Promise<void> {
  console.log(
    `\n== guest-to-host TCP, user-mode networking (${mib} MiB with busybox nc to 127.0.0.1 via 10.0.2.2)`,
  );
  const img = await ensureGuestImages({
    init: NET_INIT,
    progress: (m) => console.error(`[images] ${m}`),
  });
  const rate = (bytes: number, ms: number) => bytes / 1048576 / Math.max(1e-3, ms / 1000);
  const ours: [CpuMode, number, NetSide][] = [];
  for (const mode of modes) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", NET_SIDE, img.kernel, img.initrd, String(mib)],
      env: { GUNYAH_CPU_MODE: mode },
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`gunyah-ts net side failed (exit ${out.code})`);
    const r: NetSide = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
    if (r.bytes !== mib << 20 || r.sha256 !== r.guestSha) {
      throw new Error(
        `gunyah-ts ${mode}: ${r.bytes} bytes, SHA-256 ${r.sha256} vs the guest's ${r.guestSha}`,
      );
    }
    ours.push([mode, rate(r.bytes, r.lastMs - r.firstMs), r]);
  }
  const q = await qemuNetRun(img.kernel, img.initrd, mib);
  if (q.sink.bytes !== mib << 20 || q.sink.sha256 !== q.guestSha) {
    throw new Error(
      `QEMU: ${q.sink.bytes} bytes, SHA-256 ${q.sink.sha256} vs the guest's ${q.guestSha}`,
    );
  }
  for (const [mode, mibs, r] of ours) {
    console.log(
      `gunyah-ts ${mode.padEnd(6)} ${fmt(mibs, 2)} MiB/s  (${
        fmt((r.lastMs - r.firstMs) / 1000, 1)
      } s, ` +
        `${r.retransmits} retransmits, SHA-256 checked)`,
    );
  }
  console.log(`qemu TCG         ${fmt(q.mibPerSecond, 2)} MiB/s  (slirp, SHA-256 checked)`);
  for (const [mode, mibs] of ours) {
    console.log(
      `ratio ${mode.padEnd(6)}   gunyah-ts moves ${fmt(mibs / q.mibPerSecond, 3)}x QEMU's rate`,
    );
  }
  console.log(`load average ${load()}`);
}

/** Printed by the bench primary's /init just before it runs gunyah-vmm (split so its echo cannot match). */
const VMM_BEGIN = "gunyah-bench: gunyah-vmm starts";

/**
 * The bench primary's /init: the VM manager module, then gunyah-vmm booting
 * the secondary it carries with a 16 MiB disk, timed from the line before it.
 */
const VMM_BENCH_INIT = `${INIT_PROLOGUE}${LOAD_VM_MANAGER}gunyah-mkdisk /disk.img 16M
echo "gunyah-bench: ""gunyah-vmm starts"
exec gunyah-vmm -kernel /${PRIMARY_SECONDARY_KERNEL_PATH} -initrd /${PRIMARY_SECONDARY_INITRD_PATH} \\
  -append "${SECONDARY_APPEND}" -m 256M -smp 2 -hda /disk.img -nographic
`;

/**
 * Issue 11's figure: from gunyah-vmm's start in the primary to the
 * secondary's init marker, beside QEMU booting the same kernel and the same
 * secondary initramfs directly (256 MiB, 2 vCPUs, a 16 MiB virtio-blk disk on
 * both sides: the secondary's init waits for /dev/vda where virtio-mmio
 * transports exist, and QEMU's virt always has them).
 */
async function vmm(modes: readonly CpuMode[]): Promise<void> {
  console.log(
    `\n== gunyah-vmm in the primary: a secondary Linux to its init marker (256 MiB, 2 vCPUs)`,
  );
  const img = await ensureGuestImages({
    init: VMM_BENCH_INIT,
    secondaryVm: true,
    progress: (m) => console.error(`[images] ${m}`),
  });
  const dir = img.kernel.slice(0, img.kernel.lastIndexOf("/"));
  const secondaryInitrd = await Deno.makeTempFile({
    prefix: "gunyah-bench-secondary-",
    suffix: ".cpio.gz",
  });
  const disk = await Deno.makeTempFile({ prefix: "gunyah-bench-disk-", suffix: ".img" });
  try {
    await Deno.truncate(disk, 16 << 20);
    await Deno.writeFile(secondaryInitrd, await secondaryInitramfs(dir));
    const ours: [CpuMode, SideResult][] = [];
    for (const mode of modes) {
      const r = await gunyah(["linux", img.kernel, img.initrd, SECONDARY_MARKER, VMM_BEGIN], mode);
      if (!r.output.includes(SECONDARY_MARKER)) {
        throw new Error(
          `gunyah-ts ${mode}: no secondary marker; console:\n${r.output.slice(-800)}`,
        );
      }
      ours.push([mode, r]);
    }
    const q = await timeQemu(
      [
        ...qemuVirtArgs(256, 2),
        "-kernel",
        img.kernel,
        "-initrd",
        secondaryInitrd,
        "-append",
        SECONDARY_APPEND,
        "-drive",
        `file=${disk},format=raw,if=none,id=hd0`,
        "-device",
        "virtio-blk-device,drive=hd0",
      ],
      { marker: SECONDARY_MARKER, timeoutMs: 300_000 },
    );
    for (const [mode, r] of ours) {
      console.log(
        `gunyah-ts ${mode.padEnd(6)} ${fmt(r.ms / 1000, 2)} s   (peak RSS ${
          fmt(r.peakRssKiB / 1024, 0)
        } MiB)`,
      );
    }
    console.log(`qemu TCG         ${fmt(q.ms / 1000, 2)} s   (the secondary booted directly)`);
    if (!q.output.includes("[vda]")) throw new Error("QEMU: the secondary saw no disk");
    for (const [mode, r] of ours) {
      console.log(`ratio ${mode.padEnd(6)}   gunyah-ts takes ${fmt(r.ms / q.ms)}x QEMU's time`);
    }
  } finally {
    await Deno.remove(secondaryInitrd).catch(() => {});
    await Deno.remove(disk).catch(() => {});
  }
  console.log(`load average ${load()}`);
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      only: { type: "string" },
      iterations: { type: "string" },
      "cpu-modes": { type: "string" },
      "net-mib": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const only = values.only;
  if (
    only !== undefined && only !== "compute" && only !== "linux" && only !== "linux-compute" &&
    only !== "vmm" && only !== "net"
  ) {
    console.error(
      `bench: --only takes compute, linux, linux-compute, vmm or net, got '${only}'\n\n${HELP}`,
    );
    return 2;
  }
  const iterations = Number(values.iterations ?? 20_000_000);
  if (!Number.isInteger(iterations) || iterations < 10_000) {
    console.error("bench: --iterations must be an integer of at least 10000");
    return 2;
  }
  const netMib = Number(values["net-mib"] ?? 8);
  if (!Number.isInteger(netMib) || netMib < 1 || netMib > 256) {
    console.error("bench: --net-mib must be an integer from 1 to 256");
    return 2;
  }
  const modes = (values["cpu-modes"] ?? "interp,jit").split(",");
  if (modes.length === 0 || !modes.every(isCpuMode)) {
    console.error(`bench: --cpu-modes takes interp, jit or interp,jit\n\n${HELP}`);
    return 2;
  }
  try {
    if (!only || only === "compute") await compute(iterations, modes);
    if (!only || only === "linux") await linux(modes);
    if (!only || only === "linux-compute") await linuxCompute(modes);
    if (!only || only === "vmm") await vmm(modes);
    if (!only || only === "net") await net(modes, netMib);
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
