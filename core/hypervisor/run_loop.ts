/**
 * The run loop: the physical CPUs in deterministic lockstep.
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
 * ## Host responsiveness
 *
 * {@link RunLoop.run} runs rounds for about `hostSliceMs` of host time and
 * then yields to the event loop through a {@link HostYield}: a cheap
 * `setImmediate` turn after every slice and a full `setTimeout(0)` turn (which
 * also polls sockets and stdin, but costs ~2.5 ms) at most every
 * 50 ms (host_yield.ts), so a terminal and an HTTP dashboard
 * stay responsive; when nothing at all can happen it waits
 * for an external kick (a device timer, a component call,
 * {@link RunLoop.wake}). Measured here (Deno 2.9.6, 10 ms busy slices,
 * tools/bench/event_loop_yield.ts): `setTimeout(0)` after every slice left the
 * CPUs about 80% of host time (local HTTP server ~200 requests/s);
 * `setImmediate` alone ~97% but the HTTP server answered nothing; the mix
 * ~95% with ~100 requests/s. A `MessageChannel` yield starved both a 1 ms
 * interval timer and the HTTP server completely, so it is not used.
 *
 * @module
 */
import type { EventBus } from "../events.ts";
import type { Thread } from "../object/thread/thread.ts";
import { ThreadState } from "../object/thread/thread_types.ts";
import type { ExitKind } from "../plugin/contracts.ts";
import type { FprrScheduler, SchedThread } from "../sched/fprr.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";
import type { TimerQueue } from "../time/timer_queue.ts";
import type { VirtualClock } from "../time/virtual_clock.ts";
import type { ComponentHost } from "./component_host.ts";
import type { HypervisorEvents } from "./events.ts";
import { HostYield } from "./host_yield.ts";
import type { VmContext } from "./vm_registry.ts";

/**
 * How virtual time relates to host time while every CPU is idle:
 * `"virtual"` jumps straight to the next deadline (deterministic, as fast as
 * possible: the default); `"realtime"` lets {@link RunLoop.run} jump no
 * further than host time has advanced since it started, so an idle guest's
 * timers fire at wall-clock pace (interactive use). Busy CPUs always advance
 * time by instructions retired, so virtual time may lag host time but never
 * runs ahead of it in realtime pacing.
 */
export type TimePacing = "virtual" | "realtime";

/** Why {@link RunLoop.run} returned. */
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

/** What the run loop drives and reports to. */
export interface RunLoopDeps {
  readonly clock: VirtualClock;
  readonly timers: TimerQueue;
  readonly scheduler: FprrScheduler<Thread>;
  readonly events: EventBus<HypervisorEvents>;
  /** Every vCPU thread (the hypervisor's live list). */
  readonly threads: readonly Thread[];
  readonly components: ComponentHost;
  readonly cpuCount: number;
  readonly maxQuantumNs: number;
  readonly hostSliceMs: number;
  readonly pacing: TimePacing;
  /** Handle a vCPU's exit (exits.ts). */
  handleExit(cpu: number, t: Thread, kind: ExitKind, retired: number): void;
  /** A timer callback threw (contained: the other timers and the round go on). */
  onTimerError(error: unknown): void;
}

/** The lockstep run loop of one hypervisor. */
export class RunLoop {
  readonly #d: RunLoopDeps;
  readonly #cpus: PhysicalCpu[] = [];
  /** Global time at the start of the next round. */
  horizon = 0;
  /** CPU being run (-1 outside a round) and its local time. */
  cpu = -1;
  /** Local time of {@link cpu} (valid inside a round). */
  local = 0;
  /** End of the current round. */
  roundEnd = 0;
  #stopRequested = false;
  #kick: (() => void) | null = null;
  /** A host debugger holds the machine: no round runs, virtual time stands still. */
  #held = false;
  /** Realtime pacing's anchor: host ms and virtual ns that correspond. */
  #anchorWall = 0;
  #anchorVirt = 0;
  /** Shows each firing timer its own deadline as the current time (bound once: no per-round closure). */
  readonly #showTimerTime: (at: number) => void;
  /** Receives a throwing timer's error (bound once). */
  readonly #onTimerError: (error: unknown) => void;

