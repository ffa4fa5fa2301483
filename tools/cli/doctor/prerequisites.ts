/**
 * The external tools gunyah-ts relies on, each checked by running it the way
 * the project runs it: QEMU with the test harnesses' own flags on a tiny
 * guest, the cross compiler and binutils on a one-line program, `dtc` on a
 * one-line source, and apt's view of the Debian packages the default images
 * come from. A check that fails says what is missing in one line and names
 * the Debian package that provides it.
 *
 * @module
 */
import {
  QEMU_HEADLESS_ARGS,
  QEMU_SYSTEM_AARCH64,
  QEMU_SYSTEM_AARCH64_PACKAGE,
} from "@gunyah-ts/platform-qemu-virt";
import { cacheRoot, findCachedImages } from "@gunyah-ts/system";
import { ARM64_LIBC_PACKAGE, KBUILD_PACKAGE } from "@gunyah-ts/rm/linux";

/** What a prerequisite is needed for. */
export type Purpose = "tests" | "boot";

/** The outcome of one check. */
export type Finding =
  | { readonly name: string; readonly ok: true; readonly detail: string }
  | {
    readonly name: string;
    readonly ok: false;
    /** What went wrong, one line. */
    readonly problem: string;
    /** What to do about it, one line (usually the package to install). */
    readonly remedy: string;
    /** Only an optional part (e.g. the browser test) needs it: not counted as missing. */
    readonly optional?: boolean;
  };

/** One external prerequisite. */
export interface Prerequisite {
  readonly name: string;
  /** The purposes it serves; `gunyah doctor --boot` checks only "boot" ones. */
  readonly purposes: readonly Purpose[];
  /** Whether only an optional part needs it (a missing one is reported, not failed). */
  readonly optional?: boolean;
  check(): Promise<Finding>;
}

/** Thrown by a check step: `problem` is shown with the prerequisite's remedy. */
class CheckFailed extends Error {}

const decoder = new TextDecoder();
const STEP_TIMEOUT_MS = 20_000;

interface StepResult {
  readonly stdout: Uint8Array;
  readonly text: string;
}

/** Runs `cmd args`; a missing executable, a non-zero exit or a timeout becomes {@link CheckFailed}. */
async function step(cmd: string, args: readonly string[], cwd?: string): Promise<StepResult> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, {
      args: [...args],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new CheckFailed(`${cmd} not found on PATH`);
    if (e instanceof DOMException && e.name === "TimeoutError") {
      throw new CheckFailed(`${cmd} did not finish within ${STEP_TIMEOUT_MS / 1000} s`);
    }
    throw new CheckFailed(`${cmd} could not be started: ${(e as Error).message}`);
  }
  const text = decoder.decode(out.stdout) + decoder.decode(out.stderr);
  if (out.signal !== null) {
    throw new CheckFailed(`${cmd} was stopped (${out.signal}) after ${STEP_TIMEOUT_MS / 1000} s`);
  }
  if (!out.success) {
    const first = text.split("\n").find((l) => l.trim() !== "") ?? "";
    throw new CheckFailed(`${cmd} ${args[0] ?? ""} failed (exit ${out.code}): ${first.trim()}`);
  }
  return { stdout: out.stdout, text };
}

