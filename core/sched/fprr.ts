/**
 * FPRR: Gunyah's fixed-priority round-robin scheduler (HYP
 * `hyp/core/scheduler_fprr/`), over virtual time.
 *
 * Each physical CPU has 64 run queues, one per priority (0 lowest … 63
 * highest), and one *active* thread that is not in any queue while it holds
 * the CPU. Rescheduling a CPU at time `now`:
 *
 * - the active thread's timeslice is charged; if it is used up, it is refilled
 *   and any directed yield of that thread ends;
 * - the highest-priority queued thread replaces the active one if its priority
 *   is higher, or equal when the active thread's timeslice has expired
 *   (round-robin within a priority);
 * - a displaced thread goes back to the tail of its queue when its timeslice
 *   expired, else to the head (it keeps the rest of its slice);
 * - if the chosen thread is in a directed yield, its yield target runs in its
 *   place (on its timeslice) as long as the target is runnable, has this CPU
 *   or no affinity, and is not running elsewhere.
 *
 * A thread becomes queued when its last block bit clears; it preempts when it
 * has higher priority than its CPU's active thread. A thread without affinity
 * (`CPU_NONE`) is never queued: it only runs through a directed yield
 * (proxy scheduling).
 *
 * Everything here runs on the host thread that runs the CPUs, so there are no
 * locks; "sending an IPI" is setting the target CPU's reschedule flag, which
 * the run loop checks after every exit.
 *
 * @example
 * ```ts
 * const sched = new FprrScheduler<string>(1);
 * const a = sched.createThread("a", { affinity: 0 });
 * sched.unblock(a, SchedulerBlock.THREAD_LIFECYCLE);
 * sched.schedule(0, 0) === a; // true
 * ```
 *
 * @module
 */
import { blockBit, NON_KILLABLE_BLOCK_MASK, SchedulerBlock } from "./scheduler_block.ts";

/** Lowest priority (HYP `SCHEDULER_MIN_PRIORITY`). */
export const SCHEDULER_MIN_PRIORITY = 0;
/** Highest priority (HYP `SCHEDULER_MAX_PRIORITY`); 63 is reserved for EL2 tasks. */
export const SCHEDULER_MAX_PRIORITY = 63;
/** Number of priority levels (HYP `SCHEDULER_NUM_PRIORITIES`). */
export const SCHEDULER_NUM_PRIORITIES = 64;
/** Default priority (HYP `SCHEDULER_DEFAULT_PRIORITY` = 64 / 2). */
export const SCHEDULER_DEFAULT_PRIORITY = 32;
/** Minimum timeslice, ns (HYP `scheduler_fprr.tc` `SCHEDULER_MIN_TIMESLICE`, 100 µs). */
export const SCHEDULER_MIN_TIMESLICE = 100_000;
/** Maximum timeslice, ns (HYP `SCHEDULER_MAX_TIMESLICE`, 100 ms). */
export const SCHEDULER_MAX_TIMESLICE = 100_000_000;
/** Default timeslice, ns (HYP `SCHEDULER_DEFAULT_TIMESLICE`, 5 ms). */
export const SCHEDULER_DEFAULT_TIMESLICE = 5_000_000;
/**
 * "No CPU": no affinity, or not running. The scheduler's own sentinel; the
 * ABI's 16-bit `CPU_NONE` (core/abi/formats.ts) decodes to it.
 */
export const CPU_NONE: number = -1;

/** Scheduler-side state of one thread (HYP `thread_t` `scheduler_*` fields). */
export class SchedThread<T = unknown> {
  /** Fixed priority 0..63. */
  priority: number = SCHEDULER_DEFAULT_PRIORITY;
  /** Configured timeslice, ns. */
  baseTimeslice: number = SCHEDULER_DEFAULT_TIMESLICE;
  /** What is left of the current timeslice, ns (charged on reschedule). */
  activeTimeslice: number = SCHEDULER_DEFAULT_TIMESLICE;
  /** CPU the thread is bound to, or {@link CPU_NONE}. */
  affinity: number = CPU_NONE;
  /** Bitmap of {@link SchedulerBlock} reasons. A new thread is blocked by THREAD_LIFECYCLE. */
  blockBits: number = blockBit(SchedulerBlock.THREAD_LIFECYCLE);
  /** Set when the thread was killed: only non-killable block bits still hold it. */
  killed = false;
  /** Set when the thread exited; it never runs again. */
  exited = false;
  /** In a run queue, or active on its CPU. */
  queued = false;
  /** CPU this thread is currently selected to run on, or {@link CPU_NONE}. */
  runningOn: number = CPU_NONE;
  /** Directed-yield state: yielding its CPU time to {@link yieldTo}. */
  yielding = false;
  /** Target of the directed yield. */
  yieldTo: SchedThread<T> | null = null;
  /** Pinned threads cannot change affinity (directed yields pin the yielder). */
  pinCount = 0;

