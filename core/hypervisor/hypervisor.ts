/**
 * The `Hypervisor`: physical memory, the root partition and root cspace, the
 * hypercall dispatcher, the FPRR scheduler, virtual time, the event bus, the
 * architecture plugin — and the run loop that drives the physical CPUs.
 *
 * ## Run loop (deterministic lockstep)
 *
 * All physical CPUs run on the one host thread, in *rounds*. A round starts
 * at virtual time T (due timers fire first, then WFI-parked vCPUs whose
 * timer deadline passed wake). Its length is the smaller of `maxQuantumNs`
 * and the time to the next deadline (timer queue and every vCPU's
 * `nextDeadline()`), so deadlines fall on round boundaries. Each CPU in
 * index order then runs its current thread from T: for
 * min(round end, end of the thread's timeslice) worth of instructions via
 * `ArchVcpu.run(budget)`, charges the instructions retired (at least one per
 * run, so repeated exits always make progress), handles the exit, reschedules
 * when the scheduler asks, and continues until it reaches the round end or
 * has nothing to run. Virtual time seen by a vCPU is its CPU's local time in
 * the round; exits are handled at their own time, and a thread woken (or
 * migrated) by a CPU that ran earlier in the round starts no earlier than
 * that moment. When no CPU has anything to run, time jumps to the next
 * deadline (or, with `pacing: "realtime"`, no further than host time has
 * advanced). The same inputs therefore always give the same run.
 *
 * Exits: HVC/SMC → the hypercall dispatcher (registers X0..X7 in and out);
 * WFI → block `vcpu_wfi` unless an interrupt is pending (the arch's `wake`
 * callback or a passed timer deadline unblocks); MMIO that must leave the
 * vCPU → block `addrspace_vmmio_access` (reported by `vcpu_run` for
 * proxy-scheduled vCPUs; for others a `vcpu.vmmio` event asks a device to
 * call {@link Hypervisor.completeVmmioAccess}); fault / unhandled system-register trap
 * → block `vcpu_fault`; WFE → `scheduler_yield`.
 *
 * ## Proxy scheduling
 *
 * `vcpu_run` runs the proxy vCPU synchronously inside the call, in the
 * caller's place (a directed yield): from a vCPU, on the caller's CPU for
 * what is left of the caller's round (it returns READY when that runs out or
 * the caller has an interrupt pending, or the proxy calls scheduler_yield);
 * from a thread-less native component, for at most one timeslice of the
 * vCPU, advancing global virtual time by what it ran (no other CPU runs
 * meanwhile). Unlike HYP, the proxy's affinity is not moved to the caller's
 * CPU: it never sits in a run queue, it only runs inside the call.
 *
 * ## Host responsiveness
 *
 * {@link Hypervisor.run} runs rounds for about `hostSliceMs` of host time and
 * then yields to the event loop through a {@link HostYield}: a cheap
 * `setImmediate` turn after every slice and a full `setTimeout(0)` turn (which
 * also polls sockets and stdin, but costs ~2.5 ms) at most every
 * 50 ms (host_yield.ts), so a terminal and an HTTP dashboard
 * stay responsive; when nothing at all can happen it waits
 * for an external kick (a device timer, a component call,
 * {@link Hypervisor.wake}). Measured here (Deno 2.9.6, 10 ms busy slices,
 * tools/bench/event_loop_yield.ts): `setTimeout(0)` after every slice left the
 * CPUs about 80% of host time (local HTTP server ~200 requests/s);
 * `setImmediate` alone ~97% but the HTTP server answered nothing; the mix
 * ~95% with ~100 requests/s. A `MessageChannel` yield starved both a 1 ms
 * interval timer and the HTTP server completely, so it is not used.
 *
 * @module
 */
