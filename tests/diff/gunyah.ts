/**
 * Runs a test guest ELF under gunyah-ts: the same binary QEMU runs, on the
 * single-VM machine of ./machine/ (the arch plugin's vCPU and GICv3, the
 * qemu-virt PL011/PL031, PSCI over HVC).
 *
 * @module
 */
import type { ArchPlugin } from "@gunyah-ts/core/plugin";
import { DiffMachine, type MachineRun } from "./machine/machine.ts";

/** Options of {@link runGunyah}. */
export interface GunyahRunOptions {
  /** Instruction limit (default 500 million): a guest that runs longer is reported, not waited for. */
  readonly maxInstructions?: number;
  /** Receives the vCPUs' diagnostics (unknown encodings, ...). */
  readonly log?: (message: string) => void;
  /** Number of vCPUs (default 1). */
  readonly vcpus?: number;
  /** The arch plugin (e.g. `createAarch64Plugin({ cpuMode })`); default `aarch64Plugin`. */
  readonly arch?: ArchPlugin;
}

/** Load the ELF at `elfPath` (or given as bytes) and run it to SYSTEM_OFF. */
export async function runGunyah(
  elf: string | Uint8Array,
  opts: GunyahRunOptions = {},
): Promise<MachineRun> {
  const bytes = typeof elf === "string" ? await Deno.readFile(elf) : elf;
  const machine = new DiffMachine({
    maxInstructions: opts.maxInstructions ?? 500_000_000,
    vcpus: opts.vcpus,
    log: opts.log,
    arch: opts.arch,
  });
  machine.loadElf(bytes);
  return machine.run();
}