  /** A loop over `deps.cpuCount` physical CPUs. */
  constructor(deps: RunLoopDeps) {
    this.#d = deps;
    const clock = deps.clock;
    this.#showTimerTime = (at: number): void => clock.setSliceTime(at);
    this.#onTimerError = (error: unknown): void => deps.onTimerError(error);
    for (let i = 0; i < deps.cpuCount; i++) {
      this.#cpus.push({ index: i, last: null, retired: 0, idleNs: 0 });
    }
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

  /** Whether a host debugger holds the machine ({@link hold}). */
  get held(): boolean {
    return this.#held;
  }

  /**
   * Hold (true) or release (false) the machine for a host debugger: while
   * held, {@link step} runs nothing and returns false, so virtual time,
   * timers and every CPU stand still; {@link run} waits for a release even
   * with `untilIdle`. Realtime pacing counts host time from the release, so
   * a long stop is not caught up afterwards.
   */
  hold(on: boolean): void {
    if (this.#held === on) return;
    this.#held = on;
    if (!on) {
      this.#anchorWall = performance.now();
      this.#anchorVirt = this.horizon;
      this.wake();
    }
  }

  /** One round; false when nothing can ever happen without outside help (or while {@link held}). */
  step(): boolean {
    if (this.#held) return false;
    const d = this.#d;
    const delivered = d.components.deliverVirqs();
    const T = this.horizon;
    d.clock.setSliceTime(T);
    d.timers.runDue(T, this.#showTimerTime, this.#onTimerError);
    d.clock.setSliceTime(T);
    this.#wakeExpired(T);
    let busy = false;
    for (let i = 0; i < d.cpuCount; i++) {
      if (d.scheduler.hasWork(i)) {
        busy = true;
        break;
      }
    }
    if (!busy && (delivered || d.components.pending())) return true;
    const next = this.nextEventTime();
    if (!busy) {
      if (next === Infinity) return false;
      const to = next > T ? next : T + d.clock.nsPerInstruction;
      if (d.events.has("time.jump")) d.events.emit("time.jump", { from: T, to });
      for (const c of this.#cpus) c.idleNs += to - T;
      this.horizon = to;
      d.clock.setSliceTime(to);
      return true;
    }
    let quantum = d.maxQuantumNs;
    if (next > T && next - T < quantum) quantum = next - T;
    if (quantum < d.clock.nsPerInstruction) quantum = d.clock.nsPerInstruction;
    const end = T + quantum;
    this.roundEnd = end;
    for (let i = 0; i < d.cpuCount; i++) this.#runCpu(i, T, end);
    this.cpu = -1;
    this.horizon = end;
    d.clock.setSliceTime(end);
    return true;
  }

  /** Rounds until `predicate()` holds, nothing can happen, or `maxTimeNs` passed. */
  runUntil(predicate: () => boolean, maxTimeNs = 10e9): boolean {
    const limit = this.horizon + maxTimeNs;
    while (!predicate()) {
      if (this.horizon >= limit || !this.step()) return predicate();
    }
    return true;
  }

  /** Run until {@link stop} or, with `untilIdle`, until nothing can happen. */
  async run(
    options: { readonly untilIdle?: boolean; readonly signal?: AbortSignal } = {},
  ): Promise<RunStopReason> {
    this.#stopRequested = false;
    const onAbort = () => this.stop();
    options.signal?.addEventListener("abort", onAbort);
    const hostYield = new HostYield();
    this.#anchorWall = performance.now();
    this.#anchorVirt = this.horizon;
    try {
      while (!this.#stopRequested) {
        const t0 = performance.now();
        let idle = false;
        let pacedMs = 0;
        while (!this.#stopRequested) {
          if (this.#d.pacing === "realtime") {
            pacedMs = this.#realtimeWaitMs(this.#anchorWall, this.#anchorVirt);
            if (pacedMs > 0) break;
          }
          if (!this.step()) {
            idle = true;
            break;
          }
          if (performance.now() - t0 >= this.#d.hostSliceMs) break;
        }
        if (pacedMs > 0) {
          await this.#sleep(pacedMs);
        } else if (idle) {
          if (options.untilIdle && !this.#held) return "idle";
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
    const d = this.#d;
    for (let i = 0; i < d.cpuCount; i++) if (d.scheduler.hasWork(i)) return 0;
    if (d.components.pending()) return 0;
    const next = this.nextEventTime();
    if (next === Infinity || next <= this.horizon) return 0;
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
      current: this.#d.scheduler.cpus[c.index].current?.owner.describeName() ?? null,
      retired: c.retired,
      idleNs: c.idleNs,
    }));
  }

  /** The next deadline: the timer queue's and every running vCPU's. */
  nextEventTime(): number {
    let next = this.#d.timers.nextDeadline;
    for (const t of this.#d.threads) {
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
    for (const t of this.#d.threads) {
      const wfi = t.isBlocked(SchedulerBlock.VCPU_WFI);
      const suspended = t.isBlocked(SchedulerBlock.VCPU_SUSPEND);
      if (!wfi && !suspended) continue;
      const a = t.arch;
      if (a === null || !(a.hasPendingInterrupt() || a.nextDeadline() <= now)) continue;
      if (wfi) t.unblock(SchedulerBlock.VCPU_WFI);
      if (suspended) t.unblock(SchedulerBlock.VCPU_SUSPEND);
    }
  }

  /** An interrupt for vCPU `index` of `vm`: end its WFI, suspend or directed yield. */
  wakeVcpu(vm: VmContext, index: number): void {
    const t = vm.vcpus[index];
    if (t === undefined) return;
    // HYP vcpu_wakeup: an interrupt for a yielding vCPU ends its directed yield.
    if (t.sched.yielding) this.#d.scheduler.cancelDirectedYield(t.sched);
    if (t.isBlocked(SchedulerBlock.VCPU_WFI)) t.unblock(SchedulerBlock.VCPU_WFI);
    if (t.isBlocked(SchedulerBlock.VCPU_SUSPEND)) t.unblock(SchedulerBlock.VCPU_SUSPEND);
    this.wake();
  }

  #runCpu(cpu: number, start: number, end: number): void {
    const d = this.#d;
    const clock = d.clock;
    const scheduler = d.scheduler;
    const sc = scheduler.cpus[cpu];
    const pc = this.#cpus[cpu];
    this.cpu = cpu;
    this.local = start;
    while (this.local < end) {
      if (sc.needResched || sc.current === null) this.#reschedule(cpu, pc);
      const st = sc.current;
      if (st === null) break;
      const t = st.owner;
      if (this.local < t.readySince) {
        // Woken later in this round by a CPU that ran before this one: wait for that moment.
        if (t.readySince >= end) break;
        pc.idleNs += t.readySince - this.local;
        this.local = t.readySince;
      }
      if (t.threadState === ThreadState.KILLED) {
        t.exit();
        continue;
      }
      if (!scheduler.isRunnable(st)) {
        sc.needResched = true;
        continue;
      }
      let limit = end;
      const sd = scheduler.sliceDeadline(cpu);
      if (sd < limit) limit = sd;
      if (limit <= this.local) {
        sc.needResched = true;
        continue;
      }
      const arch = t.arch!;
      clock.setSliceTime(this.local);
      const kind = arch.run(clock.nsToInstructions(limit - this.local));
      const retired = arch.retired > 0 ? arch.retired : 1;
      this.local += retired * clock.nsPerInstruction;
      pc.retired += retired;
      // Exit handling (and the events it emits) happens at the exit's time.
      clock.setSliceTime(this.local);
      d.handleExit(cpu, t, kind, retired);
    }
    if (this.local < end) pc.idleNs += end - this.local;
    if (scheduler.sliceDeadline(cpu) <= end) sc.needResched = true;
  }

  #reschedule(cpu: number, pc: PhysicalCpu): void {
    const events = this.#d.events;
    const next: SchedThread<Thread> | null = this.#d.scheduler.schedule(cpu, this.local);
    const t = next ? next.owner : null;
    if (t !== pc.last) {
      if (events.has("sched.switch")) {
        events.emit("sched.switch", {
          time: this.local,
          cpu,
          from: pc.last ? pc.last.describeName() : null,
          thread: t ? t.describeName() : null,
        });
      }
      pc.last = t;
    }
  }
}