import { errorFromRegister, HypError } from "../abi/error.ts";
import { GIC_SPI_NUM } from "../abi/gicv3.ts";
import { hypercallInfo } from "../abi/hypercall_numbers.ts";
import { Cspace } from "../cspace/cspace.ts";
import { EventBus } from "../events.ts";
import type { HypercallContext } from "../hypercall/context.ts";
import { HypercallDispatcher } from "../hypercall/smccc.ts";
import { Memdb } from "../memory/memdb.ts";
import { PhysicalMemory } from "../memory/physical_memory.ts";
import { PhysicalUserMemory } from "../memory/physical_user_memory.ts";
import { ObjectFactoryRegistry } from "../object/factory.ts";
import type { GunyahObject, ObjectLifecycleObserver } from "../object/object.ts";
import { objectTypeName } from "../object/object_type.ts";
import { createRootPartition, type Partition } from "../object/partition/partition.ts";
import type { VcpuRuntime } from "../object/thread/hypercalls.ts";
import { threadModule } from "../object/thread/module.ts";
import { installModules } from "../module.ts";
import { CORE_MODULES } from "../modules.ts";
import {
  Thread,
  type ThreadChange,
  type ThreadHost,
  type VcpuRunReport,
} from "../object/thread/thread.ts";
import { ThreadState, VcpuRunState } from "../object/thread/thread_types.ts";
import {
  type ArchPlugin,
  type ArchVcpu,
  type Component,
  type DeviceHost,
  ExitKind,
  type InterruptController,
  type PlatformPlugin,
  RegisterSet,
  type Stage2View,
} from "../plugin/contracts.ts";
import { CPU_NONE, FprrScheduler, type SchedThread } from "../sched/fprr.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";
import { VirtualClock } from "../time/virtual_clock.ts";
import { TimerQueue } from "../time/timer_queue.ts";
import type { HypervisorEvents } from "./events.ts";
import { ComponentInterruptController } from "./component_irq.ts";
import {
  type ComponentEnv,
  type ComponentHandle,
  type ComponentPort,
  createComponentVic,
} from "./component.ts";
import { VcpuPsciHost } from "../psci/hypervisor_host.ts";
import { Addrspace } from "../object/addrspace/addrspace.ts";
import { isStage2View, VcpuUserMemory } from "./vcpu_user_memory.ts";
import { type VmContext, VmRegistry } from "./vm_registry.ts";
import { HostYield } from "./host_yield.ts";
import { vcpuMpidrAffinity } from "../object/vic/vcpu_mpidr.ts";

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

/**
 * How virtual time relates to host time while every CPU is idle:
 * `"virtual"` jumps straight to the next deadline (deterministic, as fast as
 * possible: the default); `"realtime"` lets {@link Hypervisor.run} jump no
 * further than host time has advanced since it started, so an idle guest's
 * timers fire at wall-clock pace (interactive use). Busy CPUs always advance
 * time by instructions retired, so virtual time may lag host time but never
 * runs ahead of it in realtime pacing.
 */
export type TimePacing = "virtual" | "realtime";

/** Why {@link Hypervisor.run} returned. */
export type RunStopReason = "stopped" | "idle";

interface PhysicalCpu {
  readonly index: number;
  /** Thread the CPU last ran (for switch events). */
  last: Thread | null;
  /** Instructions retired on this CPU. */
  retired: number;
  /** Virtual ns this CPU spent idle. */
  idleNs: number;
}

const EMPTY_STAGE2: Stage2View = { lookup: () => null, generation: 0 };

const NULL_IRQ: InterruptController = {
  spiCount: 0,
  setLine() {},
  pulse() {},
  hasPending: () => false,
};

const EXIT_NAMES = ["budget", "hvc", "smc", "wfi", "mmio", "fault", "sysreg", "wfe"];

/** The hypervisor. */
export class Hypervisor implements ThreadHost, VcpuRuntime {
  /** Events of the core (see `events.ts`). */
  readonly events: EventBus<HypervisorEvents> = new EventBus<HypervisorEvents>();
  /** Virtual time. */
  readonly clock: VirtualClock;
  /** Device and hypervisor timers. */
  readonly timers: TimerQueue = new TimerQueue();
  /** The FPRR scheduler of the physical CPUs. */
  readonly scheduler: FprrScheduler<Thread>;
  /** The hypervisor's "physical RAM". */
  readonly physicalMemory: PhysicalMemory = new PhysicalMemory();
  /** Physical memory ownership. */
  readonly memdb: Memdb = new Memdb();
  /** Object factories (`partition_create_*`). */
  readonly factories: ObjectFactoryRegistry = new ObjectFactoryRegistry();
  /** The root partition. */
  readonly rootPartition: Partition;
  /** The root cspace (2048 caps), holding master caps of itself and the root partition. */
  readonly rootCspace: Cspace;
  /** CapID of the root partition in the root cspace. */
  readonly rootPartitionCap: bigint;
  /** CapID of the root cspace in itself. */
  readonly rootCspaceCap: bigint;
  /** Hypercall dispatch (native HVC and SMCCC). */
  readonly dispatcher: HypercallDispatcher;
  /** The architecture plugin. */
  readonly arch: ArchPlugin;
  /** Number of physical CPUs. */
  readonly cpuCount: number;
  /** Every vCPU thread created, in creation order. */
  readonly threads: Thread[] = [];
  /** Longest round, virtual ns. */
  readonly maxQuantumNs: number;
  /** Host ms between event-loop yields. */
  readonly hostSliceMs: number;
  /**
   * The host side of PSCI (`PsciHost<HypercallContext>` of arch/aarch64/psci);
   * boot code registers `createPsciService(hv.psci)` as the SMCCC STANDARD service.
   */
  readonly psci: VcpuPsciHost;

