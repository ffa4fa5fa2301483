/**
 * The hypervisor as a vCPU thread's host ({@link ThreadHost}): it creates
 * the vCPU's architectural context at activation (its VM's memory, MMIO bus,
 * vGIC and MPIDR), completes its exited MMIO accesses and reports its state
 * changes on the event bus.
 *
 * @module
 */
import { HypError } from "../abi/error.ts";
import type { EventBus } from "../events.ts";
import type { Thread, ThreadChange, ThreadHost } from "../object/thread/thread.ts";
import { vcpuMpidrAffinity } from "../object/vic/vcpu_mpidr.ts";
import type { ArchPlugin, ArchVcpu, InterruptController, Stage2View } from "../plugin/contracts.ts";
import type { FprrScheduler } from "../sched/fprr.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";
import type { VirtualClock } from "../time/virtual_clock.ts";
import type { HypervisorEvents } from "./events.ts";
import type { RunLoop } from "./run_loop.ts";
import { isStage2View } from "./vcpu_user_memory.ts";
import type { VmRegistry } from "./vm_registry.ts";

const EMPTY_STAGE2: Stage2View = { lookup: () => null, generation: 0 };

const NULL_IRQ: InterruptController = {
  spiCount: 0,
  setLine() {},
  pulse() {},
  hasPending: () => false,
};

/** What the vCPU host needs from the hypervisor. */
export interface VcpuHostDeps {
  readonly arch: ArchPlugin;
  readonly scheduler: FprrScheduler<Thread>;
  readonly clock: VirtualClock;
  readonly events: EventBus<HypervisorEvents>;
  readonly vms: VmRegistry;
  readonly loop: RunLoop;
  /** The board's MPIDR affinity of vCPU index `i`. */
  mpidrOf(index: number): number;
  log(message: string): void;
}

/** The {@link ThreadHost} of every vCPU of one hypervisor. */
export class VcpuHost implements ThreadHost {
  readonly #d: VcpuHostDeps;
  /** The scheduler of the physical CPUs (ThreadHost). */
  readonly scheduler: FprrScheduler<Thread>;

  /** A host over `deps`. */
  constructor(deps: VcpuHostDeps) {
    this.#d = deps;
    this.scheduler = deps.scheduler;
  }

  /** Creates the vCPU's {@link ArchVcpu} at activation. */
  createArchVcpu(thread: Thread): ArchVcpu | HypError {
    const d = this.#d;
    const vm = d.vms.vmOf(thread);
    const index = d.vms.indexFor(thread, vm);
    if (index < 0) return HypError.ERROR_OBJECT_CONFIG;
    thread.vcpuIndex = index;
    const irq = d.vms.controllerFor(thread, vm) ?? NULL_IRQ;
    const memory = isStage2View(thread.addrspace) ? thread.addrspace : EMPTY_STAGE2;
    const arch = d.arch.createVcpu({
      index,
      mpidr: vcpuMpidrAffinity(thread.vic, index, (i) => d.mpidrOf(i)),
      memory,
      mmio: vm.bus,
      irq,
      clock: d.clock,
      wake: (i) => d.loop.wakeVcpu(vm, i),
      log: (m) => d.log(`${thread.describeName()}: ${m}`),
    });
    d.vms.enter(thread, vm, index, arch);
    return arch;
  }

  /** Completes a vCPU's exited MMIO access on its VM's bus. */
  completeVmmio(thread: Thread, lo: number, hi: number): void {
    this.#d.vms.vmOf(thread).bus.complete(thread.vcpuIndex, lo, hi);
  }

  /**
   * Complete the pending MMIO access of a vCPU that is not proxy scheduled
   * (an isolated device answering asynchronously): the vCPU resumes and the
   * access completes with `value` (read data; ignored for writes).
   */
  completeVmmioAccess(thread: Thread, value: bigint): void {
    if (thread.pendingVmmio === null) {
      throw new Error(`${thread.describeName()} has no pending MMIO access`);
    }
    const v = BigInt.asUintN(64, value);
    this.completeVmmio(thread, Number(v & 0xffffffffn), Number(v >> 32n));
    thread.pendingVmmio = null;
    thread.unblock(SchedulerBlock.ADDRSPACE_VMMIO_ACCESS);
    this.#d.loop.wake();
  }

  /** Forwards thread changes to the event bus. */
  threadChanged(thread: Thread, change: ThreadChange, detail?: string): void {
    const d = this.#d;
    // A vCPU (re)starting forgets any MMIO access it had left on its bus.
    if (change === "poweron" && thread.vcpuIndex >= 0) {
      d.vms.vmOf(thread).bus.resetVcpu(thread.vcpuIndex);
    }
    // A thread made runnable mid-round by another CPU does not start before that moment.
    // (A migrated thread likewise does not run on its new CPU before it left the old one.)
    if (change === "unblocked" || change === "poweron" || change === "affinity") {
      thread.readySince = d.clock.now;
    }
    if (!d.events.has("thread.state")) return;
    d.events.emit("thread.state", {
      time: d.clock.now,
      thread: thread.describeName(),
      change,
      detail: detail ?? "",
    });
  }
}