async function inTempDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "gunyah-doctor-" });
  try {
    return await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function prerequisite(
  name: string,
  purposes: readonly Purpose[],
  remedy: string,
  run: () => Promise<string>,
): Prerequisite {
  return {
    name,
    purposes,
    async check(): Promise<Finding> {
      try {
        return { name, ok: true, detail: await run() };
      } catch (e) {
        if (e instanceof CheckFailed) return { name, ok: false, problem: e.message, remedy };
        throw e;
      }
    },
  };
}

/**
 * The probe guest, as A64 words: store 'K' to the PL011 data register at
 * 0x0900_0000 (QEMU virt's UART0), then PSCI SYSTEM_OFF (0x8400_0008) by HVC,
 * the conduit QEMU uses when it enters a guest at EL1.
 */
const PROBE_SOURCE = [
  ".text",
  ".globl _start",
  "_start:",
  "movz x1, #0x900, lsl #16",
  "movz w2, #0x4b",
  "strb w2, [x1]",
  "movz w0, #0x8",
  "movk w0, #0x8400, lsl #16",
  "hvc #0",
  "b .",
  "",
].join("\n");
const PROBE_WORDS = [
  0xd2a12001,
  0x52800962,
  0x39000022,
  0x52800100,
  0x72b08000,
  0xd4000002,
  0x14000000,
];
/** What the probe prints on the PL011. */
const PROBE_OUTPUT = "K";

function probeImage(): Uint8Array {
  const bytes = new Uint8Array(PROBE_WORDS.length * 4);
  const view = new DataView(bytes.buffer);
  PROBE_WORDS.forEach((w, i) => view.setUint32(i * 4, w, true));
  return bytes;
}

function firstLine(text: string): string {
  return text.split("\n")[0].trim();
}

const QEMU_CHECK = prerequisite(
  QEMU_SYSTEM_AARCH64,
  ["tests"],
  `install Debian package ${QEMU_SYSTEM_AARCH64_PACKAGE}`,
  () =>
    inTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/probe.bin`, probeImage());
      const version = firstLine((await step(QEMU_SYSTEM_AARCH64, ["--version"])).text);
      const args = ["-M", "virt,gic-version=3", "-cpu", "cortex-a57", "-m", "128M"];
      const run = await step(QEMU_SYSTEM_AARCH64, [
        ...args,
        ...QEMU_HEADLESS_ARGS,
        "-kernel",
        `${dir}/probe.bin`,
      ]);
      if (decoder.decode(run.stdout) !== PROBE_OUTPUT) {
        throw new CheckFailed(
          `${QEMU_SYSTEM_AARCH64} ran the probe guest but its console showed ` +
            `${JSON.stringify(run.text.slice(0, 200))} instead of ${JSON.stringify(PROBE_OUTPUT)}`,
        );
      }
      return `${version}; boots a guest with the harness flags`;
    }),
);

const GCC = "aarch64-linux-gnu-gcc";
const GCC_CHECK = prerequisite(
  GCC,
  ["tests"],
  "install Debian package gcc-aarch64-linux-gnu",
  () =>
    inTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/one.c`, "void _start(void) { for (;;) ; }\n");
      await step(GCC, [
        ...["-ffreestanding", "-nostdlib", "-static", "-O2", "-Wl,-e,_start"],
        ...["-o", `${dir}/one.elf`, `${dir}/one.c`],
      ]);
      return firstLine((await step(GCC, ["--version"])).text);
    }),
);

const BINUTILS_CHECK = prerequisite(
  "aarch64-linux-gnu-as/ld/objcopy",
  ["tests"],
  "install Debian package binutils-aarch64-linux-gnu",
  () =>
    inTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/probe.s`, PROBE_SOURCE);
      await step("aarch64-linux-gnu-as", ["-o", `${dir}/probe.o`, `${dir}/probe.s`]);
      await step("aarch64-linux-gnu-ld", [
        "-e",
        "_start",
        "-o",
        `${dir}/probe.elf`,
        `${dir}/probe.o`,
      ]);
      await step("aarch64-linux-gnu-objcopy", ["-O", "binary", `${dir}/probe.elf`, `${dir}/p.bin`]);
      const got = await Deno.readFile(`${dir}/p.bin`);
      const want = probeImage();
      if (got.length !== want.length || got.some((b, i) => b !== want[i])) {
        throw new CheckFailed("aarch64-linux-gnu-as assembled the probe into unexpected bytes");
      }
      return firstLine((await step("aarch64-linux-gnu-as", ["--version"])).text);
    }),
);

/** The first four bytes of a flattened devicetree blob (big-endian 0xd00dfeed). */
const FDT_MAGIC = [0xd0, 0x0d, 0xfe, 0xed];

const DTC_CHECK = prerequisite(
  "dtc",
  ["tests"],
  "install Debian package device-tree-compiler",
  () =>
    inTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/one.dts`, '/dts-v1/; / { model = "gunyah-ts doctor"; };\n');
      const out = await step("dtc", ["-I", "dts", "-O", "dtb", `${dir}/one.dts`]);
      if (!FDT_MAGIC.every((b, i) => out.stdout[i] === b)) {
        throw new CheckFailed("dtc wrote something that is not a devicetree blob");
      }
      return firstLine((await step("dtc", ["--version"])).text);
    }),
);

