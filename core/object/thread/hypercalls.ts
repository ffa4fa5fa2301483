/**
 * The thread/vCPU and scheduler hypercalls: capability lookup with the rights
 * HYP checks, argument validation, then the semantics in `thread.ts` (HYP
 * `hyp/vm/vcpu/aarch64/src/hypercalls.c`, `hyp/core/scheduler_fprr/src/hypercalls.c`,
 * `hyp/vm/vcpu_run/src/vcpu_run.c`; gunyah-abi.md §1.5-§1.7).
 *
 * | N | call | rights (lookup) |
 * |---|---|---|
 * | 0x34 | vcpu_configure | OBJECT_ACTIVATE (any state; INIT required) |
 * | 0x38 | vcpu_poweron | POWER (ACTIVE) |
 * | 0x39 | vcpu_poweroff | POWER (ACTIVE; must be the caller) |
 * | 0x3a | vcpu_kill | LIFECYCLE (ACTIVE) |
 * | 0x3b | scheduler_yield | YIELD_TO on arg1 for hint 1 |
 * | 0x3d | vcpu_set_affinity | AFFINITY (+DISABLE for -1) (INIT or ACTIVE) |
 * | 0x46 | vcpu_set_priority | PRIORITY (INIT) |
 * | 0x47 | vcpu_set_timeslice | TIMESLICE (INIT) |
 * | 0x5c | vcpu_bind_virq | BIND_VIRQ (ACTIVE) + vic BIND_SOURCE |
 * | 0x5d | vcpu_unbind_virq | BIND_VIRQ (ACTIVE) |
 * | 0x64 | vcpu_register_write | WRITE_CONTEXT (any state) |
 * | 0x65 | vcpu_run | AFFINITY and YIELD_TO (ACTIVE) |
 * | 0x68 | vcpu_run_check | BIND_VIRQ and STATE (ACTIVE) |
 *
 * @module
 */
import { HypError, HypErrorException } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE,
  CAP_RIGHTS_THREAD_AFFINITY,
  CAP_RIGHTS_THREAD_BIND_VIRQ,
  CAP_RIGHTS_THREAD_DISABLE,
  CAP_RIGHTS_THREAD_LIFECYCLE,
  CAP_RIGHTS_THREAD_POWER,
  CAP_RIGHTS_THREAD_PRIORITY,
  CAP_RIGHTS_THREAD_STATE,
  CAP_RIGHTS_THREAD_TIMESLICE,
  CAP_RIGHTS_THREAD_WRITE_CONTEXT,
  CAP_RIGHTS_THREAD_YIELD_TO,
  CAP_RIGHTS_VIC_BIND_SOURCE,
} from "../../abi/rights.ts";
import { CPU_INDEX_INVALID, decodeVirqInfo } from "../../abi/formats.ts";
import type { HypercallContext } from "../../hypercall/context.ts";
import { argU32, type HypercallTable } from "../../hypercall/table.ts";
import { CPU_NONE } from "../../sched/fprr.ts";
import { SchedulerBlock } from "../../sched/scheduler_block.ts";
import { ObjectState, ObjectType } from "../object_type.ts";
import type { Vic } from "../vic/vic.ts";
import { Thread, type VcpuRunReport } from "./thread.ts";
import { VcpuVirqSource } from "./vcpu_virq_source.ts";
import {
  VCPU_OPTION_FLAGS_VALID,
  VCPU_POWEROFF_FLAGS_VALID,
  VCPU_POWEROFF_LAST_VCPU,
  VCPU_POWERON_FLAGS_VALID,
  VcpuRunState,
  VcpuVirqType,
} from "./thread_types.ts";

/** `scheduler_yield_control` hint values (HYP `scheduler.tc`). */
export const enum SchedulerYieldHint {
  YIELD = 0,
  YIELD_TO_THREAD = 1,
  YIELD_LOWER = 2,
}
/** `scheduler_yield_control` bit 31: implementation-defined hint. */
export const SCHEDULER_YIELD_CONTROL_IMPL_DEF = 0x80000000;

/** What the hypercalls need from the hypervisor's run loop. */
export interface VcpuRuntime {
  /**
   * `vcpu_run`: run the proxy-scheduled `vcpu` (already unblocked from the
   * `vcpu_run` block) in the caller's place until it blocks or the caller's
   * time is up; the vCPU is re-blocked and its state is written to `out`.
   */
  runProxy(ctx: HypercallContext, vcpu: Thread, out: VcpuRunReport): void;
  /** `scheduler_yield` hint 0 by the caller. */
  yield(ctx: HypercallContext): void;
  /** `scheduler_yield` hint 1: directed yield of the caller to `target`. */
  yieldTo(ctx: HypercallContext, target: Thread): void;
}

function lookupVcpu(
  ctx: HypercallContext,
  cap: bigint,
  rights: number,
  activeOnly: boolean,
): Thread {
  const t = ctx.cspace.lookup<Thread>(cap, ObjectType.THREAD, rights, activeOnly);
  if (!(t instanceof Thread)) {
    throw new HypErrorException(HypError.ERROR_ARGUMENT_INVALID, "not a vCPU");
  }
  return t;
}