  /** Idle time pacing of {@link run}. */
  readonly pacing: TimePacing;
  /** MPIDR affinity of vCPU index `i` within its VM. */
  readonly mpidrOf: (index: number) => number;
  /** The VMs: per-address-space MMIO bus, vCPU table and vGIC frames. */
  readonly vms: VmRegistry;
  readonly #cpus: PhysicalCpu[] = [];
  readonly #contexts = new Map<Thread, HypercallContext>();
  readonly #components: ComponentHandle[] = [];
  readonly #regs = new BigUint64Array(8);
  readonly #emptyCspace: Cspace;
  readonly #userMemory: PhysicalUserMemory;
  /** Global time at the start of the next round. */
  #horizon = 0;
  /** CPU being run and its local time (valid inside a round). */
  #cpu = -1;
  #local = 0;
  #roundEnd = 0;
  #stopRequested = false;
  /** The proxy vCPU being run inside a vcpu_run call, and whether it yielded. */
  #proxyThread: Thread | null = null;
  #proxyYielded = false;
  #kick: (() => void) | null = null;
  /** Shows each firing timer its own deadline as the current time (bound once: no per-round closure). */
  readonly #showTimerTime = (at: number): void => this.clock.setSliceTime(at);

  /** Boot a hypervisor: root partition, root cspace, dispatcher, scheduler, clock. */
  constructor(options: HypervisorOptions) {
    this.arch = options.arch;
    this.cpuCount = options.cpus ?? DEFAULT_PHYSICAL_CPUS;
    this.clock = new VirtualClock({ nsPerInstruction: options.nsPerInstruction });
    this.scheduler = new FprrScheduler<Thread>(this.cpuCount);
    this.maxQuantumNs = options.maxQuantumNs ?? DEFAULT_MAX_QUANTUM_NS;
    this.hostSliceMs = options.hostSliceMs ?? DEFAULT_HOST_SLICE_MS;
    this.vms = new VmRegistry(
      this.arch,
      options.board.interruptControllerPlacement,
      (m) => this.log(m),
    );
    this.pacing = options.pacing ?? "virtual";
    const board = options.board;
    this.mpidrOf = (index) => board.mpidrOf(index);
    if (!(this.maxQuantumNs >= this.clock.nsPerInstruction)) {
      throw new RangeError(
        `maxQuantumNs must be at least one instruction (${this.clock.nsPerInstruction} ns)`,
      );
    }
    for (let i = 0; i < this.cpuCount; i++) {
      this.#cpus.push({ index: i, last: null, retired: 0, idleNs: 0 });
    }

    this.dispatcher = new HypercallDispatcher();
    installModules(
      [...CORE_MODULES, threadModule(this, this.cpuCount, (p) => this.#createThread(p))],
      this.factories,
      this.dispatcher.table,
    );
    this.rootPartition = createRootPartition({
      physicalMemory: this.physicalMemory,
      memdb: this.memdb,
      factories: this.factories,
      seed: options.seed,
      observer: this.#observer(),
      createVicController: (vic) => this.vms.createVicController(vic),
    });
    for (const r of options.ram ?? []) {
      this.physicalMemory.addRegion(r.base, r.size);
      this.memdb.insert(r.base, r.size, this.rootPartition);
    }
    this.rootCspace = new Cspace(this.rootPartition, this.rootPartition.services.random.fork());
    this.rootCspace.configure(ROOT_CSPACE_MAX_CAPS);
    this.rootCspace.activate();
    this.rootCspaceCap = this.rootCspace.createMasterCap(this.rootCspace);
    this.rootPartitionCap = this.rootCspace.createMasterCap(this.rootPartition);
    // Caller context for vCPUs with no cspace attached: every CapID is empty.
    this.#emptyCspace = new Cspace(this.rootPartition, this.rootPartition.services.random.fork());
    this.#userMemory = new PhysicalUserMemory(this.physicalMemory);

    this.psci = new VcpuPsciHost({
      vcpusOf: (t) => this.vmOf(t).vcpus,
      mpidrOf: (i) => this.mpidrOf(i),
      vmExit: (caller, reason) => {
        this.events.emit("vm.exit", {
          time: this.clock.now,
          thread: caller.describeName(),
          reason,
        });
      },
    });
    this.dispatcher.table.observer = (ctx, entry, n, results) => {
      if (!this.events.has("hypercall")) return;
      this.events.emit("hypercall", {
        time: this.clock.now,
        caller: ctx.thread ? ctx.thread.describeName() : "native",
        n,
        name: entry?.name ?? hypercallInfo(n)?.name ?? "unknown",
        error: n === 0 ? 0 : errorFromRegister(results[0]),
      });
    };
  }

  #observer(): ObjectLifecycleObserver {
    const emit = (
      name: "object.created" | "object.activated" | "object.destroyed",
      o: GunyahObject,
    ) => {
      if (this.events.has(name)) {
        this.events.emit(name, { object: o.describeName(), type: objectTypeName(o.type) });
      }
    };
    return {
      created: (o) => {
        if (o instanceof Addrspace) {
          o.observer = { vdeviceAttached: (a, att) => this.vms.mapVdevice(a, att) };
        }
        emit("object.created", o);
      },
      activated: (o) => emit("object.activated", o),
      destroyed: (o) => {
        if (o instanceof Thread) this.#forgetThread(o);
        emit("object.destroyed", o);
      },
    };
  }

  /** A destroyed vCPU leaves the run loop's lists and its VM. */
  #forgetThread(t: Thread): void {
    const i = this.threads.indexOf(t);
    if (i >= 0) this.threads.splice(i, 1);
    this.#contexts.delete(t);
    this.vms.forget(t);
  }

