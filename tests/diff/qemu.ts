/**
 * Runs a test guest under QEMU (the reference machine) and captures its
 * console, caching results by (guest binary hash, QEMU version, arguments) in
 * `.cache/qemu/` at the repository root.
 *
 * The machine is `-M virt,gic-version=3 -cpu cortex-a57 -m 128M` (a guest may
 * name another CPU model, see tests/guests/catalogue.ts) with the
 * guest loaded by `-kernel` (QEMU enters the ELF at EL1 with the MMU off and
 * serves PSCI through HVC, as there is no EL2/EL3 firmware). `-icount
 * shift=0` (single-CPU runs) makes virtual time advance one nanosecond per
 * instruction, so timer-dependent guests are deterministic.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MissingToolError } from "../guests/toolchain.ts";
import { QEMU_HEADLESS_ARGS, QEMU_SYSTEM_AARCH64 } from "@gunyah-ts/platform-qemu-virt";

/** The QEMU binary. */
export const QEMU = QEMU_SYSTEM_AARCH64;

/** The machine arguments every differential run uses (the CPU model and `-kernel` follow). */
export const QEMU_MACHINE_ARGS: readonly string[] = [
  "-M",
  "virt,gic-version=3",
  "-m",
  "128M",
  ...QEMU_HEADLESS_ARGS,
];

/**
 * Added for single-CPU runs: virtual time advances one nanosecond per
 * instruction, so timer-dependent guests are deterministic. Not used with
 * `-smp` > 1: QEMU 7.2 in icount mode does not wake a CPU waiting in WFI when
 * another CPU sends it an SGI; SMP guests print only schedule-independent
 * results instead.
 */
export const QEMU_ICOUNT_ARGS: readonly string[] = ["-icount", "shift=0"];

/** Repository root's result cache for QEMU runs (gitignored). */
export const QEMU_CACHE_DIR: string = fileURLToPath(new URL("../../.cache/qemu/", import.meta.url));

/** Result of one guest run under QEMU. */
export interface QemuRun {
  /** Everything the guest wrote to the PL011, decoded as Latin-1 (byte-exact). */
  readonly output: string;
  /** Whether QEMU ended by itself (PSCI SYSTEM_OFF) rather than by the timeout. */
  readonly exited: boolean;
  /** Whether the result came from the cache. */
  readonly cached: boolean;
}

let version: Promise<string> | undefined;

/** QEMU's version line; throws {@link MissingToolError} if QEMU is not installed. */
export function qemuVersion(): Promise<string> {
  version ??= (async () => {
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command(QEMU, { args: ["--version"], stdout: "piped" }).output();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new MissingToolError(
          QEMU,
          "install qemu-system-arm (Debian; tools/setup.sh does this as root)",
        );
      }
      throw e;
    }
    return new TextDecoder().decode(out.stdout).split("\n")[0];
  })();
  return version;
}

/** Whether QEMU is installed. */
export async function haveQemu(): Promise<boolean> {
  try {
    await qemuVersion();
    return true;
  } catch (e) {
    if (e instanceof MissingToolError) return false;
    throw e;
  }
}

/** Decode bytes one-to-one into a string (Latin-1), so no byte is lost or merged. */
export function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

async function cacheKey(elf: Uint8Array, args: readonly string[]): Promise<string> {
  const head = new TextEncoder().encode(`${await qemuVersion()}\n${args.join(" ")}\n`);
  const buf = new Uint8Array(head.length + elf.length);
  buf.set(head);
  buf.set(elf, head.length);
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", buf));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Options for {@link runQemu}. */
export interface QemuOptions {
  /** Wall-clock limit; the run is killed and reported as not exited. Default 30 s. */
  readonly timeoutMs?: number;
  /** Skip the cache (always run). */
  readonly noCache?: boolean;
  /** QEMU `-cpu` model; default `cortex-a57`. */
  readonly cpu?: string;
  /** Number of CPUs (`-smp`); default 1. */
  readonly smp?: number;
}

/** Run the guest ELF at `elfPath` under QEMU and return its console output. */
export async function runQemu(elfPath: string, opts: QemuOptions = {}): Promise<QemuRun> {
  const elf = await Deno.readFile(elfPath);
  const smp = opts.smp ?? 1;
  const machine = [
    ...QEMU_MACHINE_ARGS,
    ...(smp > 1 ? ["-smp", String(smp)] : QEMU_ICOUNT_ARGS),
    "-cpu",
    opts.cpu ?? "cortex-a57",
  ];
  const args = [...machine, "-kernel", elfPath];
  const key = await cacheKey(elf, machine);
  const cacheFile = join(QEMU_CACHE_DIR, `${key}.out`);
  if (!opts.noCache) {
    try {
      return { output: latin1(await Deno.readFile(cacheFile)), exited: true, cached: true };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const child = new Deno.Command(QEMU, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, opts.timeoutMs ?? 30_000);
  const out = await child.output();
  clearTimeout(timer);
  const exited = !timedOut && out.success;
  if (!timedOut && !out.success) {
    throw new Error(
      `${QEMU} failed (exit ${out.code}) on ${elfPath}:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  if (exited && !opts.noCache) {
    Deno.mkdirSync(QEMU_CACHE_DIR, { recursive: true });
    const tmp = `${cacheFile}.${Deno.pid}.tmp`;
    Deno.writeFileSync(tmp, out.stdout);
    Deno.renameSync(tmp, cacheFile);
  }
  return { output: latin1(out.stdout), exited, cached: false };
}
