/**
 * Locating the AArch64 cross toolchain that builds the test guests, with an
 * actionable message when it is missing.
 *
 * @module
 */

/** Thrown when a required host tool is not installed. */
export class MissingToolError extends Error {
  /** The executable that was looked for. */
  readonly tool: string;
  /** `tool` is missing; `hint` says how to install it. */
  constructor(tool: string, hint: string) {
    super(`${tool} not found on PATH: ${hint}`);
    this.name = "MissingToolError";
    this.tool = tool;
  }
}

/** The cross compiler used for every guest (Debian package gcc-aarch64-linux-gnu). */
export const CROSS_GCC = "aarch64-linux-gnu-gcc";
/** The disassembler used to show failing fuzz sequences (binutils-aarch64-linux-gnu). */
export const CROSS_OBJDUMP = "aarch64-linux-gnu-objdump";

const INSTALL_HINT =
  "install gcc-aarch64-linux-gnu and binutils-aarch64-linux-gnu (tools/setup.sh does this as root)";

/** Run `tool args` and return its stdout, or throw {@link MissingToolError} if it is absent. */
export async function runTool(tool: string, args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(tool, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new MissingToolError(tool, INSTALL_HINT);
    throw e;
  }
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr);
    throw new Error(`${tool} ${args.join(" ")} failed (exit ${out.code}):\n${err}`);
  }
  return new TextDecoder().decode(out.stdout);
}

let gccVersion: Promise<string> | undefined;

/** The cross compiler's version line (part of the build cache key). Throws if it is missing. */
export function crossGccVersion(): Promise<string> {
  gccVersion ??= runTool(CROSS_GCC, ["--version"]).then((s) => s.split("\n")[0]);
  return gccVersion;
}

/** Whether the cross compiler is installed (for tests that skip without it). */
export async function haveCrossGcc(): Promise<boolean> {
  try {
    await crossGccVersion();
    return true;
  } catch (e) {
    if (e instanceof MissingToolError) return false;
    throw e;
  }
}
