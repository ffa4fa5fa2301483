/**
 * Builds the Gunyah VM manager kernel module (`gunyah.ko`, the C sources in
 * this folder) for the exact Debian kernel the default system boots, and the
 * static test program `gunyah-test`, with Debian's own packages:
 *
 * 1. `apt-get download linux-headers-<release>:arm64` and
 *    `linux-headers-<abi>-common`, unpacked with `dpkg-deb -x` below
 *    `.cache/linux-headers/<release>/`; the arm64 headers' Makefile
 *    includes the common headers by an absolute `/usr/src/...` path, which
 *    is rewritten to the unpacked copy, and their `scripts`/`tools` links
 *    (`../../lib/linux-kbuild-<ver>/...`) are satisfied by a link to the
 *    host's `/usr/lib/linux-kbuild-<ver>` (package `linux-kbuild-<ver>`,
 *    installed with apt-get when missing and running as root);
 * 2. `make -C <headers> M=<copy of the sources> ARCH=arm64
 *    CROSS_COMPILE=aarch64-linux-gnu-`, cached by a hash of the sources
 *    below `.cache/vm-manager/`;
 * 3. `aarch64-linux-gnu-gcc -static` for `test/gunyah_test.c` (needs
 *    `libc6-dev-arm64-cross`) and `test/gunyah_vm_test.c`, which carries the
 *    bare-metal secondaries of `test/guests/` (assembled with the same
 *    cross compiler, `objcopy -O binary`, their devicetrees with `dtc`).
 *
 * ```sh
 * deno run -A rm/linux/build.ts [kernel release, default: the cached images']
 * ```
 *
 * @module
 */

/** Progress sink (one line per step). */
export type BuildProgress = (message: string) => void;

/** Raised when the host lacks something the build needs; the message names it. */
export class VmManagerBuildError extends Error {
  /** The error's name. */
  override readonly name = "VmManagerBuildError";
}

/** A static aarch64 program for the primary's `/bin`. */
export interface VmManagerProgram {
  /** Its name in `/bin`. */
  readonly name: string;
  /** The built file. */
  readonly path: string;
}

/** The built artefacts. */
export interface VmManagerBuild {
  /** `gunyah.ko` for {@link kernelRelease}. */
  readonly module: string;
  /** The static aarch64 `gunyah-test` program. */
  readonly testProgram: string;
  /** Every program for the primary's `/bin`: `gunyah-test` and `gunyah-vm-test`. */
  readonly programs: readonly VmManagerProgram[];
  /** The kernel release both were built for. */
  readonly kernelRelease: string;
}

/** Options for {@link buildVmManager}. */
export interface VmManagerBuildOptions {
  /** e.g. "6.1.0-57-arm64" (Debian's `linux-image-<release>`). */
  readonly kernelRelease: string;
  /** The cache folder (`.cache`). */
  readonly cache: string;
  /** Progress lines; default: stderr with a `[vm-manager]` prefix. */
  readonly progress?: BuildProgress;
}

/**
 * The host package whose kbuild scripts Debian bookworm's 6.1 kernel headers
 * link to (`scripts -> ../../lib/linux-kbuild-6.1/scripts`).
 */
export const KBUILD_PACKAGE = "linux-kbuild-6.1";
/** The arm64 C library for the static `gunyah-test` (and its header that proves it is there). */
export const ARM64_LIBC_PACKAGE = "libc6-dev-arm64-cross";
/** A header of {@link ARM64_LIBC_PACKAGE}. */
export const ARM64_LIBC_HEADER = "/usr/aarch64-linux-gnu/include/stdio.h";

