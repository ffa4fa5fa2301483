/**
 * The catalogue of test guests: every `src/<name>.c` or `src/<name>.S` is one
 * guest. A guest declares build options in `@guest` comment lines near its
 * top:
 *
 * - `@guest fp` — compiled without `-mgeneral-regs-only` (it tests FP/AdvSIMD).
 * - `@guest qemu-cpu=<model>` — the QEMU reference runs with `-cpu <model>`
 *   instead of `cortex-a57`, for a feature the Cortex-A57 lacks (the 16 KiB
 *   granule: ID_AA64MMFR0_EL1.TGran16 = 0 on that core). Such a guest prints
 *   nothing that depends on the CPU model.
 * - `@guest smp=<n>` — the machine has n vCPUs (QEMU `-smp n`); the guest
 *   starts the secondaries with PSCI CPU_ON at `rt_secondary_entry`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of tests/guests/. */
export const GUESTS_DIR: string = fileURLToPath(new URL(".", import.meta.url));
/** Guest program sources. */
export const SOURCE_DIR: string = join(GUESTS_DIR, "src");
/** The runtime every guest links with. */
export const RUNTIME_DIR: string = join(GUESTS_DIR, "runtime");
/** Build outputs (gitignored). */
export const BUILD_DIR: string = join(GUESTS_DIR, "build");
/** The linker script. */
export const LINKER_SCRIPT: string = join(GUESTS_DIR, "guest.ld");

/** One guest program and its build options. */
export interface GuestSpec {
  /** File stem, e.g. "int_addsub". */
  readonly name: string;
  /** Absolute paths of its own sources (the runtime is added by the builder). */
  readonly sources: readonly string[];
  /** Whether FP/AdvSIMD code generation is allowed. */
  readonly fp: boolean;
  /** The QEMU CPU model of the reference run. */
  readonly qemuCpu: string;
  /** Number of vCPUs of the machine (default 1). */
  readonly smp: number;
}

/** The reference CPU model (QEMU `-cpu`). */
export const DEFAULT_QEMU_CPU = "cortex-a57";

/** Parse the `@guest` directives of one source text. */
export function parseDirectives(text: string): { fp: boolean; qemuCpu: string; smp: number } {
  let fp = false;
  let qemuCpu = DEFAULT_QEMU_CPU;
  let smp = 1;
  for (const line of text.split("\n").slice(0, 20)) {
    const m = line.match(/@guest\s+(.+)$/);
    if (!m) continue;
    for (const word of m[1].trim().split(/\s+/)) {
      if (word === "fp") fp = true;
      else if (word.startsWith("qemu-cpu=")) qemuCpu = word.slice("qemu-cpu=".length);
      else if (/^smp=[1-8]$/.test(word)) smp = Number(word.slice(4));
      else if (word !== "*/") throw new Error(`unknown @guest directive "${word}" in: ${line}`);
    }
  }
  return { fp, qemuCpu, smp };
}

/** List all guests in src/, sorted by name. */
export function listGuests(): GuestSpec[] {
  const guests: GuestSpec[] = [];
  for (const entry of Deno.readDirSync(SOURCE_DIR)) {
    const m = entry.name.match(/^(.+)\.(c|S)$/);
    if (!entry.isFile || !m) continue;
    const path = join(SOURCE_DIR, entry.name);
    const { fp, qemuCpu, smp } = parseDirectives(Deno.readTextFileSync(path));
    guests.push({ name: m[1], sources: [path], fp, qemuCpu, smp });
  }
  return guests.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The runtime's source files (C and assembly), sorted. */
export function runtimeSources(): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(RUNTIME_DIR)) {
    if (entry.isFile && /\.(c|S|h)$/.test(entry.name)) files.push(join(RUNTIME_DIR, entry.name));
  }
  return files.sort();
}
