/**
 * `gunyah boot --deterministic --no-dashboard` as a child process, the way a
 * person runs it: the Linux e2e tests that check what the command line does
 * (its console script, its exit status, byte-identical output) share this.
 *
 * @module
 */

const MAIN = new URL(import.meta.resolve("@gunyah-ts/cli/main")).pathname;

/** How a boot ended. */
export interface BootRun {
  /** The command's exit status. */
  readonly code: number;
  /** Everything it printed on stdout (the guest console). */
  readonly output: string;
}

/**
 * Run `gunyah boot --deterministic --no-dashboard --kernel K --initrd I` with
 * `args` after them; killed after `timeoutMs` (the suite's budget, not a
 * performance target). Its stderr (boot progress) goes to the test's.
 */
export async function bootProcess(
  images: { readonly kernel: string; readonly initrd: string },
  args: readonly string[],
  timeoutMs: number,
): Promise<BootRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      MAIN,
      "boot",
      "--deterministic",
      "--no-dashboard",
      "--kernel",
      images.kernel,
      "--initrd",
      images.initrd,
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  return { code: out.code, output: new TextDecoder().decode(out.stdout) };
}
