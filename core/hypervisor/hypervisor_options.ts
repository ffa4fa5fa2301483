/**
 * How a {@link Hypervisor} is configured: its options, their defaults, and
 * what it asks of the board.
 *
 * @module
 */
import type { ArchPlugin, PlatformPlugin } from "../plugin/contracts.ts";
import type { TimePacing } from "./run_loop.ts";

/** Default number of physical CPUs. */
export const DEFAULT_PHYSICAL_CPUS = 2;
/** Default longest round, virtual ns (10 µs: 10 000 instructions at 1 ns each). */
export const DEFAULT_MAX_QUANTUM_NS = 10_000;
/** Default host time between yields to the event loop, ms. */
export const DEFAULT_HOST_SLICE_MS = 10;
/** Capacity of the root cspace (HYP `rootvm_init.c` `MAX_CAPS`). */
export const ROOT_CSPACE_MAX_CAPS = 2048;
/** Options of a {@link Hypervisor}. */
export interface HypervisorOptions {
  /** The architecture plugin (CPU emulator and interrupt controller). */
  readonly arch: ArchPlugin;
  /** Physical CPUs run in lockstep (default 2). */
  readonly cpus?: number;
  /** Virtual ns per retired instruction (default 1). */
  readonly nsPerInstruction?: number;
  /** Physical RAM regions, owned by the root partition (default none). */
  readonly ram?: readonly { readonly base: number; readonly size: number }[];
  /** Seed of the hypervisor's PRNG (CapIDs); the same seed gives the same run. */
  readonly seed?: bigint;
  /** Longest round in virtual ns (default 10 µs). */
  readonly maxQuantumNs?: number;
  /** Host ms between yields to the event loop in {@link Hypervisor.run} (default 10). */
  readonly hostSliceMs?: number;
  /**
   * The board's answers the core needs: where each VM's vGIC frames sit by
   * default, and the MPIDR affinity of the vCPU with index `i` in its VM
   * (what PSCI CPU_ON and the devicetree's cpu nodes name it by). The
   * platform plugin is one.
   */
  readonly board: HypervisorBoard;
  /** Idle time pacing of {@link Hypervisor.run} (default "virtual"). */
  readonly pacing?: TimePacing;
}

/** What the core asks of the board (a {@link PlatformPlugin} answers it). */
export type HypervisorBoard = Pick<PlatformPlugin, "interruptControllerPlacement" | "mpidrOf">;