  /** @internal Run-queue links. */
  next: SchedThread<T> | null = null;
  /** @internal */
  prev: SchedThread<T> | null = null;

  /** State for `owner`, number `id` in creation order. */
  constructor(
    /** Creation order; stable identity for deterministic traces. */
    readonly id: number,
    /** The object this state belongs to (the thread / vCPU). */
    readonly owner: T,
  ) {}
}

/** Options for {@link FprrScheduler.createThread}. */
export interface SchedThreadOptions {
  /** Priority 0..63 (default 32). */
  readonly priority?: number;
  /** Timeslice in ns, 100 µs … 100 ms (default 5 ms). */
  readonly timeslice?: number;
  /** CPU index (default none). */
  readonly affinity?: number;
}

class RunQueue<T> {
  head: SchedThread<T> | null = null;
  tail: SchedThread<T> | null = null;
}

/** Per-physical-CPU scheduler state (HYP `scheduler_t` plus CPU-local pointers). */
export class CpuSchedState<T> {
  /** One queue per priority; index = priority (head/tail of an intrusive list). */
  readonly runqueue: { head: SchedThread<T> | null; tail: SchedThread<T> | null }[] = [];
  /** Bit p (p < 32) set when queue p is non-empty. */
  bitmapLo = 0;
  /** Bit p-32 set when queue p (p >= 32) is non-empty. */
  bitmapHi = 0;
  /** The thread holding the CPU (not in any queue). */
  active: SchedThread<T> | null = null;
  /** The thread actually selected to run: `active` or its directed-yield target. */
  current: SchedThread<T> | null = null;
  /** When `current` is a yield target, the thread that yielded to it. */
  yieldedFrom: SchedThread<T> | null = null;
  /** Time of the last reschedule (start of the active thread's slice). */
  schedtime = 0;
  /** Set when something happened that needs {@link FprrScheduler.schedule} on this CPU. */
  needResched = true;

  constructor() {
    for (let i = 0; i < SCHEDULER_NUM_PRIORITIES; i++) this.runqueue.push(new RunQueue<T>());
  }
}

/** Result codes of scheduler operations (mapped to Gunyah errors by the hypercall layer). */
export const enum SchedResult {
  OK = 0,
  /** Value out of range (ERROR_ARGUMENT_INVALID). */
  ArgumentInvalid = 1,
  /** Thread is pinned (ERROR_DENIED). */
  Denied = 2,
}

/** The FPRR scheduler for `cpuCount` physical CPUs. */
export class FprrScheduler<T = unknown> {
  /** Per-CPU state, index = physical CPU index. */
  readonly cpus: CpuSchedState<T>[] = [];
  #nextId = 0;

  /** A scheduler for `cpuCount` physical CPUs (a positive integer). */
  constructor(readonly cpuCount: number) {
    if (!Number.isInteger(cpuCount) || cpuCount < 1) {
      throw new RangeError(`cpuCount must be a positive integer, got ${cpuCount}`);
    }
    for (let i = 0; i < cpuCount; i++) this.cpus.push(new CpuSchedState<T>());
  }

