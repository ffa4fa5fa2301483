/**
 * Building the bare-metal RM test guests of rm/testdata (they run only under
 * gunyah-ts, so they are not tests/guests): the cross toolchain, the flags
 * every one of them is compiled with, and a flat-binary build. A missing tool
 * makes a build answer `null`, so the tests that need it are skipped.
 *
 * @module
 */
import { GunyahSystem, type VmInstance } from "@gunyah-ts/system";

/** The AArch64 cross compiler (Debian gcc-aarch64-linux-gnu). */
export const CC = "aarch64-linux-gnu-gcc";
/** The AArch64 objcopy (Debian binutils-aarch64-linux-gnu). */
export const OBJCOPY = "aarch64-linux-gnu-objcopy";

/** Freestanding, no FP/SIMD, no unaligned accesses: code that runs with the MMU off. */
export const RM_GUEST_CFLAGS: readonly string[] = [
  "-O2",
  "-ffreestanding",
  "-nostdlib",
  "-static",
  "-fno-pic",
  "-mgeneral-regs-only",
  "-mstrict-align",
  "-Wl,--no-warn-rwx-segments",
];

/** The linker script the guests share (entry at the RAM base of QEMU virt). */
export const GUEST_LINK_SCRIPT: string = new URL("./link.ld", import.meta.url).pathname;

/**
 * Run `cmd args`: true when it succeeded, false when `cmd` is not installed;
 * a failure throws with the tool's own message.
 */
export async function run(cmd: string, args: readonly string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args: [...args], stdout: "null", stderr: "piped" })
      .output();
    if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Compile and link `sources` (start code first) with {@link RM_GUEST_CFLAGS} and
 * the shared link script, then strip to a flat binary; null without the
 * cross toolchain.
 */
export async function buildFlatGuest(
  name: string,
  sources: readonly string[],
): Promise<Uint8Array | null> {
  const dir = await Deno.makeTempDir({ prefix: `${name}-` });
  try {
    const elf = `${dir}/${name}.elf`;
    const bin = `${dir}/${name}.bin`;
    const built = await run(CC, [
      ...RM_GUEST_CFLAGS,
      "-T",
      GUEST_LINK_SCRIPT,
      ...sources,
      "-o",
      elf,
    ]);
    if (!built || !(await run(OBJCOPY, ["-O", "binary", elf, bin]))) return null;
    return await Deno.readFile(bin);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** What a guest run as the only (primary) VM of a fresh system left behind. */
export interface PrimaryRun {
  readonly system: GunyahSystem;
  /** Everything the guest printed on its console. */
  readonly out: string;
  /** How the VM ended. */
  readonly end: Awaited<VmInstance["ended"]>;
}

/**
 * Boot `image` as the primary VM (1 vCPU, 32 MiB) of a new system, run until
 * the VM ends, and return its console output and end.
 */
export async function runAsPrimary(image: Uint8Array): Promise<PrimaryRun> {
  const system = await GunyahSystem.create({ ramBytes: 32 << 20 });
  const vm = system.launch({
    name: "primary",
    memory: 32 << 20,
    vcpus: 1,
    kernel: image,
    bootargs: "",
  });
  let out = "";
  vm.console.onOutput((b) => (out += new TextDecoder().decode(b)));
  const running = system.hv.run({ untilIdle: true });
  const end = await vm.ended;
  system.hv.stop();
  await running;
  return { system, out, end };
}