/** The Debian packages the default guest images are made from. */
const IMAGE_PACKAGES = ["linux-image-arm64:arm64", "busybox-static:arm64"];

const IMAGES_CHECK = prerequisite(
  "Debian guest images",
  ["tests", "boot"],
  "as root: dpkg --add-architecture arm64 && apt-get update (tools/setup.sh does it); " +
    "or boot your own with --kernel/--initrd",
  async () => {
    const cached = await findCachedImages(cacheRoot());
    if (cached) return `cached in ${cached.dir}`;
    await step("dpkg-deb", ["--version"]);
    const uris = await step("apt-get", ["download", "--print-uris", ...IMAGE_PACKAGES]);
    const found = uris.text.split("\n").filter((l) => l.startsWith("'")).length;
    if (found !== IMAGE_PACKAGES.length) {
      throw new CheckFailed(`apt-get knows ${found} of ${IMAGE_PACKAGES.join(", ")}`);
    }
    return `not cached yet; apt-get download can fetch ${IMAGE_PACKAGES.join(" and ")}`;
  },
);

/**
 * What the Gunyah VM manager module and its test program (rm/linux) are built
 * with besides the cross compiler: the host's kbuild scripts and the arm64 C
 * library for a static program.
 */
const VM_MANAGER_CHECK = prerequisite(
  "kernel module and static arm64 program build",
  ["tests"],
  `install Debian packages ${KBUILD_PACKAGE} and ${ARM64_LIBC_PACKAGE}`,
  () =>
    inTempDir(async (dir) => {
      await Deno.writeTextFile(
        `${dir}/one.c`,
        "#include <stdio.h>\nint main(void) { return 0; }\n",
      );
      await step(GCC, ["-static", "-O2", "-o", `${dir}/one`, `${dir}/one.c`]);
      const fixdep = `/usr/lib/${KBUILD_PACKAGE}/scripts/basic/fixdep`;
      try {
        await Deno.stat(fixdep);
      } catch {
        throw new CheckFailed(`${fixdep} is missing`);
      }
      return `${KBUILD_PACKAGE}; ${GCC} -static links against the arm64 C library`;
    }),
);

/**
 * Debian's chromium, which the dashboard's browser test drives headless
 * (npm playwright-core). Optional: nothing but that test needs a browser,
 * and it skips with the reason when there is none; tools/setup.sh installs
 * it so that the suite runs the test.
 */
const CHROMIUM_CHECK: Prerequisite = {
  ...prerequisite(
    "chromium",
    ["tests"],
    "install Debian package chromium (only the dashboard's browser test needs it; it skips without)",
    async () => firstLine((await step("chromium", ["--version"])).text),
  ),
  optional: true,
};

/**
 * Debian's gdb-multiarch, which the GDB stub's end-to-end test drives in
 * batch mode (tools/gdb/e2e). Optional: only that test needs it, and it skips
 * with the reason without it; tools/setup.sh installs it.
 */
const GDB_CHECK: Prerequisite = {
  ...prerequisite(
    "gdb-multiarch",
    ["tests"],
    "install Debian package gdb-multiarch (only the GDB stub's e2e test needs it; it skips without)",
    async () => firstLine((await step("gdb-multiarch", ["--version"])).text),
  ),
  optional: true,
};

/** Every prerequisite, in the order `gunyah doctor` reports them. */
export const PREREQUISITES: readonly Prerequisite[] = [
  QEMU_CHECK,
  GCC_CHECK,
  BINUTILS_CHECK,
  DTC_CHECK,
  IMAGES_CHECK,
  VM_MANAGER_CHECK,
  CHROMIUM_CHECK,
  GDB_CHECK,
];

/** Checks every prerequisite serving `purpose`, one after another. */
export async function checkPrerequisites(purpose: Purpose): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const p of PREREQUISITES) {
    if (!p.purposes.includes(purpose)) continue;
    const f = await p.check();
    findings.push(!f.ok && p.optional ? { ...f, optional: true } : f);
  }
  return findings;
}