/** The cross toolchain prefix (package gcc-aarch64-linux-gnu). */
const CROSS_COMPILE = "aarch64-linux-gnu-";
/** The folder holding this file: the module's sources. */
const SOURCE_DIR = new URL(".", import.meta.url).pathname;
/** Source files of the module and the test program, relative to {@link SOURCE_DIR}. */
const SOURCES = [
  "Kbuild",
  "hypercall.h",
  "rsc_mgr.h",
  "rsc_mgr.c",
  "vm_mgr.h",
  "vm_mgr.c",
  "vcpu.c",
  "irqfd.c",
  "ioeventfd.c",
  "include/uapi/linux/gunyah.h",
  "test/gunyah_test.c",
  "test/gunyah_vm_test.c",
  "test/guests.S",
  "test/guests/hyp_secondary.S",
  "test/guests/hyp_secondary.dts",
  "test/guests/proxy_secondary.S",
  "test/guests/proxy_secondary.dts",
];
/** The bare-metal secondaries `gunyah-vm-test` carries (test/guests/<name>.S and .dts). */
const SECONDARIES = ["hyp_secondary", "proxy_secondary"];
/** Where a secondary's image is linked: the RAM base its devicetree gives it. */
const SECONDARY_RAM_BASE = "0x80000000";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[], what: string, cwd?: string): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new VmManagerBuildError(`'${cmd}' is not installed; it is needed to ${what}.`);
    }
    throw e;
  }
  const dec = new TextDecoder();
  if (!out.success) {
    const text = (dec.decode(out.stdout) + dec.decode(out.stderr)).trim().split("\n");
    throw new VmManagerBuildError(
      `${what} failed (${cmd} ${args.join(" ")}):\n${text.slice(-20).join("\n")}`,
    );
  }
  return dec.decode(out.stdout);
}