  #createThread(partition: Partition): Thread {
    const t = new Thread(partition, this);
    this.threads.push(t);
    return t;
  }

  // -------------------------------------------------------------------------
  // VMs
  // -------------------------------------------------------------------------

  /**
   * The VM a vCPU belongs to: the vCPUs sharing its address space (a vCPU
   * without one is a VM of its own).
   */
  vmOf(thread: Thread): VmContext {
    return this.vms.vmOf(thread);
  }

  /** The VM whose address space is `addrspace` (created on first use). */
  vmFor(addrspace: object): VmContext {
    return this.vms.vmFor(addrspace);
  }

  /**
   * A {@link DeviceHost} for a device of the VM on `addrspace`: guest memory
   * through the VM's stage-2 view, interrupts through `irq`, timers on the
   * hypervisor's virtual-time queue.
   */
  createDeviceHost(
    addrspace: object,
    irq: InterruptController,
    log?: (m: string) => void,
  ): DeviceHost {
    const memory = isStage2View(addrspace) ? addrspace : EMPTY_STAGE2;
    return {
      memory,
      clock: this.clock,
      setIrq: (intid, level) => irq.setLine(intid, level),
      setTimer: (at, fn) => {
        const h = this.timers.schedule(at, () => fn());
        this.wake();
        return () => h.cancel();
      },
      log: log ?? ((message) => this.log(message)),
    };
  }

  // -------------------------------------------------------------------------
  // ThreadHost
  // -------------------------------------------------------------------------

  /** Creates the vCPU's {@link ArchVcpu} at activation (ThreadHost). */
  createArchVcpu(thread: Thread): ArchVcpu | HypError {
    const vm = this.vms.vmOf(thread);
    const index = this.vms.indexFor(thread, vm);
    if (index < 0) return HypError.ERROR_OBJECT_CONFIG;
    thread.vcpuIndex = index;
    const irq = this.vms.controllerFor(thread, vm) ?? NULL_IRQ;
    const memory = isStage2View(thread.addrspace) ? thread.addrspace : EMPTY_STAGE2;
    const arch = this.arch.createVcpu({
      index,
      mpidr: vcpuMpidrAffinity(thread.vic, index, this.mpidrOf),
      memory,
      mmio: vm.bus,
      irq,
      clock: this.clock,
      wake: (i) => this.#wakeVcpu(vm, i),
      log: (m) => this.log(`${thread.describeName()}: ${m}`),
    });
    this.vms.enter(thread, vm, index, arch);
    return arch;
  }

  /** Completes a vCPU's exited MMIO access on its VM's bus (ThreadHost). */
  completeVmmio(thread: Thread, lo: number, hi: number): void {
    this.vmOf(thread).bus.complete(thread.vcpuIndex, lo, hi);
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
    this.wake();
  }

  /** Forwards thread changes to the event bus (ThreadHost). */
  threadChanged(thread: Thread, change: ThreadChange, detail?: string): void {
    // A vCPU (re)starting forgets any MMIO access it had left on its bus.
    if (change === "poweron" && thread.vcpuIndex >= 0) {
      this.vmOf(thread).bus.resetVcpu(thread.vcpuIndex);
    }
    // A thread made runnable mid-round by another CPU does not start before that moment.
    // (A migrated thread likewise does not run on its new CPU before it left the old one.)
    if (change === "unblocked" || change === "poweron" || change === "affinity") {
      thread.readySince = this.clock.now;
    }
    if (!this.events.has("thread.state")) return;
    this.events.emit("thread.state", {
      time: this.clock.now,
      thread: thread.describeName(),
      change,
      detail: detail ?? "",
    });
  }

  // -------------------------------------------------------------------------
  // VcpuRuntime
  // -------------------------------------------------------------------------

  /** `scheduler_yield` hint 0 (VcpuRuntime). */
  yield(ctx: HypercallContext): void {
    // A proxy vCPU yielding ends the directed yield it runs in (HYP
    // scheduler_yield with yielded_from set): its vcpu_run returns.
    if (ctx.thread !== null && ctx.thread === this.#proxyThread) {
      this.#proxyYielded = true;
      return;
    }
    const cpu = this.#cpuOfCaller(ctx);
    if (cpu >= 0) this.scheduler.yield(cpu);
  }

  /** `scheduler_yield` hint 1 (VcpuRuntime). */
  yieldTo(ctx: HypercallContext, target: Thread): void {
    if (ctx.thread !== null && ctx.thread === this.#proxyThread) {
      this.#proxyYielded = true;
      return;
    }
    const cpu = this.#cpuOfCaller(ctx);
    if (cpu >= 0) this.scheduler.yieldTo(cpu, target.sched);
  }

  #cpuOfCaller(ctx: HypercallContext): number {
    const t = ctx.thread;
    if (!(t instanceof Thread)) return -1;
    return t.sched.runningOn;
  }

  /** `vcpu_run`: run a proxy-scheduled vCPU in the caller's place (VcpuRuntime). */
  runProxy(ctx: HypercallContext, vcpu: Thread, out: VcpuRunReport): void {
    const s = this.scheduler;
    s.unblock(vcpu.sched, SchedulerBlock.VCPU_RUN);
    const caller = ctx.thread instanceof Thread ? ctx.thread : null;
    const native = caller === null || this.#cpu < 0;
    let local = native ? this.#horizon : this.#local;
    let end = native
      ? local +
        Math.min(
          vcpu.sched.baseTimeslice,
          Math.max(this.#nextEventTime() - local, this.clock.nsPerInstruction),
        )
      : this.#roundEnd;
    const cpu = native ? -1 : this.#cpu;
    if (end <= local) end = local + this.clock.nsPerInstruction;
    const prevRunning = vcpu.sched.runningOn;
    vcpu.sched.runningOn = cpu >= 0 ? cpu : CPU_NONE;
    const outerProxy = this.#proxyThread, outerYielded = this.#proxyYielded;
    this.#proxyThread = vcpu;
    this.#proxyYielded = false;
    while (s.isRunnable(vcpu.sched) && local < end && !this.#proxyYielded) {
      if (vcpu.threadState === ThreadState.KILLED) {
        vcpu.exit();
        break;
      }
      const arch = vcpu.arch!;
      this.clock.setSliceTime(local);
      const kind = arch.run(this.clock.nsToInstructions(end - local));
      const retired = arch.retired > 0 ? arch.retired : 1;
      local += retired * this.clock.nsPerInstruction;
      this.clock.setSliceTime(local);
      this.#handleExit(cpu, vcpu, kind, retired);
      if (caller !== null && caller.arch !== null && caller.arch.hasPendingInterrupt()) break;
    }
    vcpu.sched.runningOn = prevRunning;
    this.#proxyThread = outerProxy;
    this.#proxyYielded = outerYielded;
    if (native) {
      this.#horizon = local;
      this.clock.setSliceTime(local);
    } else {
      this.#local = local;
    }
    if (s.isRunnable(vcpu.sched)) {
      out.state = VcpuRunState.READY;
      out.data0 = out.data1 = out.data2 = 0n;
    } else {
      vcpu.runCheck(out);
    }
    s.block(vcpu.sched, SchedulerBlock.VCPU_RUN);
  }

  // -------------------------------------------------------------------------
  // Components
  // -------------------------------------------------------------------------

  /**
   * Start a native component with a thread-less caller context: by default
   * the root cspace and partition (the resource manager's view). Its
   * hypercalls go through the same dispatch as HVC; VIRQs asserted on its
   * interrupt controller are delivered to `onVirq` at the start of the next
   * round.
   */
  async addComponent(
    component: Component,
    options: {
      readonly cspace?: Cspace;
      readonly cspaceCap?: bigint;
      readonly partition?: Partition;
      readonly partitionCap?: bigint;
    } = {},
  ): Promise<ComponentHandle> {
    const cspace = options.cspace ?? this.rootCspace;
    const partition = options.partition ?? this.rootPartition;
    const context = this.nativeContext(cspace, partition);
    const irq = new ComponentInterruptController(GIC_SPI_NUM, () => this.wake());
    const partitionCap = options.partitionCap ?? this.rootPartitionCap;
    const cspaceCap = options.cspaceCap ?? this.rootCspaceCap;
    const env: ComponentEnv = {
      partitionCap,
      cspaceCap,
      vicCap: createComponentVic(this.dispatcher.table, context, partitionCap, cspaceCap, irq),
    };
    const port: ComponentPort = {
      env,
      call: (n, ...args) => {
        const r = this.dispatcher.table.call(context, n, ...args);
        this.wake();
        return r;
      },
    };
    const handle: ComponentHandle = { component, port, context, irq };
    this.#components.push(handle);
    await component.start(port);
    return handle;
  }

  /** Hand queued VIRQs to their components (between rounds); returns whether any was delivered. */
  #deliverComponentVirqs(): boolean {
    let delivered = false;
    for (const h of this.#components) {
      if (!h.irq.hasPending()) continue;
      for (const virq of h.irq.takePending()) h.component.onVirq?.(virq);
      delivered = true;
    }
    return delivered;
  }

  /** Stop every component (reverse start order). */
  async stopComponents(): Promise<void> {
    for (const h of this.#components.splice(0).reverse()) await h.component.stop?.();
  }

  /** A thread-less caller context (native components, tools, tests). */
  nativeContext(cspace: Cspace, partition: Partition): HypercallContext {
    const mem = this.#userMemory;
    return {
      cspace,
      partition,
      thread: null,
      readUser: (va, length) => mem.readUser(va, length),
      writeUser: (va, data) => mem.writeUser(va, data),
    };
  }

  /** The hypercall context of a vCPU: its cspace, and its buffers through its stage 1 and stage 2. */
  contextOf(thread: Thread): HypercallContext {
    let ctx = this.#contexts.get(thread);
    if (ctx && ctx.cspace === (thread.cspace ?? this.#emptyCspace)) return ctx;
    const partition = thread.partition ?? this.rootPartition;
    const mem = new VcpuUserMemory(thread);
    ctx = {
      cspace: thread.cspace ?? this.#emptyCspace,
      partition,
      thread,
      readUser: (va, length) => mem.readUser(va, length),
      writeUser: (va, data) => mem.writeUser(va, data),
    };
    this.#contexts.set(thread, ctx);
    return ctx;
  }

  // -------------------------------------------------------------------------
  // Running
  // -------------------------------------------------------------------------

  /** Virtual time at which the next round starts. */
  get time(): number {
    return this.#horizon;
  }

  /** Log a diagnostic through the event bus. */
  log(message: string): void {
    this.events.emit("log", { time: this.clock.now, message });
  }

  /** Wake the run loop if it is waiting for something to happen. */
  wake(): void {
    const k = this.#kick;
    if (k) {
      this.#kick = null;
      k();
    }
  }

  /** Ask {@link run} to return after the current round. */
  stop(): void {
    this.#stopRequested = true;
    this.wake();
  }

  /**
   * Run one round (see the module comment). Returns false when nothing can
   * ever happen without outside help: no CPU has work and no deadline is
   * pending.
   */
  step(): boolean {
    const delivered = this.#deliverComponentVirqs();
    const T = this.#horizon;
    this.clock.setSliceTime(T);
    this.timers.runDue(T, this.#showTimerTime);
    this.clock.setSliceTime(T);
    this.#wakeExpired(T);
    let busy = false;
    for (let i = 0; i < this.cpuCount; i++) {
      if (this.scheduler.hasWork(i)) {
        busy = true;
        break;
      }
    }
    if (!busy && (delivered || this.#componentsPending())) return true;
    const next = this.#nextEventTime();
    if (!busy) {
      if (next === Infinity) return false;
      const to = next > T ? next : T + this.clock.nsPerInstruction;
      if (this.events.has("time.jump")) this.events.emit("time.jump", { from: T, to });
      for (const c of this.#cpus) c.idleNs += to - T;
      this.#horizon = to;
      this.clock.setSliceTime(to);
      return true;
    }
    let quantum = this.maxQuantumNs;
    if (next > T && next - T < quantum) quantum = next - T;
    if (quantum < this.clock.nsPerInstruction) quantum = this.clock.nsPerInstruction;
    const end = T + quantum;
    this.#roundEnd = end;
    for (let i = 0; i < this.cpuCount; i++) this.#runCpu(i, T, end);
    this.#cpu = -1;
    this.#horizon = end;
    this.clock.setSliceTime(end);
    return true;
  }

  /**
   * Run rounds until `predicate()` holds (checked after each round), nothing
   * can happen any more, or `maxTimeNs` of virtual time (default 10 s) has
   * passed. Returns whether the predicate held. For tests and scripted runs.
   */
  runUntil(predicate: () => boolean, maxTimeNs = 10e9): boolean {
    const limit = this.#horizon + maxTimeNs;
    while (!predicate()) {
      if (this.#horizon >= limit || !this.step()) return predicate();
    }
    return true;
  }

  /**
   * Run until {@link stop} (→ "stopped") or until nothing can happen and
   * `untilIdle` is set (→ "idle"); otherwise an idle machine waits for a
   * {@link wake}. Yields to the host event loop every `hostSliceMs`.
   */
  async run(
    options: { readonly untilIdle?: boolean; readonly signal?: AbortSignal } = {},
  ): Promise<RunStopReason> {
    this.#stopRequested = false;
    const onAbort = () => this.stop();
    options.signal?.addEventListener("abort", onAbort);
    const hostYield = new HostYield();
    const anchorWall = performance.now();
    const anchorVirt = this.#horizon;
    try {
      while (!this.#stopRequested) {
        const t0 = performance.now();
        let idle = false;
        let pacedMs = 0;
        while (!this.#stopRequested) {
          if (this.pacing === "realtime") {
            pacedMs = this.#realtimeWaitMs(anchorWall, anchorVirt);
            if (pacedMs > 0) break;
          }
          if (!this.step()) {
            idle = true;
            break;
          }
          if (performance.now() - t0 >= this.hostSliceMs) break;
        }
        if (pacedMs > 0) {
          await this.#sleep(pacedMs);
        } else if (idle) {
          if (options.untilIdle) return "idle";
          await new Promise<void>((resolve) => (this.#kick = resolve));
        } else {
          await hostYield.yield();
        }
      }
      return "stopped";
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Realtime pacing: host ms to wait before the idle machine may jump to its
   * next deadline (0 when something can run now or nothing is pending).
   */
  #realtimeWaitMs(anchorWall: number, anchorVirt: number): number {
    for (let i = 0; i < this.cpuCount; i++) if (this.scheduler.hasWork(i)) return 0;
    if (this.#componentsPending()) return 0;
    const next = this.#nextEventTime();
    if (next === Infinity || next <= this.#horizon) return 0;
    const allowed = anchorVirt + (performance.now() - anchorWall) * 1e6;
    return next > allowed ? (next - allowed) / 1e6 : 0;
  }

  /** Wait `ms` of host time, or less if something {@link wake}s the machine. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const id = setTimeout(() => {
        this.#kick = null;
        resolve();
      }, ms);
      this.#kick = () => {
        clearTimeout(id);
        resolve();
      };
    });
  }

  /** Per-CPU statistics for the dashboard. */
  cpuStats(): { index: number; current: string | null; retired: number; idleNs: number }[] {
    return this.#cpus.map((c) => ({
      index: c.index,
      current: this.scheduler.cpus[c.index].current?.owner.describeName() ?? null,
      retired: c.retired,
      idleNs: c.idleNs,
    }));
  }

  #componentsPending(): boolean {
    for (const h of this.#components) if (h.irq.hasPending()) return true;
    return false;
  }

  #nextEventTime(): number {
    let next = this.timers.nextDeadline;
    for (const t of this.threads) {
      const a = t.arch;
      if (a === null || t.threadState !== ThreadState.READY) continue;
      if (t.isBlocked(SchedulerBlock.VCPU_OFF)) continue;
      const d = a.nextDeadline();
      if (d < next) next = d;
    }
    return next;
  }

  /** Unblock WFI-parked or suspended vCPUs whose interrupt is pending or whose timer deadline passed. */
  #wakeExpired(now: number): void {
    for (const t of this.threads) {
      const wfi = t.isBlocked(SchedulerBlock.VCPU_WFI);
      const suspended = t.isBlocked(SchedulerBlock.VCPU_SUSPEND);
      if (!wfi && !suspended) continue;
      const a = t.arch;
      if (a === null || !(a.hasPendingInterrupt() || a.nextDeadline() <= now)) continue;
      if (wfi) t.unblock(SchedulerBlock.VCPU_WFI);
      if (suspended) t.unblock(SchedulerBlock.VCPU_SUSPEND);
    }
  }

  #wakeVcpu(vm: VmContext, index: number): void {
    const t = vm.vcpus[index];
    if (t === undefined) return;
    // HYP vcpu_wakeup: an interrupt for a yielding vCPU ends its directed yield.
    if (t.sched.yielding) this.scheduler.cancelDirectedYield(t.sched);
    if (t.isBlocked(SchedulerBlock.VCPU_WFI)) t.unblock(SchedulerBlock.VCPU_WFI);
    if (t.isBlocked(SchedulerBlock.VCPU_SUSPEND)) t.unblock(SchedulerBlock.VCPU_SUSPEND);
    this.wake();
  }

  #runCpu(cpu: number, start: number, end: number): void {
    const sc = this.scheduler.cpus[cpu];
    const pc = this.#cpus[cpu];
    this.#cpu = cpu;
    this.#local = start;
    while (this.#local < end) {
      if (sc.needResched || sc.current === null) this.#reschedule(cpu, pc);
      const st = sc.current;
      if (st === null) break;
      const t = st.owner;
      if (this.#local < t.readySince) {
        // Woken later in this round by a CPU that ran before this one: wait for that moment.
        if (t.readySince >= end) break;
        pc.idleNs += t.readySince - this.#local;
        this.#local = t.readySince;
      }
      if (t.threadState === ThreadState.KILLED) {
        t.exit();
        continue;
      }
      if (!this.scheduler.isRunnable(st)) {
        sc.needResched = true;
        continue;
      }
      let limit = end;
      const sd = this.scheduler.sliceDeadline(cpu);
      if (sd < limit) limit = sd;
      if (limit <= this.#local) {
        sc.needResched = true;
        continue;
      }
      const arch = t.arch!;
      this.clock.setSliceTime(this.#local);
      const kind = arch.run(this.clock.nsToInstructions(limit - this.#local));
      const retired = arch.retired > 0 ? arch.retired : 1;
      this.#local += retired * this.clock.nsPerInstruction;
      pc.retired += retired;
      // Exit handling (and the events it emits) happens at the exit's time.
      this.clock.setSliceTime(this.#local);
      this.#handleExit(cpu, t, kind, retired);
    }
    if (this.#local < end) pc.idleNs += end - this.#local;
    if (this.scheduler.sliceDeadline(cpu) <= end) sc.needResched = true;
  }

  #reschedule(cpu: number, pc: PhysicalCpu): void {
    const next: SchedThread<Thread> | null = this.scheduler.schedule(cpu, this.#local);
    const t = next ? next.owner : null;
    if (t !== pc.last) {
      if (this.events.has("sched.switch")) {
        this.events.emit("sched.switch", {
          time: this.#local,
          cpu,
          from: pc.last ? pc.last.describeName() : null,
          thread: t ? t.describeName() : null,
        });
      }
      pc.last = t;
    }
  }

  #handleExit(cpu: number, t: Thread, kind: ExitKind, retired: number): void {
    const arch = t.arch!;
    if (kind !== ExitKind.Budget && this.events.has("vcpu.exit")) {
      this.events.emit("vcpu.exit", {
        time: this.clock.now,
        cpu,
        thread: t.describeName(),
        kind: EXIT_NAMES[kind] ?? String(kind),
        retired,
      });
    }
    switch (kind) {
      case ExitKind.Budget:
        return;
      case ExitKind.Hvc:
      case ExitKind.Smc:
        this.#hypercall(t, arch, kind, arch.exit.imm);
        return;
      case ExitKind.Wfi:
        if (!arch.hasPendingInterrupt()) t.block(SchedulerBlock.VCPU_WFI);
        return;
      case ExitKind.Wfe:
        if (cpu >= 0) this.scheduler.yield(cpu);
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
        if (!t.vcpuRunEnabled && this.events.has("vcpu.vmmio")) {
          this.events.emit("vcpu.vmmio", {
            time: this.clock.now,
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
        this.log(
          `${t.describeName()}: unhandled system register trap 0x${arch.exit.imm.toString(16)}`,
        );
        t.fault(`unhandled system register trap 0x${arch.exit.imm.toString(16)}`);
        return;
      default:
        t.fault(`unknown exit kind ${kind}`);
    }
  }

  #hypercall(t: Thread, arch: ArchVcpu, kind: ExitKind, imm: number): void {
    const regs = this.#regs;
    for (let i = 0; i < 8; i++) regs[i] = arch.getRegister(RegisterSet.X, i);
    const ctx = this.contextOf(t);
    const savedCpu = this.#cpu;
    if (kind === ExitKind.Hvc) this.dispatcher.dispatchHvc(ctx, imm, regs);
    else this.dispatcher.dispatchSmc(ctx, imm, regs);
    this.#cpu = savedCpu;
    // A call that powered the caller off or reset it leaves its registers alone.
    if (t.isBlocked(SchedulerBlock.VCPU_OFF) || t.threadState !== ThreadState.READY) return;
    for (let i = 0; i < 8; i++) arch.setRegister(RegisterSet.X, i, regs[i]);
  }
}