  /** Create the scheduler state for a new thread (blocked by THREAD_LIFECYCLE). */
  createThread(owner: T, options: SchedThreadOptions = {}): SchedThread<T> {
    const t = new SchedThread<T>(this.#nextId++, owner);
    if (options.priority !== undefined) {
      if (!validPriority(options.priority)) {
        throw new RangeError(`bad priority ${options.priority}`);
      }
      t.priority = options.priority;
    }
    if (options.timeslice !== undefined) {
      if (!validTimeslice(options.timeslice)) {
        throw new RangeError(`bad timeslice ${options.timeslice}`);
      }
      t.baseTimeslice = t.activeTimeslice = options.timeslice;
    }
    if (options.affinity !== undefined) {
      if (!this.validCpu(options.affinity)) throw new RangeError(`bad cpu ${options.affinity}`);
      t.affinity = options.affinity;
    }
    return t;
  }

  /** Whether `cpu` is a CPU index of this scheduler. */
  validCpu(cpu: number): boolean {
    return Number.isInteger(cpu) && cpu >= 0 && cpu < this.cpuCount;
  }

  /** Whether no block bit holds the thread (HYP `can_be_scheduled`). */
  isRunnable(t: SchedThread<T>): boolean {
    let bits = t.blockBits;
    if (t.killed) bits &= NON_KILLABLE_BLOCK_MASK;
    return bits === 0 && !t.exited;
  }

  /** Whether `block` is set for the thread. */
  isBlocked(t: SchedThread<T>, block: SchedulerBlock): boolean {
    return (t.blockBits & (1 << block)) !== 0;
  }

  /** Set a block reason; dequeues the thread if it stops being runnable. */
  block(t: SchedThread<T>, block: SchedulerBlock): void {
    t.blockBits |= 1 << block;
    if (t.queued && !this.isRunnable(t)) this.#remove(t);
    if (t.runningOn !== CPU_NONE && !this.isRunnable(t)) {
      this.cpus[t.runningOn].needResched = true;
    }
  }

  /**
   * Clear a block reason. Returns true when the thread became runnable (it is
   * then queued on its CPU, which is flagged for rescheduling if the thread
   * should preempt).
   */
  unblock(t: SchedThread<T>, block: SchedulerBlock): boolean {
    const wasRunnable = this.isRunnable(t);
    t.blockBits &= ~(1 << block);
    const now = this.isRunnable(t);
    if (!wasRunnable && now) {
      this.#add(t);
      return true;
    }
    return false;
  }

  /** Mark the thread killed: it becomes runnable unless a non-killable block holds it. */
  kill(t: SchedThread<T>): void {
    if (t.exited || t.killed) return;
    const wasRunnable = this.isRunnable(t);
    t.killed = true;
    if (!wasRunnable && this.isRunnable(t)) this.#add(t);
    else if (t.runningOn !== CPU_NONE) this.cpus[t.runningOn].needResched = true;
  }

  /** Mark the thread exited: blocked by THREAD_LIFECYCLE forever, out of every queue. */
  exit(t: SchedThread<T>): void {
    t.blockBits |= blockBit(SchedulerBlock.THREAD_LIFECYCLE);
    t.killed = false;
    if (t.queued) this.#remove(t);
    t.exited = true;
    if (t.runningOn !== CPU_NONE) this.cpus[t.runningOn].needResched = true;
  }

  /** Set the priority; {@link SchedResult.ArgumentInvalid} above 63 (HYP `scheduler_set_priority`). */
  setPriority(t: SchedThread<T>, priority: number): SchedResult {
    if (!validPriority(priority)) return SchedResult.ArgumentInvalid;
    if (t.priority !== priority) this.#updateParams(t, priority, t.baseTimeslice);
    return SchedResult.OK;
  }

  /** Set the timeslice in ns; must be within 100 µs … 100 ms (HYP `scheduler_set_timeslice`). */
  setTimeslice(t: SchedThread<T>, timeslice: number): SchedResult {
    if (!validTimeslice(timeslice)) return SchedResult.ArgumentInvalid;
    if (t.baseTimeslice !== timeslice) this.#updateParams(t, t.priority, timeslice);
    return SchedResult.OK;
  }

  /**
   * Move the thread to `cpu` (or {@link CPU_NONE}). A pinned thread
   * cannot move ({@link SchedResult.Denied}). The change is immediate: this
   * model has no cross-CPU synchronisation to wait for.
   */
  setAffinity(t: SchedThread<T>, cpu: number): SchedResult {
    if (cpu !== CPU_NONE && !this.validCpu(cpu)) return SchedResult.ArgumentInvalid;
    if (t.affinity === cpu) return SchedResult.OK;
    if (t.pinCount !== 0) return SchedResult.Denied;
    const requeue = t.queued;
    if (requeue) this.#remove(t);
    if (t.runningOn !== CPU_NONE) this.cpus[t.runningOn].needResched = true;
    t.affinity = cpu;
    if (requeue || (this.isRunnable(t) && !t.queued)) this.#add(t);
    return SchedResult.OK;
  }

  /** Pin: forbid affinity changes (HYP `scheduler_pin`). */
  pin(t: SchedThread<T>): void {
    t.pinCount++;
  }

  /** Undo one {@link pin}. */
  unpin(t: SchedThread<T>): void {
    if (t.pinCount > 0) t.pinCount--;
  }

  /**
   * `scheduler_yield` by the thread running on `cpu`: ends a directed yield to
   * it, or else gives up the rest of its timeslice.
   */
  yield(cpu: number): void {
    const c = this.cpus[cpu];
    if (c.yieldedFrom !== null) {
      this.#endDirectedYield(c.yieldedFrom);
    } else if (c.current !== null) {
      c.current.activeTimeslice = 0;
    }
    c.needResched = true;
  }

  /**
   * Directed yield of the thread running on `cpu` to `target` (HYP
   * `scheduler_yield_to`): the target runs on this CPU in the yielder's place,
   * on the yielder's timeslice, until that slice ends, the target blocks, or
   * the yield is cancelled.
   */
  yieldTo(cpu: number, target: SchedThread<T>): void {
    const c = this.cpus[cpu];
    const current = c.current;
    if (current === null || current === target) return;
    const from = c.yieldedFrom;
    if (from === target) {
      this.#endDirectedYield(from);
    } else if (from !== null) {
      from.yieldTo = target;
    } else {
      this.pin(current);
      current.yieldTo = target;
      current.yielding = true;
    }
    c.needResched = true;
  }

  /** Cancel a directed yield of `t` (e.g. the yielder got an interrupt: HYP `vcpu_wakeup`). */
  cancelDirectedYield(t: SchedThread<T>): void {
    if (!t.yielding) return;
    this.#endDirectedYield(t);
    if (t.runningOn !== CPU_NONE) this.cpus[t.runningOn].needResched = true;
    if (t.queued && t.affinity !== CPU_NONE && this.cpus[t.affinity].active === t) {
      this.cpus[t.affinity].needResched = true;
    }
  }

  /**
   * Reschedule `cpu` at virtual time `now` (HYP `scheduler_schedule`). Returns
   * the thread to run, or null to idle.
   */
  schedule(cpu: number, now: number): SchedThread<T> | null {
    const c = this.cpus[cpu];
    c.needResched = false;
    const prev = c.active;
    let target = prev;
    let expired = false;
    if (prev !== null) {
      const timeout = c.schedtime + prev.activeTimeslice;
      expired = timeout <= now;
      if (expired) {
        prev.activeTimeslice = prev.baseTimeslice;
        if (prev.yielding) this.#endDirectedYield(prev);
      } else {
        prev.activeTimeslice = timeout - now;
      }
    }
    const top = highestQueued(c);
    if (top >= 0) {
      const shouldSwitch = target === null ||
        (expired ? top >= target.priority : top > target.priority);
      if (shouldSwitch) target = this.#popHead(c, top);
    }
    c.active = target;
    c.schedtime = now;
    if (prev !== null && prev !== target) this.#enqueue(c, prev, expired);

    // Directed yield: run the yield target in the active thread's place.
    let run = target;
    c.yieldedFrom = null;
    if (target !== null && target.yielding) {
      const y = target.yieldTo!;
      if (this.#canYieldTo(cpu, y)) {
        run = y;
        c.yieldedFrom = target;
      } else {
        this.#endDirectedYield(target);
      }
    }
    if (c.current !== null && c.current !== run && c.current.runningOn === cpu) {
      c.current.runningOn = CPU_NONE;
    }
    c.current = run;
    if (run !== null) run.runningOn = cpu;
    return run;
  }

  /**
   * Absolute time at which `cpu` must be rescheduled for timeslice reasons:
   * the end of the active thread's slice when another thread of its priority
   * is waiting or it is yielding (HYP `set_next_timeout`), else `Infinity`.
   */
  sliceDeadline(cpu: number): number {
    const c = this.cpus[cpu];
    const a = c.active;
    if (a === null) return Infinity;
    if (a.yielding || queueNonEmpty(c, a.priority)) return c.schedtime + a.activeTimeslice;
    return Infinity;
  }

  /** Whether `cpu` has anything to run (active thread or queued threads). */
  hasWork(cpu: number): boolean {
    const c = this.cpus[cpu];
    return c.active !== null || c.bitmapLo !== 0 || c.bitmapHi !== 0;
  }

  /** Threads queued on `cpu`, highest priority first (for the dashboard and tests). */
  queuedOn(cpu: number): SchedThread<T>[] {
    const c = this.cpus[cpu];
    const out: SchedThread<T>[] = [];
    for (let p = SCHEDULER_MAX_PRIORITY; p >= 0; p--) {
      for (let t = c.runqueue[p].head; t !== null; t = t.next) out.push(t);
    }
    return out;
  }

  #canYieldTo(cpu: number, y: SchedThread<T>): boolean {
    if (y.affinity !== CPU_NONE && y.affinity !== cpu) return false;
    if (y.runningOn !== CPU_NONE && y.runningOn !== cpu) return false;
    return this.isRunnable(y);
  }

