/**
 * What the GDB stub debugs: one VM, its vCPUs as GDB threads. The protocol
 * engine (session.ts) speaks only to this interface; vm_target.ts implements
 * it over the hypervisor's host debugging (core/hypervisor/host_debug.ts),
 * and the unit tests over a scripted double.
 *
 * @module
 */
import type { HostDebugStop, VcpuResume } from "@gunyah-ts/core";
import type { HostWatchpoint } from "@gunyah-ts/core/plugin";

export type { HostDebugStop, VcpuResume };

/** A stop as the debugger is told of it. */
export type GdbStop =
  | HostDebugStop
  /** The VM ended (PSCI SYSTEM_OFF: code 0; SYSTEM_RESET: 1). */
  | { readonly kind: "exited"; readonly code: number }
  /** A vCPU faulted (the VM is stopped; reported as SIGSEGV). */
  | { readonly kind: "fault"; readonly vcpu: number };

/** One vCPU as a GDB thread. */
export interface GdbThreadInfo {
  /** Index of the vCPU in its VM (the GDB thread id is index + 1). */
  readonly vcpu: number;
  /** Its name in `info threads`. */
  readonly name: string;
}

/** The debugged VM. */
export interface GdbTarget {
  /** The target description (`qXfer:features:read:target.xml`). */
  readonly targetXml: string;
  /** The vCPUs that exist now, by index. */
  threads(): readonly GdbThreadInfo[];
  /** Begin a debugging session: `onStop` hears every stop until {@link detach}. */
  attach(onStop: (stop: GdbStop) => void): void;
  /** End the session: breakpoints and watchpoints cleared, the VM resumes. */
  detach(): void;
  /** Whether the VM is stopped. */
  readonly stopped: boolean;
  /** Stop the VM (the stop is reported to `onStop` as "interrupt"); nothing if stopped. */
  stop(): void;
  /** Resume the stopped VM, each vCPU as `how` says; false if nothing would run. */
  resume(how: (vcpu: number) => VcpuResume): boolean;
  /** A register by GDB number, or null (no such register or vCPU). */
  readRegister(vcpu: number, n: number): bigint | null;
  /** Write a register by GDB number; false if there is none. */
  writeRegister(vcpu: number, n: number, value: bigint): boolean;
  /**
   * Read guest virtual memory through the vCPU's stage-1 view: the bytes
   * from `address` up to the first that does not translate or is not RAM
   * (possibly none).
   */
  readMemory(vcpu: number, address: bigint, length: number): Uint8Array;
  /** Write guest virtual memory; false (nothing written) if any byte is not writable RAM. */
  writeMemory(vcpu: number, address: bigint, data: Uint8Array): boolean;
  /** The host breakpoints of every vCPU. */
  setBreakpoints(vas: readonly bigint[]): void;
  /** The host watchpoints of every vCPU. */
  setWatchpoints(list: readonly HostWatchpoint[]): void;
  /** Answer a `monitor` command (text, lines ending in a newline). */
  monitor(command: string): string;
}
