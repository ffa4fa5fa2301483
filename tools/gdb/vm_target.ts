/**
 * A launched VM as a {@link GdbTarget}: the hypervisor's host debugging of
 * the VM (core `HostDebugger`: all-stop, host breakpoints and watchpoints,
 * memory through a vCPU's stage-1 view), the architecture's GDB registers
 * and target description (`ArchVcpu.debug`), the VM's end as an exit, and
 * `monitor` commands from the system's status snapshot.
 *
 * @module
 */
import { type HostDebugSession, SchedulerBlock } from "@gunyah-ts/core";
import type { HostWatchpoint } from "@gunyah-ts/core/plugin";
import type { GunyahSystem, VmInstance } from "@gunyah-ts/system";
import { runMonitorCommand } from "./monitor.ts";
import type { GdbStop, GdbTarget, GdbThreadInfo, VcpuResume } from "./target.ts";

/** The VM cannot be debugged (its architecture offers no host debugging). */
export class GdbTargetError extends Error {
  /** Error name. */
  override readonly name = "GdbTargetError";
}

/** A VM's debug target. */
export interface VmGdbTarget extends GdbTarget {
  /**
   * Stop the VM now, before a debugger is attached (`--wait-gdb`: before
   * its first instruction); the first client finds it stopped.
   */
  holdForDebugger(): void;
}

/** The debug target of `vm` on `system`. Throws {@link GdbTargetError} if its vCPUs offer no debugging. */
export function vmDebugTarget(system: GunyahSystem, vm: VmInstance): VmGdbTarget {
  return new VmDebugTarget(system, vm);
}

class VmDebugTarget implements VmGdbTarget {
  readonly targetXml: string;
  readonly #system: GunyahSystem;
  readonly #vm: VmInstance;
  #session: HostDebugSession | null = null;
  /** Whether a client is attached (a held session may have none yet). */
  #client = false;
  #onStop: (stop: GdbStop) => void = () => {};
  #ended: { code: number } | { fault: true } | null = null;

  constructor(system: GunyahSystem, vm: VmInstance) {
    this.#system = system;
    this.#vm = vm;
    const dbg = vm.vcpus.map((t) => t.arch?.debug).find((d) => d !== undefined);
    if (dbg === undefined) {
      throw new GdbTargetError(
        `VM '${vm.name}': the ${system.arch.name} architecture plugin offers no host ` +
          "debugging (ArchVcpu.debug), so GDB cannot attach",
      );
    }
    this.targetXml = dbg.targetXml;
    vm.ended.then((end) => {
      if (end.kind === "fault") {
        this.#ended = { fault: true };
        const s = this.#session;
        if (s === null) return;
        const faulted = s.vcpus.findIndex((t) => t?.isBlocked(SchedulerBlock.VCPU_FAULT));
        this.#stopQuietly(s);
        this.#onStop({ kind: "fault", vcpu: faulted < 0 ? 0 : faulted });
        return;
      }
      this.#ended = { code: end.kind === "system_off" || end.kind === "stopped" ? 0 : 1 };
      this.#onStop({ kind: "exited", code: this.#ended.code });
    });
  }

  /** Stop the VM without reporting an interrupt (a fault is reported instead). */
  #stopQuietly(s: HostDebugSession): void {
    const report = this.#onStop;
    this.#onStop = () => {};
    s.stop();
    this.#onStop = report;
  }

  #attached(): HostDebugSession {
    const s = this.#session;
    if (s === null) throw new Error("gdb target: not attached");
    return s;
  }

  threads(): readonly GdbThreadInfo[] {
    const out: GdbThreadInfo[] = [];
    this.#vm.vcpus.forEach((t, i) => {
      if (t !== undefined) out.push({ vcpu: i, name: `${this.#vm.name} vcpu${i}` });
    });
    return out;
  }

  holdForDebugger(): void {
    if (this.#session === null) this.#session = this.#attachCore();
    this.#stopQuietly(this.#session);
  }

  #attachCore(): HostDebugSession {
    const hv = this.#system.hv;
    return hv.debug.attach(hv.vmOf(this.#vm.vcpus[0]), (stop) => this.#onStop(stop));
  }

  attach(onStop: (stop: GdbStop) => void): void {
    if (this.#client) throw new Error("gdb target: already attached");
    this.#client = true;
    this.#onStop = onStop;
    // A session held for the debugger (--wait-gdb) is adopted as it is: stopped.
    if (this.#session === null) this.#session = this.#attachCore();
  }

  detach(): void {
    this.#session?.detach();
    this.#session = null;
    this.#client = false;
    this.#onStop = () => {};
    this.#system.hv.wake();
  }

  get stopped(): boolean {
    return this.#session?.stopped ?? false;
  }

  stop(): void {
    const ended = this.#ended;
    // A VM that is gone is not held (that would stop the machine for nothing): it exited.
    if (ended !== null && !("fault" in ended)) this.#onStop({ kind: "exited", code: ended.code });
    else this.#attached().stop();
  }

  resume(how: (vcpu: number) => VcpuResume): boolean {
    if (this.#ended !== null && !("fault" in this.#ended)) return false;
    return this.#attached().resume(how);
  }

  readRegister(vcpu: number, n: number): bigint | null {
    return this.#attached().debugOf(vcpu)?.readRegister(n) ?? null;
  }

  writeRegister(vcpu: number, n: number, value: bigint): boolean {
    return this.#attached().debugOf(vcpu)?.writeRegister(n, value) ?? false;
  }

  readMemory(vcpu: number, address: bigint, length: number): Uint8Array {
    return this.#attached().readMemory(vcpu, address, length);
  }

  writeMemory(vcpu: number, address: bigint, data: Uint8Array): boolean {
    return this.#attached().writeMemory(vcpu, address, data);
  }

  setBreakpoints(vas: readonly bigint[]): void {
    this.#attached().setBreakpoints(vas);
  }

  setWatchpoints(list: readonly HostWatchpoint[]): void {
    this.#attached().setWatchpoints(list);
  }

  monitor(command: string): string {
    return runMonitorCommand(command, () => this.#system.status());
  }
}