  #endDirectedYield(t: SchedThread<T>): void {
    if (!t.yielding && t.yieldTo === null) return;
    t.yielding = false;
    t.yieldTo = null;
    this.unpin(t);
  }

  #updateParams(t: SchedThread<T>, priority: number, timeslice: number): void {
    const requeue = t.queued;
    if (requeue) this.#remove(t);
    t.priority = priority;
    t.baseTimeslice = timeslice;
    t.activeTimeslice = timeslice;
    if (requeue) this.#add(t);
  }

  /** HYP `add_thread_to_scheduler`. */
  #add(t: SchedThread<T>): void {
    if (t.queued || t.affinity === CPU_NONE) return;
    const c = this.cpus[t.affinity];
    if (c.active === null || (c.bitmapLo === 0 && c.bitmapHi === 0)) {
      c.needResched = true;
    } else if (t.priority >= c.active.priority) {
      c.needResched = true;
    }
    // A running yield target (not active) must be re-evaluated too.
    if (c.current !== null && c.current !== c.active) c.needResched = true;
    t.activeTimeslice = t.baseTimeslice;
    t.queued = true;
    this.#enqueue(c, t, true);
  }

  /** HYP `remove_thread_from_scheduler`. */
  #remove(t: SchedThread<T>): void {
    const wasYielding = t.yielding;
    if (wasYielding) this.#endDirectedYield(t);
    if (t.affinity === CPU_NONE) {
      t.queued = false;
      return;
    }
    const c = this.cpus[t.affinity];
    if (c.active === t) {
      c.active = null;
      c.needResched = true;
    } else {
      this.#unlink(c, t);
    }
    t.queued = false;
  }

  #enqueue(c: CpuSchedState<T>, t: SchedThread<T>, atTail: boolean): void {
    const q = c.runqueue[t.priority];
    if (q.head === null) {
      q.head = q.tail = t;
      t.next = t.prev = null;
      setBit(c, t.priority);
    } else if (atTail) {
      t.prev = q.tail;
      t.next = null;
      q.tail!.next = t;
      q.tail = t;
    } else {
      t.next = q.head;
      t.prev = null;
      q.head.prev = t;
      q.head = t;
    }
  }

  #unlink(c: CpuSchedState<T>, t: SchedThread<T>): void {
    const q = c.runqueue[t.priority];
    if (t.prev !== null) t.prev.next = t.next;
    else if (q.head === t) q.head = t.next;
    else return; // not linked
    if (t.next !== null) t.next.prev = t.prev;
    else q.tail = t.prev;
    t.next = t.prev = null;
    if (q.head === null) clearBit(c, t.priority);
  }

  #popHead(c: CpuSchedState<T>, priority: number): SchedThread<T> {
    const t = c.runqueue[priority].head!;
    this.#unlink(c, t);
    return t;
  }
}

