/**
 * Test support: QEMU as the reference machine of the instruction
 * differential tests (the `qemu_*diff_test.ts` files under `isa/`).
 *
 * A bare-metal guest, given as GNU assembler text, is assembled and linked
 * with the cross binutils, then run under `qemu-system-aarch64 -M virt -cpu
 * cortex-a57`, which loads the ELF by `-kernel` and enters it at EL1 with the
 * MMU off (no EL2/EL3 firmware, so PSCI is served through HVC). The guest
 * prints its results on the PL011 as one 64-bit value per line, 16 lowercase
 * hex digits (the print routine of `test_qemu_guest.ts`), and
 * {@link runReferenceGuest} returns those values in order.
 *
 * @module
 */
import {
  QEMU_HEADLESS_ARGS,
  QEMU_SYSTEM_AARCH64,
  VIRT_MEM_BASE,
} from "@gunyah-ts/platform-qemu-virt";

export { QEMU_SYSTEM_AARCH64 };
/** The AArch64 cross assembler (Debian package binutils-aarch64-linux-gnu). */
export const CROSS_AS = "aarch64-linux-gnu-as";
/** The AArch64 cross linker (Debian package binutils-aarch64-linux-gnu). */
export const CROSS_LD = "aarch64-linux-gnu-ld";

/** Each tool a reference run needs, with the Debian package that installs it. */
const REFERENCE_TOOLS: readonly { readonly tool: string; readonly debian: string }[] = [
  { tool: QEMU_SYSTEM_AARCH64, debian: "qemu-system-arm" },
  { tool: CROSS_AS, debian: "binutils-aarch64-linux-gnu" },
  { tool: CROSS_LD, debian: "binutils-aarch64-linux-gnu" },
];

/**
 * The reference machine: QEMU `virt` (GICv2 by default, which these guests
 * never touch) with a Cortex-A57 (Armv8.0-A, the CPU model every QEMU
 * comparison in this project uses, see docs/ARCHITECTURE.md), 128 MiB of RAM at
 * {@link VIRT_MEM_BASE}, nothing but the board's own devices and the
 * PL011 on stdio ({@link QEMU_HEADLESS_ARGS}). The guest follows
 * as `-kernel <elf>`.
 */
export const REFERENCE_MACHINE_ARGS: readonly string[] = [
  "-M",
  "virt",
  "-cpu",
  "cortex-a57",
  "-m",
  "128",
  ...QEMU_HEADLESS_ARGS,
];

/**
 * Where a guest's `.text` is linked: 512 KiB into QEMU virt's RAM (the Linux
 * arm64 image offset), leaving the start of RAM to QEMU's boot data.
 */
export const GUEST_TEXT_BASE: number = VIRT_MEM_BASE + 0x80000;

/** A console line carrying one result: exactly 16 lowercase hex digits. */
const QUAD_LINE = /^[0-9a-f]{16}$/;

/** Memo of {@link missingReferenceTools}. */
let missingTools: string | null | undefined;

/** Whether `tool --version` runs. */
function runs(tool: string): boolean {
  try {
    return new Deno.Command(tool, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/**
 * `null` when QEMU and the cross binutils are installed; otherwise a message
 * naming the missing tools and the Debian packages that provide them. Checked
 * once per process. Differential tests pass `missingReferenceTools() !== null`
 * as their `ignore` flag, so they are skipped (not failed) on a bare host.
 */
export function missingReferenceTools(): string | null {
  if (missingTools === undefined) {
    const absent = REFERENCE_TOOLS.filter((t) => !runs(t.tool));
    missingTools = absent.length === 0
      ? null
      : `QEMU reference tests need ${
        absent.map((t) => `${t.tool} (Debian ${t.debian})`).join(", ")
      }; install with apt-get or tools/setup.sh`;
    if (missingTools !== null) console.warn(`skipping: ${missingTools}`);
  }
  return missingTools;
}

/** How to link and run one reference guest. */
export interface ReferenceRunOptions {
  /** Wall-clock limit for QEMU, in seconds; a guest still running then is an error. */
  readonly timeoutSeconds: number;
  /**
   * Start addresses of further output sections, by section name (the
   * linker's `--section-start`), e.g. `{ ".data": 0x40200000 }`.
   */
  readonly sectionStarts?: Readonly<Record<string, number>>;
}

/** Run `cmd args` to completion; throws quoting its stderr if it fails. */
function runTool(cmd: string, args: readonly string[]): void {
  const r = new Deno.Command(cmd, { args: [...args], stdout: "piped", stderr: "piped" })
    .outputSync();
  if (!r.success) {
    throw new Error(`${cmd} failed (exit ${r.code}): ${new TextDecoder().decode(r.stderr)}`);
  }
}

/** Run QEMU on `elf`, killing it after `timeoutSeconds`; its console output. */
async function runQemu(elf: string, timeoutSeconds: number): Promise<string> {
  const child = new Deno.Command(QEMU_SYSTEM_AARCH64, {
    args: [...REFERENCE_MACHINE_ARGS, "-kernel", elf],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
      timedOut = true;
    } catch { /* it exited just now: not a timeout */ }
  }, timeoutSeconds * 1000);
  const out = await child.output();
  clearTimeout(timer);
  if (timedOut) {
    throw new Error(
      `${QEMU_SYSTEM_AARCH64} did not power off within ${timeoutSeconds} s ` +
        "(the guest ends with PSCI SYSTEM_OFF; did it fault or loop?)",
    );
  }
  if (!out.success) {
    throw new Error(
      `${QEMU_SYSTEM_AARCH64} failed (exit ${out.code}): ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * The 64-bit values in a guest's console output: every line that is exactly
 * 16 lowercase hex digits, in order (QEMU's own messages and anything else
 * are ignored).
 */
export function consoleQuads(output: string): bigint[] {
  const quads: bigint[] = [];
  for (const line of output.split(/\r?\n/)) {
    if (QUAD_LINE.test(line)) quads.push(BigInt("0x" + line));
  }
  return quads;
}

/**
 * Assemble and link `source` (entry `_start`, `.text` at
 * {@link GUEST_TEXT_BASE}) in a temporary directory, run it on the reference
 * machine and return the values it printed ({@link consoleQuads}). Throws
 * with the tool's message when assembling, linking or QEMU fails, or when the
 * guest does not power off in time.
 */
export async function runReferenceGuest(
  source: string,
  options: ReferenceRunOptions,
): Promise<bigint[]> {
  const dir = Deno.makeTempDirSync({ prefix: "qemu_ref_" });
  try {
    Deno.writeTextFileSync(`${dir}/guest.s`, source);
    runTool(CROSS_AS, ["-o", `${dir}/guest.o`, `${dir}/guest.s`]);
    const sections = Object.entries(options.sectionStarts ?? {}).map(([name, at]) =>
      `--section-start=${name}=0x${at.toString(16)}`
    );
    runTool(CROSS_LD, [
      `-Ttext=0x${GUEST_TEXT_BASE.toString(16)}`,
      ...sections,
      "-o",
      `${dir}/guest.elf`,
      `${dir}/guest.o`,
    ]);
    return consoleQuads(await runQemu(`${dir}/guest.elf`, options.timeoutSeconds));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