function check(err: HypError, detail?: string): void {
  if (err !== HypError.OK) throw new HypErrorException(err, detail ?? "");
}

function requireInit(t: Thread): void {
  if (t.state !== ObjectState.INIT) {
    check(HypError.ERROR_OBJECT_STATE, `${t.describeName()} not INIT`);
  }
}

/**
 * Decode a `cpu_index_t` argument (a 16-bit type in HYP): all-ones in the
 * low 16 bits (e.g. -1 in any width) is CPU_INDEX_INVALID, the scheduler's
 * CPU_NONE; a value that
 * does not fit 16 bits is rejected as out of range instead of truncated.
 */
function decodeCpuIndex(raw: bigint): number {
  if (raw === 0xffffffffffffffffn || (raw & 0xffffn) === BigInt(CPU_INDEX_INVALID)) {
    return CPU_NONE;
  }
  return raw > 0xffffn ? Number.MAX_SAFE_INTEGER : Number(raw);
}

/** Register every thread/vCPU/scheduler hypercall into `table`. */
export function registerThreadHypercalls(
  table: HypercallTable,
  runtime: VcpuRuntime,
  cpuCount: number,
): void {
  table.registerHypercall(Hypercall.VCPU_CONFIGURE, "vcpu_configure", (ctx, a) => {
    const options = a[1];
    // HYP checks the flags before the lookup: an unknown bit wins over every cap error.
    if ((options & ~VCPU_OPTION_FLAGS_VALID) !== 0n) {
      check(HypError.ERROR_ARGUMENT_INVALID, "undefined vcpu_option_flags bits");
    }
    const t = ctx.cspace.lookupAny(a[0], CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE);
    if (t.type !== ObjectType.THREAD) check(HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE);
    if (!(t instanceof Thread)) return check(HypError.ERROR_ARGUMENT_INVALID);
    requireInit(t);
    check(t.configure(options));
  });

  table.registerHypercall(Hypercall.VCPU_POWERON, "vcpu_poweron", (ctx, a) => {
    if ((a[3] & ~VCPU_POWERON_FLAGS_VALID) !== 0n) check(HypError.ERROR_ARGUMENT_INVALID);
    const t = lookupVcpu(ctx, a[0], CAP_RIGHTS_THREAD_POWER, true);
    check(t.poweron(a[1], a[2], a[3]));
  });

  table.registerHypercall(Hypercall.VCPU_POWEROFF, "vcpu_poweroff", (ctx, a) => {
    if ((a[1] & ~VCPU_POWEROFF_FLAGS_VALID) !== 0n) check(HypError.ERROR_ARGUMENT_INVALID);
    const t = lookupVcpu(ctx, a[0], CAP_RIGHTS_THREAD_POWER, true);
    if (t !== ctx.thread) {
      check(HypError.ERROR_ARGUMENT_INVALID, "vcpu_poweroff only powers off the caller");
    }
    check(t.poweroff((a[1] & VCPU_POWEROFF_LAST_VCPU) !== 0n));
  });

  table.registerHypercall(Hypercall.VCPU_KILL, "vcpu_kill", (ctx, a) => {
    check(lookupVcpu(ctx, a[0], CAP_RIGHTS_THREAD_LIFECYCLE, true).kill());
  });

  table.registerHypercall(Hypercall.SCHEDULER_YIELD, "scheduler_yield", (ctx, a) => {
    const control = argU32(a, 0);
    if (control & SCHEDULER_YIELD_CONTROL_IMPL_DEF) check(HypError.ERROR_ARGUMENT_INVALID);
    const hint = control & 0xffff;
    if (hint === SchedulerYieldHint.YIELD) {
      runtime.yield(ctx);
    } else if (hint === SchedulerYieldHint.YIELD_TO_THREAD) {
      const target = lookupVcpu(ctx, a[1], CAP_RIGHTS_THREAD_YIELD_TO, true);
      if (target !== ctx.thread) runtime.yieldTo(ctx, target);
    } else {
      check(HypError.ERROR_ARGUMENT_INVALID, `scheduler_yield hint ${hint}`);
    }
  });

  table.registerHypercall(Hypercall.VCPU_SET_AFFINITY, "vcpu_set_affinity", (ctx, a) => {
    const cpu = decodeCpuIndex(a[1]);
    let rights = CAP_RIGHTS_THREAD_AFFINITY;
    if (cpu === CPU_NONE) rights |= CAP_RIGHTS_THREAD_DISABLE;
    else if (cpu >= cpuCount) check(HypError.ERROR_ARGUMENT_INVALID, `no physical CPU ${cpu}`);
    const t = lookupVcpu(ctx, a[0], rights >>> 0, false);
    if (t.state !== ObjectState.INIT && t.state !== ObjectState.ACTIVE) {
      check(HypError.ERROR_OBJECT_STATE);
    }
    check(t.setAffinity(cpu));
  });

  table.registerHypercall(Hypercall.VCPU_SET_PRIORITY, "vcpu_set_priority", (ctx, a) => {
    const t = lookupVcpu(ctx, a[0], CAP_RIGHTS_THREAD_PRIORITY, false);
    if (a[1] > 62n) check(HypError.ERROR_DENIED, "vCPU priority above VCPU_MAX_PRIORITY (62)");
    requireInit(t);
    check(t.setPriority(a[1]));
  });

  table.registerHypercall(Hypercall.VCPU_SET_TIMESLICE, "vcpu_set_timeslice", (ctx, a) => {
    const t = lookupVcpu(ctx, a[0], CAP_RIGHTS_THREAD_TIMESLICE, false);
    requireInit(t);
    check(t.setTimeslice(a[1]));
  });

  table.registerHypercall(Hypercall.VCPU_BIND_VIRQ, "vcpu_bind_virq", (ctx, a) => {
    // HYP order: the vCPU cap, then the vic cap, then the type and binding rules.
    const t = lookupVcpu(ctx, a[0], CAP_RIGHTS_THREAD_BIND_VIRQ, true);
    const vic = ctx.cspace.lookup<Vic>(a[1], ObjectType.VIC, CAP_RIGHTS_VIC_BIND_SOURCE);
    const type = Number(a[3] & 0xffffffffn);
    if (type !== VcpuVirqType.HALT && type !== VcpuVirqType.VCPU_RUN_WAKEUP) {
      check(HypError.ERROR_ARGUMENT_INVALID, `vcpu_virq_type ${type}`);
    }
    if (t.hasVirq(type)) check(HypError.ERROR_VIRQ_BOUND);
    if (type === VcpuVirqType.VCPU_RUN_WAKEUP && t.sched.runningOn !== CPU_NONE) {
      check(HypError.ERROR_BUSY, "cannot switch a running vCPU to proxy scheduling");
    }
    // Shared sources bind to SPIs of the vic (HYP `vic_bind_shared`).
    const source = new VcpuVirqSource();
    source.bind(vic, decodeVirqInfo(a[2]), true);
    const err = t.bindVirq(type, source);
    if (err !== HypError.OK) source.unbind();
    check(err);
  });

  table.registerHypercall(Hypercall.VCPU_UNBIND_VIRQ, "vcpu_unbind_virq", (ctx, a) => {
    const t = lookupVcpu(ctx, a[0], CAP_RIGHTS_THREAD_BIND_VIRQ, true);
    const type = Number(a[1] & 0xffffffffn);
    if (type !== VcpuVirqType.HALT && type !== VcpuVirqType.VCPU_RUN_WAKEUP) {
      check(HypError.ERROR_ARGUMENT_INVALID, `vcpu_virq_type ${type}`);
    }
    check(t.unbindVirq(type));
  });

  table.registerHypercall(Hypercall.VCPU_REGISTER_WRITE, "vcpu_register_write", (ctx, a) => {
    const t = lookupVcpu(ctx, a[0], CAP_RIGHTS_THREAD_WRITE_CONTEXT, false);
    check(t.registerWrite(a[1], a[2], a[3]));
  });

  const report: VcpuRunReport = { state: VcpuRunState.READY, data0: 0n, data1: 0n, data2: 0n };
  const writeReport = (r: BigUint64Array): void => {
    r[1] = BigInt(report.state);
    r[2] = BigInt.asUintN(64, report.data0);
    r[3] = BigInt.asUintN(64, report.data1);
    r[4] = BigInt.asUintN(64, report.data2);
  };

  table.registerHypercall(Hypercall.VCPU_RUN, "vcpu_run", (ctx, a, r) => {
    const t = lookupVcpu(
      ctx,
      a[0],
      (CAP_RIGHTS_THREAD_AFFINITY | CAP_RIGHTS_THREAD_YIELD_TO) >>> 0,
      true,
    );
    // Not proxy scheduled, or being run by another caller right now.
    if (!t.isBlocked(SchedulerBlock.VCPU_RUN)) check(HypError.ERROR_BUSY);
    check(t.resumeFromRun(a[1]));
    runtime.runProxy(ctx, t, report);
    t.lastRunState = report.state;
    writeReport(r);
  });

  table.registerHypercall(Hypercall.VCPU_RUN_CHECK, "vcpu_run_check", (ctx, a, r) => {
    const t = lookupVcpu(
      ctx,
      a[0],
      (CAP_RIGHTS_THREAD_BIND_VIRQ | CAP_RIGHTS_THREAD_STATE) >>> 0,
      true,
    );
    // Runnable, i.e. held by nothing but the vcpu_run block (or not at all).
    const s = t.host.scheduler;
    let bits = t.sched.blockBits & ~(1 << SchedulerBlock.VCPU_RUN);
    if (t.sched.killed) bits = 0;
    if (s.isRunnable(t.sched) || (bits === 0 && !t.sched.exited)) check(HypError.ERROR_BUSY);
    t.runCheck(report);
    if (report.state === VcpuRunState.BLOCKED) check(HypError.ERROR_BUSY);
    writeReport(r);
  });
}