function validPriority(p: number): boolean {
  return Number.isInteger(p) && p >= SCHEDULER_MIN_PRIORITY && p <= SCHEDULER_MAX_PRIORITY;
}

function validTimeslice(ns: number): boolean {
  return Number.isFinite(ns) && ns >= SCHEDULER_MIN_TIMESLICE && ns <= SCHEDULER_MAX_TIMESLICE;
}

function setBit<T>(c: CpuSchedState<T>, p: number): void {
  if (p < 32) c.bitmapLo |= 1 << p;
  else c.bitmapHi |= 1 << (p - 32);
}

function clearBit<T>(c: CpuSchedState<T>, p: number): void {
  if (p < 32) c.bitmapLo &= ~(1 << p);
  else c.bitmapHi &= ~(1 << (p - 32));
}

function queueNonEmpty<T>(c: CpuSchedState<T>, p: number): boolean {
  return p < 32 ? (c.bitmapLo & (1 << p)) !== 0 : (c.bitmapHi & (1 << (p - 32))) !== 0;
}

/** Highest priority with a non-empty queue, or -1. */
function highestQueued<T>(c: CpuSchedState<T>): number {
  if (c.bitmapHi !== 0) return 63 - Math.clz32(c.bitmapHi);
  if (c.bitmapLo !== 0) return 31 - Math.clz32(c.bitmapLo);
  return -1;
}
