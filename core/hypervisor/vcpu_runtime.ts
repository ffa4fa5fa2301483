/**
 * The vCPU runtime the thread module's hypercalls call into
 * (`scheduler_yield`, `vcpu_run`), including proxy scheduling.
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
 * @module
 */
import type { HypercallContext } from "../hypercall/context.ts";
import type { VcpuRuntime } from "../object/thread/hypercalls.ts";
import { Thread, type VcpuRunReport } from "../object/thread/thread.ts";
import { ThreadState, VcpuRunState } from "../object/thread/thread_types.ts";
import { CPU_NONE, type FprrScheduler } from "../sched/fprr.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";
import type { VirtualClock } from "../time/virtual_clock.ts";
import type { ExitHandler } from "./exits.ts";
import type { RunLoop } from "./run_loop.ts";

/** The hypervisor's {@link VcpuRuntime}: yields and proxy-scheduled `vcpu_run`. */
export class ProxyRuntime implements VcpuRuntime {
  readonly #scheduler: FprrScheduler<Thread>;
  readonly #clock: VirtualClock;
  readonly #loop: RunLoop;
  readonly #exits: ExitHandler;
  /** The proxy vCPU being run inside a vcpu_run call, and whether it yielded. */
  #proxyThread: Thread | null = null;
  #proxyYielded = false;

  /** A runtime over the loop's CPUs and time. */
  constructor(
    scheduler: FprrScheduler<Thread>,
    clock: VirtualClock,
    loop: RunLoop,
    exits: ExitHandler,
  ) {
    this.#scheduler = scheduler;
    this.#clock = clock;
    this.#loop = loop;
    this.#exits = exits;
  }

  /** `scheduler_yield` hint 0. */
  yield(ctx: HypercallContext): void {
    // A proxy vCPU yielding ends the directed yield it runs in (HYP
    // scheduler_yield with yielded_from set): its vcpu_run returns.
    if (ctx.thread !== null && ctx.thread === this.#proxyThread) {
      this.#proxyYielded = true;
      return;
    }
    const cpu = cpuOfCaller(ctx);
    if (cpu >= 0) this.#scheduler.yield(cpu);
  }

  /** `scheduler_yield` hint 1. */
  yieldTo(ctx: HypercallContext, target: Thread): void {
    if (ctx.thread !== null && ctx.thread === this.#proxyThread) {
      this.#proxyYielded = true;
      return;
    }
    const cpu = cpuOfCaller(ctx);
    if (cpu >= 0) this.#scheduler.yieldTo(cpu, target.sched);
  }

  /** `vcpu_run`: run a proxy-scheduled vCPU in the caller's place. */
  runProxy(ctx: HypercallContext, vcpu: Thread, out: VcpuRunReport): void {
    const s = this.#scheduler;
    const clock = this.#clock;
    const loop = this.#loop;
    s.unblock(vcpu.sched, SchedulerBlock.VCPU_RUN);
    const caller = ctx.thread instanceof Thread ? ctx.thread : null;
    const native = caller === null || loop.cpu < 0;
    let local = native ? loop.horizon : loop.local;
    let end = native
      ? local +
        Math.min(
          vcpu.sched.baseTimeslice,
          Math.max(loop.nextEventTime() - local, clock.nsPerInstruction),
        )
      : loop.roundEnd;
    const cpu = native ? -1 : loop.cpu;
    if (end <= local) end = local + clock.nsPerInstruction;
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
      clock.setSliceTime(local);
      const kind = arch.run(clock.nsToInstructions(end - local));
      const retired = arch.retired > 0 ? arch.retired : 1;
      local += retired * clock.nsPerInstruction;
      clock.setSliceTime(local);
      this.#exits.handle(cpu, vcpu, kind, retired);
      if (caller !== null && caller.arch !== null && caller.arch.hasPendingInterrupt()) break;
    }
    vcpu.sched.runningOn = prevRunning;
    this.#proxyThread = outerProxy;
    this.#proxyYielded = outerYielded;
    if (native) {
      loop.horizon = local;
      clock.setSliceTime(local);
    } else {
      loop.local = local;
    }
    if (s.isRunnable(vcpu.sched)) {
      out.state = VcpuRunState.READY;
      out.data0 = out.data1 = out.data2 = 0n;
    } else {
      vcpu.runCheck(out);
    }
    s.block(vcpu.sched, SchedulerBlock.VCPU_RUN);
  }
}

function cpuOfCaller(ctx: HypercallContext): number {
  const t = ctx.thread;
  if (!(t instanceof Thread)) return -1;
  return t.sched.runningOn;
}
