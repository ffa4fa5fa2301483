/**
 * The Linux debug e2e's payload: `programs/ptrace_debug.c` cross-compiled
 * as a static aarch64 program (`aarch64-linux-gnu-gcc -static`, cached by a
 * hash of the source and the compiler in `<cache>/e2e-programs/<hash>/`),
 * and an initramfs (busybox + that program + an /init that runs it and
 * powers off) for the cached Debian kernel.
 *
 * @module
 */
import { buildInitramfs, cacheRoot, findCachedImages } from "@gunyah-ts/system";

/** The cross compiler (package gcc-aarch64-linux-gnu, libc6-dev-arm64-cross). */
export const DEBUG_PROGRAM_CC = "aarch64-linux-gnu-gcc";
/** The program's source. */
export const PTRACE_DEBUG_SOURCE: string =
  new URL("./programs/ptrace_debug.c", import.meta.url).pathname;
/** Where the program is in the initramfs. */
export const PTRACE_DEBUG_PATH = "bin/ptrace-debug";
/** The line the init prints when the program exited (then it powers off). */
export const DEBUG_INIT_DONE = "gunyah-e2e-debug: finished";

/** The /init: pseudo filesystems, the program, a marker, power off. */
export const DEBUG_INIT = `#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
/${PTRACE_DEBUG_PATH}
echo "${DEBUG_INIT_DONE} status=$?"
poweroff -f
`;

/** Raised when the host cannot build the program; the message names what is missing. */
export class DebugProgramUnavailable extends Error {
  /** The error's name. */
  override readonly name = "DebugProgramUnavailable";
}

async function sha256Hex(parts: readonly (string | Uint8Array)[]): Promise<string> {
  const enc = new TextEncoder();
  const bytes = parts.map((p) => typeof p === "string" ? enc.encode(p + "\0") : p);
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let off = 0;
  for (const b of bytes) {
    all.set(b, off);
    off += b.length;
  }
  const d = await crypto.subtle.digest("SHA-256", all);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function run(cmd: string, args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DebugProgramUnavailable(
        `'${cmd}' is not installed (packages gcc-aarch64-linux-gnu, libc6-dev-arm64-cross)`,
      );
    }
    throw e;
  }
  const dec = new TextDecoder();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${dec.decode(out.stderr).slice(-3000)}`);
  }
  return dec.decode(out.stdout);
}

/** Build (or find cached) the static aarch64 `ptrace_debug`; returns its path. */
export async function buildPtraceDebug(cache: string = cacheRoot()): Promise<string> {
  const version = await run(DEBUG_PROGRAM_CC, ["--version"]);
  const source = await Deno.readFile(PTRACE_DEBUG_SOURCE);
  const hash = (await sha256Hex([version, source])).slice(0, 16);
  const dir = `${cache}/e2e-programs/${hash}`;
  const program = `${dir}/ptrace_debug`;
  try {
    await Deno.lstat(program);
    return program;
  } catch {
    // not built yet
  }
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${program}.${Deno.pid}.tmp`;
  await run(DEBUG_PROGRAM_CC, [
    "-static",
    "-O1",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-o",
    tmp,
    PTRACE_DEBUG_SOURCE,
  ]);
  await Deno.rename(tmp, program);
  return program;
}

/**
 * Write an initramfs with busybox, `ptrace_debug` and {@link DEBUG_INIT}
 * into `dir` (a temporary folder of the caller); returns the kernel of the
 * cached images and the initramfs path, or null when no images are cached.
 */
export async function debugImages(
  dir: string,
  cache: string = cacheRoot(),
): Promise<{ kernel: string; initrd: string } | null> {
  const images = await findCachedImages(cache);
  if (images === null) return null;
  const program = await buildPtraceDebug(cache);
  const initrd = `${dir}/initramfs-debug.cpio.gz`;
  await Deno.writeFile(
    initrd,
    await buildInitramfs({
      busybox: await Deno.readFile(`${images.dir}/busybox`),
      init: DEBUG_INIT,
      kernelRelease: images.manifest.kernelRelease,
      files: [{ path: PTRACE_DEBUG_PATH, data: await Deno.readFile(program), mode: 0o755 }],
    }),
  );
  return { kernel: `${images.dir}/Image`, initrd };
}