/** "6.1.0-57-arm64" → "6.1.0-57" (the common headers' ABI name). */
export function kernelAbi(release: string): string {
  const m = /^(\d+\.\d+\.\d+-\d+)-[a-z0-9]+$/.exec(release);
  if (!m) throw new VmManagerBuildError(`'${release}' is not a Debian kernel release name`);
  return m[1];
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Debian's headers for `release`, unpacked and made usable from their cache
 * folder; returns the directory to pass to `make -C`.
 */
export async function ensureKernelHeaders(
  release: string,
  cache: string,
  progress: BuildProgress,
): Promise<string> {
  const abi = kernelAbi(release);
  // The real path: the rewritten Makefile must not depend on a symlinked cache.
  await Deno.mkdir(cache, { recursive: true });
  const base = `${await Deno.realPath(cache)}/linux-headers/${release}`;
  const root = `${base}/root`;
  const headers = `${root}/usr/src/linux-headers-${release}`;
  if (!await exists(`${base}/.ready`)) {
    await Deno.remove(base, { recursive: true }).catch(() => {});
    await Deno.mkdir(`${base}/debs`, { recursive: true });
    await Deno.chmod(`${base}/debs`, 0o777).catch(() => {}); // apt's _apt sandbox user writes here
    const pkgs = [`linux-headers-${release}:arm64`, `linux-headers-${abi}-common`];
    progress(`downloading ${pkgs.join(" and ")} with apt-get download`);
    await run(
      "apt-get",
      ["download", "-q", ...pkgs],
      `download the kernel headers (is apt's arm64 index present? 'deno task gunyah images' adds it)`,
      `${base}/debs`,
    );
    for (const e of [...Deno.readDirSync(`${base}/debs`)].filter((e) => e.name.endsWith(".deb"))) {
      progress(`unpacking ${e.name}`);
      await run("dpkg-deb", ["-x", `${base}/debs/${e.name}`, root], "unpack the headers");
    }
    const makefile = `${headers}/Makefile`;
    const text = await Deno.readTextFile(makefile);
    const rewritten = text.replace(/^include \/usr\/src\//m, `include ${root}/usr/src/`);
    if (rewritten === text) {
      throw new VmManagerBuildError(`${makefile} has no 'include /usr/src/...' line to rewrite`);
    }
    await Deno.writeTextFile(makefile, rewritten);
    await Deno.remove(`${base}/debs`, { recursive: true });
    await Deno.writeTextFile(`${base}/.ready`, `${release}\n`);
  }
  await ensureKbuild(headers, root, progress);
  return headers;
}

/** The host's `linux-kbuild-<ver>` the headers' `scripts` link names, installed if missing. */
async function ensureKbuild(headers: string, root: string, progress: BuildProgress): Promise<void> {
  const target = await Deno.readLink(`${headers}/scripts`); // ../../lib/linux-kbuild-6.1/scripts
  const m = /lib\/(linux-kbuild-[\d.]+)\/scripts$/.exec(target);
  if (!m) throw new VmManagerBuildError(`unexpected scripts link in ${headers}: ${target}`);
  const pkg = m[1];
  const hostDir = `/usr/lib/${pkg}`;
  if (!await exists(`${hostDir}/scripts/basic/fixdep`)) {
    if (Deno.uid?.() !== 0) {
      throw new VmManagerBuildError(
        `the host package ${pkg} is missing (needed to build kernel modules): ` +
          `run 'apt-get install ${pkg}' as root, or tools/setup.sh`,
      );
    }
    progress(`installing the host's ${pkg} with apt-get`);
    await run(
      "apt-get",
      ["install", "-y", "-qq", "--no-install-recommends", pkg],
      `install ${pkg}`,
    );
  }
  const link = `${root}/usr/lib/${pkg}`;
  if (!await exists(link)) {
    await Deno.mkdir(`${root}/usr/lib`, { recursive: true });
    await Deno.symlink(hostDir, link);
  }
}

/** Build (or take from the cache) `gunyah.ko` and `gunyah-test` for `kernelRelease`. */
export async function buildVmManager(opts: VmManagerBuildOptions): Promise<VmManagerBuild> {
  const progress = opts.progress ?? ((m: string) => console.error(`[vm-manager] ${m}`));
  const release = opts.kernelRelease;
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [enc.encode(release + "\0")];
  for (const f of SOURCES) {
    parts.push(enc.encode(f + "\0"), await Deno.readFile(`${SOURCE_DIR}${f}`));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  const out = `${opts.cache}/vm-manager/${release}-${(await sha256Hex(all)).slice(0, 16)}`;
  const result: VmManagerBuild = {
    module: `${out}/gunyah.ko`,
    testProgram: `${out}/gunyah-test`,
    programs: [
      { name: "gunyah-test", path: `${out}/gunyah-test` },
      { name: "gunyah-vm-test", path: `${out}/gunyah-vm-test` },
    ],
    kernelRelease: release,
  };
  const built = await Promise.all(
    [result.module, ...result.programs.map((p) => p.path)].map(exists),
  );
  if (built.every((b) => b)) return result;

  // Test files run in parallel processes, and on a fresh clone several ask
  // for the module at once: one builds (headers unpacked, sources compiled)
  // while the others wait on an exclusive lock, then find it built.
  await Deno.mkdir(opts.cache, { recursive: true });
  const lock = await Deno.open(`${opts.cache}/vm-manager.lock`, { create: true, write: true });
  try {
    await lock.lock(true);
    const again = await Promise.all(
      [result.module, ...result.programs.map((p) => p.path)].map(exists),
    );
    if (again.every((b) => b)) return result;
    await build(opts, release, out, progress);
    return result;
  } finally {
    await lock.unlock().catch(() => {});
    lock.close();
  }
}

/** The build itself, under the lock: headers, module, test programs, secondaries. */
async function build(
  opts: VmManagerBuildOptions,
  release: string,
  out: string,
  progress: BuildProgress,
): Promise<void> {
  const started = performance.now();
  const headers = await ensureKernelHeaders(release, opts.cache, progress);
  const src = `${out}/src`;
  await Deno.remove(out, { recursive: true }).catch(() => {});
  for (const f of SOURCES) {
    await Deno.mkdir(`${src}/${f.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.copyFile(`${SOURCE_DIR}${f}`, `${src}/${f}`);
  }
  progress(`building gunyah.ko for ${release} (make -C ${headers} M=${src})`);
  await run(
    "make",
    ["-s", "-C", headers, `M=${src}`, "ARCH=arm64", `CROSS_COMPILE=${CROSS_COMPILE}`, "modules"],
    `cross-build the VM manager module (needs make and gcc-aarch64-linux-gnu)`,
  );
  progress("building gunyah-test (aarch64-linux-gnu-gcc -static)");
  if (!await exists(ARM64_LIBC_HEADER)) {
    throw new VmManagerBuildError(
      `the arm64 C library headers are missing (package ${ARM64_LIBC_PACKAGE}): ` +
        `run 'apt-get install ${ARM64_LIBC_PACKAGE}' as root, or tools/setup.sh`,
    );
  }
  await run(
    `${CROSS_COMPILE}gcc`,
    ["-static", "-O2", "-Wall", "-Werror", "-o", `${src}/gunyah-test`, `${src}/test/gunyah_test.c`],
    "build gunyah-test",
  );
  const guests = `${src}/test/guests`;
  for (const g of SECONDARIES) {
    await run(
      `${CROSS_COMPILE}gcc`,
      [
        "-nostdlib",
        "-static",
        "-Wl,--build-id=none",
        `-Wl,-Ttext=${SECONDARY_RAM_BASE}`,
        "-o",
        `${guests}/${g}.elf`,
        `${guests}/${g}.S`,
      ],
      `assemble the secondary ${g}`,
    );
    await run(
      `${CROSS_COMPILE}objcopy`,
      ["-O", "binary", "-j", ".text", `${guests}/${g}.elf`, `${guests}/${g}.bin`],
      `extract the secondary ${g}`,
    );
    await run(
      "dtc",
      ["-q", "-I", "dts", "-O", "dtb", "-o", `${guests}/${g}.dtb`, `${guests}/${g}.dts`],
      `compile the devicetree of ${g} (needs dtc, package device-tree-compiler)`,
    );
  }
  progress("building gunyah-vm-test (aarch64-linux-gnu-gcc -static, secondaries inside)");
  await run(
    `${CROSS_COMPILE}gcc`,
    [
      "-static",
      "-O2",
      "-Wall",
      "-Werror",
      "-pthread",
      `-Wa,-I${guests}`,
      "-o",
      `${src}/gunyah-vm-test`,
      `${src}/test/gunyah_vm_test.c`,
      `${src}/test/guests.S`,
    ],
    "build gunyah-vm-test",
  );
  // The module last: callers take its presence (with the programs') as "built".
  await Deno.copyFile(`${src}/gunyah-test`, `${out}/gunyah-test`);
  await Deno.copyFile(`${src}/gunyah-vm-test`, `${out}/gunyah-vm-test`);
  await Deno.copyFile(`${src}/gunyah.ko`, `${out}/gunyah.ko`);
  progress(
    `built gunyah.ko, gunyah-test and gunyah-vm-test in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
}

if (import.meta.main) {
  const cache = new URL("../../.cache", import.meta.url).pathname;
  if (Deno.args[0] === "--help" || Deno.args[0] === "-h") {
    console.log(
      "deno run -A rm/linux/build.ts [kernel release]: build the Gunyah VM manager module\n" +
        "(gunyah.ko) and its test programs for a Debian arm64 kernel release (default: the\n" +
        "cached guest images' kernel), cached below .cache/vm-manager; prints the paths.",
    );
    Deno.exit(0);
  }
  let release = Deno.args[0];
  if (!release) {
    // The newest cached image set's kernel (tools/system/images manifest.json).
    const sets: { release: string; mtime: number }[] = [];
    const dirs = await exists(`${cache}/images`) ? Deno.readDirSync(`${cache}/images`) : [];
    for (const e of dirs) {
      const manifest = `${cache}/images/${e.name}/manifest.json`;
      if (!await exists(manifest)) continue;
      const m = JSON.parse(await Deno.readTextFile(manifest)) as { kernelRelease: string };
      sets.push({ release: m.kernelRelease, mtime: (await Deno.stat(manifest)).mtime!.getTime() });
    }
    sets.sort((a, b) => b.mtime - a.mtime);
    if (sets.length === 0) {
      console.error("no cached guest images: run 'deno task gunyah images' or pass a release");
      Deno.exit(2);
    }
    release = sets[0].release;
  }
  try {
    const built = await buildVmManager({ kernelRelease: release, cache });
    console.log([built.module, ...built.programs.map((p) => p.path)].join("\n"));
  } catch (e) {
    if (!(e instanceof VmManagerBuildError)) throw e;
    console.error(`error: ${e.message}`);
    Deno.exit(1);
  }
}
