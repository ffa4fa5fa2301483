/**
 * Builds `gunyah-vmm` (the C sources in `src/`): for the primary VM as a
 * static aarch64 program (`aarch64-linux-gnu-gcc -static -pthread`, cached by
 * a hash of the sources below `.cache/gunyah-vmm/`), and for this host with
 * its own `gcc` so the command line, the devicetree writer and the device
 * models are tested without booting anything (`vmm_test.ts`).
 *
 * The uapi header is the VM manager's, `rm/linux/include/uapi/linux/gunyah.h`.
 *
 * ```sh
 * deno run -A tools/vmm/build.ts     # prints the path of the aarch64 program
 * ```
 *
 * @module
 */

/** Raised when the host lacks what the build needs; the message names it. */
export class VmmBuildError extends Error {
  /** The error's name. */
  override readonly name = "VmmBuildError";
}

/** Options for {@link buildGunyahVmm}. */
export interface VmmBuildOptions {
  /** The cache folder (`.cache`). */
  readonly cache: string;
  /** Progress lines; default: stderr with a `[gunyah-vmm]` prefix. */
  readonly progress?: (message: string) => void;
}

/** The cross compiler prefix (package gcc-aarch64-linux-gnu, libc6-dev-arm64-cross). */
export const CROSS_CC = "aarch64-linux-gnu-gcc";
/** The host compiler for the host-side tests. */
export const HOST_CC = "gcc";

const HERE = new URL(".", import.meta.url).pathname;
/** Where `<linux/gunyah.h>` is found (the VM manager's uapi, rm/linux). */
export const UAPI_INCLUDE: string =
  new URL("../../rm/linux/include/uapi", import.meta.url).pathname;
const UAPI_HEADER = `${UAPI_INCLUDE}/linux/gunyah.h`;

/** The program's C files (relative to this folder). */
export const VMM_SOURCES: readonly string[] = [
  "src/main.c",
  "src/options.c",
  "src/layout.c",
  "src/fdt.c",
  "src/fdt_read.c",
  "src/devicetree.c",
  "src/gunyah.c",
  "src/vcpu.c",
  "src/console.c",
  "src/pl011.c",
  "src/virtio_mmio.c",
  "src/virtio_blk.c",
  "src/guest_memory.c",
];
/** Headers (part of the cache key). */
const VMM_HEADERS: readonly string[] = [
  "src/vmm.h",
  "src/virt.h",
  "src/layout.h",
  "src/fdt.h",
  "src/fdt_read.h",
  "src/devicetree.h",
  "src/gunyah.h",
  "src/machine.h",
  "src/mmio.h",
  "src/guest_memory.h",
  "src/pl011.h",
  "src/virtio_mmio.h",
  "src/virtio_blk.h",
];
/** The device-model test program and the sources it links. */
const DEVICES_TEST: readonly string[] = [
  "test/devices_test.c",
  "src/pl011.c",
  "src/virtio_mmio.c",
  "src/virtio_blk.c",
];

const CFLAGS = ["-O2", "-Wall", "-Wextra", "-Werror", "-std=gnu11", `-I${UAPI_INCLUDE}`];

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function compile(cc: string, args: string[], what: string): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cc, { args, cwd: HERE, stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new VmmBuildError(
        `'${cc}' is not installed; it is needed to ${what}` +
          (cc === CROSS_CC ? " (packages gcc-aarch64-linux-gnu, libc6-dev-arm64-cross)" : ""),
      );
    }
    throw e;
  }
  if (!out.success) {
    const dec = new TextDecoder();
    const text = (dec.decode(out.stdout) + dec.decode(out.stderr)).trim().split("\n");
    throw new VmmBuildError(`${what} failed (${cc}):\n${text.slice(-30).join("\n")}`);
  }
}

async function sourcesHash(extra: string): Promise<string> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [enc.encode(extra + "\0")];
  for (const f of [...VMM_SOURCES, ...VMM_HEADERS]) {
    parts.push(enc.encode(f + "\0"), await Deno.readFile(`${HERE}${f}`));
  }
  parts.push(await Deno.readFile(UAPI_HEADER));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  const d = await crypto.subtle.digest("SHA-256", all);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

/**
 * The static aarch64 `gunyah-vmm` for the primary's initramfs: built once
 * per source hash into `<cache>/gunyah-vmm/<hash>/gunyah-vmm`; returns its
 * path. Throws {@link VmmBuildError} naming the missing package.
 */
export async function buildGunyahVmm(opts: VmmBuildOptions): Promise<string> {
  const progress = opts.progress ?? ((m: string) => console.error(`[gunyah-vmm] ${m}`));
  const dir = `${opts.cache}/gunyah-vmm/${await sourcesHash(CROSS_CC)}`;
  const program = `${dir}/gunyah-vmm`;
  if (await exists(program)) return program;
  await Deno.mkdir(dir, { recursive: true });
  const started = performance.now();
  progress(`building gunyah-vmm (${CROSS_CC} -static -pthread)`);
  const tmp = `${program}.tmp`;
  await compile(
    CROSS_CC,
    [...CFLAGS, "-static", "-pthread", "-o", tmp, ...VMM_SOURCES],
    "build gunyah-vmm for the primary VM",
  );
  await Deno.rename(tmp, program);
  progress(`built gunyah-vmm in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return program;
}

/** The devicetree read-back test and the sources it links. */
const FDT_TEST: readonly string[] = [
  "test/fdt_test.c",
  "src/fdt.c",
  "src/fdt_read.c",
  "src/devicetree.c",
];

/** Host builds for the tests: `gunyah-vmm` and the unit-test programs, in `outDir`. */
export interface HostBuild {
  /** `gunyah-vmm` for this host (runs up to opening /dev/gunyah; `dumpdtb` works fully). */
  readonly vmm: string;
  /** The device-model unit test program. */
  readonly devicesTest: string;
  /** The doorbell read-back test program (`fdt_test OUT.dtb`). */
  readonly fdtTest: string;
}

/** Build the host programs into `outDir` with {@link HOST_CC}. */
export async function buildHostPrograms(outDir: string): Promise<HostBuild> {
  const vmm = `${outDir}/gunyah-vmm`;
  const devicesTest = `${outDir}/devices_test`;
  const fdtTest = `${outDir}/fdt_test`;
  await compile(HOST_CC, [...CFLAGS, "-pthread", "-o", vmm, ...VMM_SOURCES], "build gunyah-vmm");
  await compile(
    HOST_CC,
    [...CFLAGS, "-pthread", "-o", devicesTest, ...DEVICES_TEST],
    "build the device tests",
  );
  await compile(HOST_CC, [...CFLAGS, "-o", fdtTest, ...FDT_TEST], "build the fdt test");
  return { vmm, devicesTest, fdtTest };
}

if (import.meta.main) {
  if (Deno.args.length > 0) {
    const help = Deno.args[0] === "--help" || Deno.args[0] === "-h";
    (help ? console.log : console.error)(
      "deno run -A tools/vmm/build.ts: build gunyah-vmm for the primary VM (static aarch64, cached\n" +
        "below .cache/gunyah-vmm) and print its path. Takes no arguments. Exit status 1 when the\n" +
        "host lacks the cross toolchain (the message names it).",
    );
    Deno.exit(help ? 0 : 2);
  }
  const cache = new URL("../../.cache", import.meta.url).pathname;
  try {
    console.log(await buildGunyahVmm({ cache }));
  } catch (e) {
    if (!(e instanceof VmmBuildError)) throw e;
    console.error(`error: ${e.message}`);
    Deno.exit(1);
  }
}
