/**
 * Test helper: decompile a blob with the system `dtc` and report its output
 * and warnings. Tests that need it skip (with a message naming the missing
 * tool) when `dtc` is not installed.
 *
 * @module
 */

/** Result of one `dtc -I dtb -O dts` run. */
export interface DtcResult {
  readonly dts: string;
  readonly warnings: string;
  readonly ok: boolean;
}

let available: boolean | undefined;

/** Whether `dtc` can be run here. */
export async function dtcAvailable(): Promise<boolean> {
  if (available === undefined) {
    try {
      const out = await new Deno.Command("dtc", {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      })
        .output();
      available = out.success;
    } catch {
      available = false;
    }
  }
  if (!available) {
    console.log(
      "dtc not found: skipping devicetree-compiler checks (apt-get install device-tree-compiler)",
    );
  }
  return available;
}

/** Decompile `blob` with `dtc -I dtb -O dts` (all checks on). */
export async function runDtc(blob: Uint8Array): Promise<DtcResult> {
  const child = new Deno.Command("dtc", {
    args: ["-I", "dtb", "-O", "dts", "-o", "-", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(blob);
  await writer.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return { dts: dec.decode(out.stdout), warnings: dec.decode(out.stderr), ok: out.success };
}
