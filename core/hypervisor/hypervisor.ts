/**
 * The `Hypervisor`: physical memory, the root partition and root cspace, the
 * hypercall dispatcher with the core's modules installed, the FPRR
 * scheduler, virtual time, the event bus, the architecture plugin and the
 * VMs — the object that owns them and hands them to its roles, each in a
 * file of its own:
 *
 * - run_loop.ts: the physical CPUs in deterministic lockstep, host pacing;
 * - exits.ts: what a vCPU's exit does (hypercall, WFI, MMIO, fault, ...);
 * - vcpu_runtime.ts: `scheduler_yield` and proxy-scheduled `vcpu_run`;
 * - component_host.ts: native components (the resource manager);
 * - hypercall_contexts.ts: the caller contexts of vCPUs and components;
 * - vm_registry.ts: the VMs (per-address-space MMIO bus, vCPUs, vGIC frames);
 * - core/psci: PSCI's host side.
 *
 * @module
 */
import type { HypError } from "../abi/error.ts";
import { Cspace } from "../cspace/cspace.ts";
import { EventBus } from "../events.ts";
import type { HypercallContext } from "../hypercall/context.ts";
import { HypercallDispatcher } from "../hypercall/smccc.ts";
import { Memdb } from "../memory/memdb.ts";
import { PhysicalMemory } from "../memory/physical_memory.ts";
import { installModules } from "../module.ts";
import { CORE_MODULES } from "../modules.ts";
import { ObjectFactoryRegistry } from "../object/factory.ts";
import { createRootPartition, type Partition } from "../object/partition/partition.ts";
import type { VcpuRuntime } from "../object/thread/hypercalls.ts";
import { threadModule } from "../object/thread/module.ts";
import {
  Thread,
  type ThreadChange,
  type ThreadHost,
  type VcpuRunReport,
} from "../object/thread/thread.ts";
import type {
  ArchPlugin,
  ArchVcpu,
  Component,
  DeviceHost,
  InterruptController,
} from "../plugin/contracts.ts";
import { VcpuPsciHost } from "../psci/hypervisor_host.ts";
import { FprrScheduler } from "../sched/fprr.ts";
import { LogRateLimit } from "../plugin/log_rate_limit.ts";
import { TimerQueue } from "../time/timer_queue.ts";
import { VirtualClock } from "../time/virtual_clock.ts";
import type { ComponentHandle } from "./component.ts";
import { ComponentHost, type ComponentPlacement } from "./component_host.ts";
import type { HypervisorEvents } from "./events.ts";
import { ExitHandler } from "./exits.ts";
import { HostDebugger } from "./host_debug.ts";
import { HypercallContexts } from "./hypercall_contexts.ts";
import { RunLoop, type RunStopReason, type TimePacing } from "./run_loop.ts";
import { createDeviceHost } from "./device_host.ts";
import { hypercallEvents, lifecycleEvents } from "./event_sources.ts";
import {
  DEFAULT_HOST_SLICE_MS,
  DEFAULT_MAX_QUANTUM_NS,
  DEFAULT_PHYSICAL_CPUS,
  type HypervisorOptions,
  ROOT_CSPACE_MAX_CAPS,
} from "./hypervisor_options.ts";
import { ProxyRuntime } from "./vcpu_runtime.ts";
import { VcpuHost } from "./vcpu_host.ts";
import { type VmContext, VmRegistry } from "./vm_registry.ts";

