/**
 * Running one batch of fuzz sequences on both machines: build the guest from
 * the template, run it under QEMU and under gunyah-ts, and return both
 * transcripts split into lines (one per sequence, then "[guest done]").
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildGuest } from "../../guests/build.ts";
import { BUILD_DIR, DEFAULT_QEMU_CPU } from "../../guests/catalogue.ts";
import { runGunyah } from "../gunyah.ts";
import { runQemu } from "../qemu.ts";
import type { Sequence } from "./generator.ts";
import { guestSource } from "./template.ts";

/** Where generated fuzz guests and their outputs go (inside the gitignored build directory). */
export const FUZZ_BUILD_DIR: string = join(BUILD_DIR, "fuzz");
const SUPPORT_C: string = fileURLToPath(new URL("./guest/fuzz_support.c", import.meta.url));

/** Both transcripts of one batch. */
export interface BatchRun {
  /** QEMU's lines. */
  readonly qemu: readonly string[];
  /** gunyah-ts's lines. */
  readonly gunyah: readonly string[];
  /** Why gunyah-ts stopped, if not by SYSTEM_OFF (else ""). */
  readonly gunyahNote: string;
}

/** Runs a batch: `full` selects full register reports instead of digests. */
export type BatchRunner = (
  name: string,
  sequences: readonly Sequence[],
  seeds: readonly (readonly bigint[])[],
  fp: boolean,
  full: boolean,
) => Promise<BatchRun>;

/** The real runner: cross-compile, then QEMU and gunyah-ts side by side. */
export const qemuVsGunyah: BatchRunner = async (
  name: string,
  sequences: readonly Sequence[],
  seeds: readonly (readonly bigint[])[],
  fp: boolean,
  full: boolean,
): Promise<BatchRun> => {
  Deno.mkdirSync(FUZZ_BUILD_DIR, { recursive: true });
  const src = join(FUZZ_BUILD_DIR, `${name}.S`);
  Deno.writeTextFileSync(src, guestSource(sequences, seeds, fp, full));
  const built = await buildGuest(
    { name, sources: [src, SUPPORT_C], fp, qemuCpu: DEFAULT_QEMU_CPU, smp: 1 },
    FUZZ_BUILD_DIR,
  );
  const qemuPromise = runQemu(built.elf, { timeoutMs: 300_000 });
  const g = await runGunyah(built.elf, { maxInstructions: 4e9 });
  const q = await qemuPromise;
  if (!q.exited) throw new Error(`QEMU did not finish fuzz batch ${name} (timeout)`);
  Deno.writeTextFileSync(join(FUZZ_BUILD_DIR, `${name}.qemu.out`), q.output);
  Deno.writeTextFileSync(join(FUZZ_BUILD_DIR, `${name}.gunyah.out`), g.output);
  const note = g.reason === "system-off" ? "" : `gunyah-ts stopped: ${g.reason} ${g.message}`;
  return { qemu: q.output.split("\n"), gunyah: g.output.split("\n"), gunyahNote: note };
};
