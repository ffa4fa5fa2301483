/**
 * What the hypervisor does with a vCPU's exit — the only way the CPU talks
 * to the core: HVC/SMC → the hypercall dispatcher (registers X0..X7 in and
 * out); WFI → block `vcpu_wfi` unless an interrupt is pending (the arch's
 * `wake` callback or a passed timer deadline unblocks); MMIO that must leave
 * the vCPU → block `addrspace_vmmio_access` (reported by `vcpu_run` for
 * proxy-scheduled vCPUs; for others a `vcpu.vmmio` event asks a device to
 * call `Hypervisor.completeVmmioAccess`); fault / unhandled system-register
 * trap → block `vcpu_fault`; WFE → `scheduler_yield`.
 *
 * @module
 */
import type { EventBus } from "../events.ts";
import type { HypercallContext } from "../hypercall/context.ts";
import type { HypercallDispatcher } from "../hypercall/smccc.ts";
import type { Thread } from "../object/thread/thread.ts";
import { ThreadState } from "../object/thread/thread_types.ts";
import { type ArchVcpu, ExitKind, RegisterSet } from "../plugin/contracts.ts";
import type { FprrScheduler } from "../sched/fprr.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";
import type { VirtualClock } from "../time/virtual_clock.ts";
import type { HypervisorEvents } from "./events.ts";
import type { HostDebugger } from "./host_debug.ts";

const EXIT_NAMES = ["budget", "hvc", "smc", "wfi", "mmio", "fault", "sysreg", "wfe", "debug"];

/** What exit handling needs from the hypervisor. */
export interface ExitDeps {
  readonly clock: VirtualClock;
  readonly scheduler: FprrScheduler<Thread>;
  readonly events: EventBus<HypervisorEvents>;
  readonly dispatcher: HypercallDispatcher;
  /** The caller context of a vCPU. */
  contextOf(thread: Thread): HypercallContext;
  /** The run loop's current CPU, saved and restored around a hypercall (a nested vcpu_run moves it). */
  currentCpu: { cpu: number };
  /** Host debugger sessions (a GDB stub): {@link ExitKind.Debug} and the end of a single step. */
  readonly debug: HostDebugger;
  log(message: string): void;
}

/** Handles the exits of every vCPU of one hypervisor. */
export class ExitHandler {
  readonly #d: ExitDeps;
  readonly #regs = new BigUint64Array(8);

  /** Exit handling over `deps`. */
  constructor(deps: ExitDeps) {
    this.#d = deps;
  }

  /** Handle the exit `kind` of `t`, which ran on `cpu` (-1: inside a native vcpu_run). */
  handle(cpu: number, t: Thread, kind: ExitKind, retired: number): void {
    const d = this.#d;
    const arch = t.arch!;
    if (kind !== ExitKind.Budget && d.events.has("vcpu.exit")) {
      d.events.emit("vcpu.exit", {
        time: d.clock.now,
        cpu,
        thread: t.describeName(),
        kind: EXIT_NAMES[kind] ?? String(kind),
        retired,
      });
    }
    // A single-stepping vCPU that left for anything else retired its one
    // instruction (or took an exception): once the exit is handled, the step is over.
    if (kind !== ExitKind.Debug && kind !== ExitKind.Budget && arch.debug?.singleStep) {
      this.#handle(cpu, t, arch, kind);
      if (arch.retired > 0 || kind === ExitKind.Fault) d.debug.stepEnded(t);
      return;
    }
    this.#handle(cpu, t, arch, kind);
  }

  #handle(cpu: number, t: Thread, arch: ArchVcpu, kind: ExitKind): void {
    const d = this.#d;
    switch (kind) {
      case ExitKind.Budget:
        return;
      case ExitKind.Debug:
        d.debug.debugExit(t);
        return;
      case ExitKind.Hvc:
      case ExitKind.Smc:
        this.#hypercall(t, arch, kind, arch.exit.imm);
        return;
      case ExitKind.Wfi:
        if (!arch.hasPendingInterrupt()) t.block(SchedulerBlock.VCPU_WFI);
        return;
      case ExitKind.Wfe:
        if (cpu >= 0) d.scheduler.yield(cpu);
        return;
      case ExitKind.Mmio: {
        const e = arch.exit;
        t.pendingVmmio = {
          ipa: e.ipa,
          size: e.size,
          write: e.write,
          valueLo: e.valueLo,
          valueHi: e.valueHi,
        };
        t.block(SchedulerBlock.ADDRSPACE_VMMIO_ACCESS);
        if (!t.vcpuRunEnabled && d.events.has("vcpu.vmmio")) {
          d.events.emit("vcpu.vmmio", {
            time: d.clock.now,
            thread: t.describeName(),
            ipa: e.ipa,
            size: e.size,
            write: e.write,
          });
        }
        return;
      }
      case ExitKind.Fault:
        t.fault(arch.exit.message || "vCPU fault");
        return;
      case ExitKind.SysregTrap:
        d.log(
          `${t.describeName()}: unhandled system register trap 0x${arch.exit.imm.toString(16)}`,
        );
        t.fault(`unhandled system register trap 0x${arch.exit.imm.toString(16)}`);
        return;
      default:
        t.fault(`unknown exit kind ${kind}`);
    }
  }

  #hypercall(t: Thread, arch: ArchVcpu, kind: ExitKind, imm: number): void {
    const d = this.#d;
    const regs = this.#regs;
    for (let i = 0; i < 8; i++) regs[i] = arch.getRegister(RegisterSet.X, i);
    const ctx = d.contextOf(t);
    const savedCpu = d.currentCpu.cpu;
    if (kind === ExitKind.Hvc) d.dispatcher.dispatchHvc(ctx, imm, regs);
    else d.dispatcher.dispatchSmc(ctx, imm, regs);
    d.currentCpu.cpu = savedCpu;
    // A call that powered the caller off or reset it leaves its registers alone.
    if (t.isBlocked(SchedulerBlock.VCPU_OFF) || t.threadState !== ThreadState.READY) return;
    for (let i = 0; i < 8; i++) arch.setRegister(RegisterSet.X, i, regs[i]);
  }
}