export type { RunStopReason, TimePacing } from "./run_loop.ts";
export {
  DEFAULT_HOST_SLICE_MS,
  DEFAULT_MAX_QUANTUM_NS,
  DEFAULT_PHYSICAL_CPUS,
  type HypervisorBoard,
  type HypervisorOptions,
  ROOT_CSPACE_MAX_CAPS,
} from "./hypervisor_options.ts";

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
   * The host side of PSCI (`PsciHost<HypercallContext>` of core/psci);
   * boot code registers `createPsciService(hv.psci)` as the SMCCC STANDARD service.
   */
  readonly psci: VcpuPsciHost;

  /** Idle time pacing of {@link run}. */
  readonly pacing: TimePacing;
  /** MPIDR affinity of vCPU index `i` within its VM. */
  readonly mpidrOf: (index: number) => number;
  /** The VMs: per-address-space MMIO bus, vCPU table and vGIC frames. */
  readonly vms: VmRegistry;
  /**
   * Host debugger sessions (a GDB stub attaches to a VM here; host_debug.ts):
   * a stop holds every vCPU of the VM and the run loop, so time stands still.
   */
  readonly debug: HostDebugger;
  readonly #contexts: HypercallContexts;
  readonly #components: ComponentHost;
  readonly #loop: RunLoop;
  readonly #exits: ExitHandler;
  readonly #runtime: ProxyRuntime;
  readonly #vcpuHost: VcpuHost;

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
      (source, e) => this.fault(source, e),
    );
    this.pacing = options.pacing ?? "virtual";
    const board = options.board;
    this.mpidrOf = (index) => board.mpidrOf(index);
    if (!(this.maxQuantumNs >= this.clock.nsPerInstruction)) {
      throw new RangeError(
        `maxQuantumNs must be at least one instruction (${this.clock.nsPerInstruction} ns)`,
      );
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
      observer: lifecycleEvents(this.events, this.vms, (t) => this.#forgetThread(t)),
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
    this.#contexts = new HypercallContexts(this.rootPartition, this.physicalMemory);
    this.#components = new ComponentHost(
      this.dispatcher.table,
      {
        cspace: this.rootCspace,
        cspaceCap: this.rootCspaceCap,
        partition: this.rootPartition,
        partitionCap: this.rootPartitionCap,
      },
      (cspace, partition) => this.#contexts.native(cspace, partition),
      () => this.wake(),
      (source, e) => this.fault(source, e),
    );
    this.#loop = new RunLoop({
      clock: this.clock,
      timers: this.timers,
      scheduler: this.scheduler,
      events: this.events,
      threads: this.threads,
      components: this.#components,
      cpuCount: this.cpuCount,
      maxQuantumNs: this.maxQuantumNs,
      hostSliceMs: this.hostSliceMs,
      pacing: this.pacing,
      handleExit: (cpu, t, kind, retired) => this.#exits.handle(cpu, t, kind, retired),
      onTimerError: (e) => this.fault("timer", e),
    });
    this.debug = new HostDebugger({ loop: this.#loop, vmOf: (t) => this.vmOf(t) });
    this.#exits = new ExitHandler({
      debug: this.debug,
      clock: this.clock,
      scheduler: this.scheduler,
      events: this.events,
      dispatcher: this.dispatcher,
      contextOf: (t) => this.#contexts.of(t),
      currentCpu: this.#loop,
      log: (m) => this.log(m),
    });
    this.#runtime = new ProxyRuntime(this.scheduler, this.clock, this.#loop, this.#exits);
    this.#vcpuHost = new VcpuHost({
      arch: this.arch,
      scheduler: this.scheduler,
      clock: this.clock,
      events: this.events,
      vms: this.vms,
      loop: this.#loop,
      mpidrOf: (i) => this.mpidrOf(i),
      log: (m) => this.log(m),
    });

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
    this.dispatcher.table.observer = hypercallEvents(this.events, this.clock);
  }

  /** A destroyed vCPU leaves the run loop's lists and its VM. */
  #forgetThread(t: Thread): void {
    const i = this.threads.indexOf(t);
    if (i >= 0) this.threads.splice(i, 1);
    this.#contexts.forget(t);
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
   * hypervisor's virtual-time queue (device_host.ts).
   */
  createDeviceHost(
    addrspace: object,
    irq: InterruptController,
    log?: (m: string) => void,
  ): DeviceHost {
    return createDeviceHost(this, addrspace, irq, log ?? ((message) => this.log(message)));
  }

  // -------------------------------------------------------------------------
  // ThreadHost (vcpu_host.ts)
  // -------------------------------------------------------------------------

  /** Creates the vCPU's {@link ArchVcpu} at activation (ThreadHost). */
  createArchVcpu(thread: Thread): ArchVcpu | HypError {
    return this.#vcpuHost.createArchVcpu(thread);
  }

  /** Completes a vCPU's exited MMIO access on its VM's bus (ThreadHost). */
  completeVmmio(thread: Thread, lo: number, hi: number): void {
    this.#vcpuHost.completeVmmio(thread, lo, hi);
  }

  /**
   * Complete the pending MMIO access of a vCPU that is not proxy scheduled
   * (an isolated device answering asynchronously): the vCPU resumes and the
   * access completes with `value` (read data; ignored for writes).
   */
  completeVmmioAccess(thread: Thread, value: bigint): void {
    this.#vcpuHost.completeVmmioAccess(thread, value);
  }

  /** Forwards thread changes to the event bus (ThreadHost). */
  threadChanged(thread: Thread, change: ThreadChange, detail?: string): void {
    this.#vcpuHost.threadChanged(thread, change, detail);
  }

  // -------------------------------------------------------------------------
  // VcpuRuntime (vcpu_runtime.ts)
  // -------------------------------------------------------------------------

  /** `scheduler_yield` hint 0 (VcpuRuntime). */
  yield(ctx: HypercallContext): void {
    this.#runtime.yield(ctx);
  }

  /** `scheduler_yield` hint 1 (VcpuRuntime). */
  yieldTo(ctx: HypercallContext, target: Thread): void {
    this.#runtime.yieldTo(ctx, target);
  }

  /** `vcpu_run`: run a proxy-scheduled vCPU in the caller's place (VcpuRuntime). */
  runProxy(ctx: HypercallContext, vcpu: Thread, out: VcpuRunReport): void {
    this.#runtime.runProxy(ctx, vcpu, out);
  }

  // -------------------------------------------------------------------------
  // Components (component_host.ts) and caller contexts (hypercall_contexts.ts)
  // -------------------------------------------------------------------------

  /**
   * Start a native component with a thread-less caller context: by default
   * the root cspace and partition (the resource manager's view). Its
   * hypercalls go through the same dispatch as HVC; VIRQs asserted on its
   * interrupt controller are delivered to `onVirq` at the start of the next
   * round.
   */
  addComponent(component: Component, options: ComponentPlacement = {}): Promise<ComponentHandle> {
    return this.#components.add(component, options);
  }

  /**
   * Deliver the VIRQs queued for native components now, without running a
   * round (a component waiting for another's answer, e.g. an RM client while
   * the run loop is between rounds or not running). Returns whether any was
   * delivered.
   */
  deliverComponentVirqs(): boolean {
    return this.#components.deliverVirqs();
  }

  /** Stop every component (reverse start order). */
  stopComponents(): Promise<void> {
    return this.#components.stopAll();
  }

  /** A thread-less caller context (native components, tools, tests). */
  nativeContext(cspace: Cspace, partition: Partition): HypercallContext {
    return this.#contexts.native(cspace, partition);
  }

  /** The hypercall context of a vCPU: its cspace, and its buffers through its stage 1 and stage 2. */
  contextOf(thread: Thread): HypercallContext {
    return this.#contexts.of(thread);
  }

  // -------------------------------------------------------------------------
  // Running (run_loop.ts)
  // -------------------------------------------------------------------------

  /** Virtual time at which the next round starts. */
  get time(): number {
    return this.#loop.horizon;
  }

  /** Log a diagnostic through the event bus. */
  log(message: string): void {
    this.events.emit("log", { time: this.clock.now, message });
  }

  /**
   * Per-source rate limit for diagnostics a guest or plugin can cause (device
   * hosts, faults): `burst` 20 lines, then one a second per source.
   */
  readonly logLimit: LogRateLimit = new LogRateLimit((m) => this.log(m));

  /** Faults contained so far (a callback of a device, timer or component threw). */
  faults = 0;

  /**
   * A callback from a device, timer or component threw: the fault is
   * contained at its boundary (the caller went on), counted, and logged
   * with rate limiting per source.
   */
  fault(source: string, error: unknown): void {
    this.faults++;
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.logLimit.log(source, `contained fault: ${what}`);
  }

  /** Wake the run loop if it is waiting for something to happen. */
  wake(): void {
    this.#loop.wake();
  }

  /** Whether a host debugger holds the machine (a debugged VM is stopped; time stands still). */
  get debugHeld(): boolean {
    return this.#loop.held;
  }

  /** Ask {@link run} to return after the current round. */
  stop(): void {
    this.#loop.stop();
  }

  /**
   * Run one round (run_loop.ts). Returns false when nothing can ever happen
   * without outside help: no CPU has work and no deadline is pending.
   */
  step(): boolean {
    return this.#loop.step();
  }

  /**
   * Run rounds until `predicate()` holds (checked after each round), nothing
   * can happen any more, or `maxTimeNs` of virtual time (default 10 s) has
   * passed. Returns whether the predicate held. For tests and scripted runs.
   */
  runUntil(predicate: () => boolean, maxTimeNs = 10e9): boolean {
    return this.#loop.runUntil(predicate, maxTimeNs);
  }

  /**
   * Run until {@link stop} (→ "stopped") or until nothing can happen and
   * `untilIdle` is set (→ "idle"); otherwise an idle machine waits for a
   * {@link wake}. Yields to the host event loop every `hostSliceMs`.
   */
  run(
    options: { readonly untilIdle?: boolean; readonly signal?: AbortSignal } = {},
  ): Promise<RunStopReason> {
    return this.#loop.run(options);
  }

  /** Per-CPU statistics for the dashboard. */
  cpuStats(): { index: number; current: string | null; retired: number; idleNs: number }[] {
    return this.#loop.cpuStats();
  }
}
