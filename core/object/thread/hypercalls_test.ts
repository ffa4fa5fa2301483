import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_THREAD_AFFINITY,
  CAP_RIGHTS_THREAD_POWER,
  CAP_RIGHTS_THREAD_YIELD_TO,
} from "../../abi/rights.ts";
import { TestSystem } from "../../hypervisor/testing/setup.ts";
import { SCHEDULER_DEFAULT_PRIORITY, SCHEDULER_DEFAULT_TIMESLICE } from "../../sched/fprr.ts";
import { SchedulerBlock } from "../../sched/scheduler_block.ts";
import { ThreadState, VCPU_OPTION_VCPU_RUN_SCHEDULED } from "./thread_types.ts";

const HVC = 0x6000;

/** Copy `cap` into the root cspace with only `rights`. */
function weakCopy(sys: TestSystem, cap: bigint, rights: number): bigint {
  const cs = sys.hv.rootCspaceCap;
  return sys.ok(Hypercall.CSPACE_COPY_CAP_FROM, cs, cap, cs, BigInt(rights))[1];
}

Deno.test("new vCPU: Gunyah defaults, INIT until activated, powered off after", () => {
  const sys = new TestSystem({});
  const { cap, thread } = sys.createVcpu({}, false);
  assertEquals(thread.threadState, ThreadState.INIT);
  assertEquals(thread.sched.priority, SCHEDULER_DEFAULT_PRIORITY);
  assertEquals(thread.sched.baseTimeslice, SCHEDULER_DEFAULT_TIMESLICE);
  sys.ok(Hypercall.OBJECT_ACTIVATE, cap);
  assertEquals(thread.threadState, ThreadState.READY);
  assert(thread.isBlocked(SchedulerBlock.VCPU_OFF));
  assert(!thread.isBlocked(SchedulerBlock.THREAD_LIFECYCLE));
});

Deno.test("vcpu_set_priority / _set_timeslice / _configure: ranges and INIT-only", () => {
  const sys = new TestSystem({});
  const { cap, thread } = sys.createVcpu({}, false);
  assertEquals(sys.call(Hypercall.VCPU_SET_PRIORITY, cap, 63n).err, HypError.ERROR_DENIED);
  assertEquals(sys.call(Hypercall.VCPU_SET_PRIORITY, cap, 1000n).err, HypError.ERROR_DENIED);
  assertEquals(sys.call(Hypercall.VCPU_SET_PRIORITY, cap, 62n).err, HypError.OK);
  assertEquals(thread.sched.priority, 62);
  assertEquals(
    sys.call(Hypercall.VCPU_SET_TIMESLICE, cap, 99_999n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  assertEquals(
    sys.call(Hypercall.VCPU_SET_TIMESLICE, cap, 100_000_001n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  assertEquals(sys.call(Hypercall.VCPU_SET_TIMESLICE, cap, 100_000n).err, HypError.OK);
  assertEquals(
    sys.call(Hypercall.VCPU_CONFIGURE, cap, 1n << 6n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  assertEquals(
    sys.call(Hypercall.VCPU_CONFIGURE, cap, VCPU_OPTION_VCPU_RUN_SCHEDULED).err,
    HypError.OK,
  );
  sys.ok(Hypercall.OBJECT_ACTIVATE, cap);
  assertEquals(sys.call(Hypercall.VCPU_SET_PRIORITY, cap, 10n).err, HypError.ERROR_OBJECT_STATE);
  assertEquals(
    sys.call(Hypercall.VCPU_SET_TIMESLICE, cap, 200_000n).err,
    HypError.ERROR_OBJECT_STATE,
  );
  assertEquals(sys.call(Hypercall.VCPU_CONFIGURE, cap, 0n).err, HypError.ERROR_OBJECT_STATE);
  assert(thread.vcpuRunEnabled);
});

Deno.test("vcpu_set_affinity: CPU range, -1 needs DISABLE, allowed while ACTIVE", () => {
  const sys = new TestSystem({}, 2);
  const { cap, thread } = sys.createVcpu({});
  assertEquals(
    sys.call(Hypercall.VCPU_SET_AFFINITY, cap, 2n, -1n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  assertEquals(sys.call(Hypercall.VCPU_SET_AFFINITY, cap, 1n, -1n).err, HypError.OK);
  assertEquals(thread.sched.affinity, 1);
  const weak = weakCopy(sys, cap, CAP_RIGHTS_THREAD_AFFINITY);
  assertEquals(
    sys.call(Hypercall.VCPU_SET_AFFINITY, weak, -1n, -1n).err,
    HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
  );
  assertEquals(sys.call(Hypercall.VCPU_SET_AFFINITY, weak, 0n, -1n).err, HypError.OK);
  assertEquals(sys.call(Hypercall.VCPU_SET_AFFINITY, cap, -1n, -1n).err, HypError.OK);
  assertEquals(thread.sched.affinity, -1);
});

Deno.test("cap errors: missing rights, wrong object type, bad CapID", () => {
  const sys = new TestSystem({ 0x1000: [] });
  const { cap } = sys.createVcpu({});
  const noPower = weakCopy(sys, cap, CAP_RIGHTS_THREAD_YIELD_TO);
  assertEquals(
    sys.call(Hypercall.VCPU_POWERON, noPower, 0x1000n, 0n, 0n).err,
    HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
  );
  assertEquals(
    sys.call(Hypercall.VCPU_KILL, noPower).err,
    HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
  );
  // vcpu_run needs AFFINITY and YIELD_TO.
  assertEquals(
    sys.call(Hypercall.VCPU_RUN, noPower, 0n, 0n, 0n).err,
    HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
  );
  assertEquals(
    sys.call(Hypercall.VCPU_POWERON, sys.hv.rootCspaceCap, 0x1000n, 0n, 0n).err,
    HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
  );
  assertEquals(sys.call(Hypercall.VCPU_KILL, 0x5555n).err < 0 ? -1 : 1, 1); // some cap error, never OK
  assert(sys.call(Hypercall.VCPU_KILL, 0x5555n).err !== HypError.OK);
});

Deno.test("power state errors: poweron twice BUSY, INIT vCPU, bad flags, poweroff of another", () => {
  const sys = new TestSystem({ 0x1000: [] });
  const { cap: initCap } = sys.createVcpu({}, false);
  assertEquals(
    sys.call(Hypercall.VCPU_POWERON, initCap, 0x1000n, 0n, 0n).err,
    HypError.ERROR_OBJECT_STATE,
  );
  const { cap } = sys.createVcpu({});
  assertEquals(
    sys.call(Hypercall.VCPU_POWERON, cap, 0x1000n, 0n, 4n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  assertEquals(sys.call(Hypercall.VCPU_POWERON, cap, 0x1000n, 0n, 0n).err, HypError.OK);
  assertEquals(sys.call(Hypercall.VCPU_POWERON, cap, 0x1000n, 0n, 0n).err, HypError.ERROR_BUSY);
  // A native caller is not that vCPU.
  assertEquals(sys.call(Hypercall.VCPU_POWEROFF, cap, 0n).err, HypError.ERROR_ARGUMENT_INVALID);
  assertEquals(sys.call(Hypercall.VCPU_POWEROFF, cap, 2n).err, HypError.ERROR_ARGUMENT_INVALID);
  assertEquals(sys.call(Hypercall.VCPU_KILL, cap).err, HypError.OK);
  assertEquals(sys.call(Hypercall.VCPU_KILL, cap).err, HypError.ERROR_OBJECT_STATE);
});

Deno.test("a killed vCPU exits the next time it is scheduled", () => {
  const sys = new TestSystem({ 0x1000: [] });
  const { cap, thread } = sys.createVcpu({ entry: 0x1000n });
  sys.hv.runUntil(() => sys.hv.time >= 20_000);
  sys.ok(Hypercall.VCPU_KILL, cap);
  assertEquals(thread.threadState, ThreadState.KILLED);
  sys.hv.step();
  assertEquals(thread.threadState, ThreadState.EXITED);
  assertEquals(sys.hv.step(), false);
});

Deno.test("vcpu_register_write: before activation it is applied to the new context; sets and indexes checked", () => {
  const sys = new TestSystem({ 0x1000: [{ op: "wfi" }] });
  const { cap } = sys.createVcpu({}, false);
  assertEquals(
    sys.call(Hypercall.VCPU_REGISTER_WRITE, cap, 0n, 31n, 1n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  assertEquals(
    sys.call(Hypercall.VCPU_REGISTER_WRITE, cap, 3n, 0n, 1n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  assertEquals(
    sys.call(Hypercall.VCPU_REGISTER_WRITE, cap, 1n, 1n, 1n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  // PC must be 4-byte and SP 16-byte aligned.
  assertEquals(
    sys.call(Hypercall.VCPU_REGISTER_WRITE, cap, 1n, 0n, 0x1002n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  assertEquals(
    sys.call(Hypercall.VCPU_REGISTER_WRITE, cap, 2n, 0n, 0x8008n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  sys.ok(Hypercall.VCPU_REGISTER_WRITE, cap, 0n, 7n, 0x99n);
  sys.ok(Hypercall.VCPU_REGISTER_WRITE, cap, 2n, 1n, 0x8000n);
  sys.ok(Hypercall.OBJECT_ACTIVATE, cap);
  const v = sys.arch.vcpus[0];
  assertEquals(v.x[7], 0x99n);
  assertEquals(v.sp[1], 0x8000n);
  // Preserve the entry point written with vcpu_register_write (flag bit 0).
  sys.ok(Hypercall.VCPU_REGISTER_WRITE, cap, 1n, 0n, 0x1000n);
  sys.ok(Hypercall.VCPU_POWERON, cap, 0xdeadn, 0x5n, 1n);
  assertEquals(v.pc, 0x1000n);
  assertEquals(v.x[0], 0x5n);
  // Running now: register writes are refused.
  assertEquals(sys.call(Hypercall.VCPU_REGISTER_WRITE, cap, 0n, 1n, 1n).err, HypError.ERROR_BUSY);
});

Deno.test("vcpu_run / vcpu_run_check on a vCPU that is not proxy scheduled: ERROR_BUSY", () => {
  const sys = new TestSystem({ 0x1000: [] });
  const { cap } = sys.createVcpu({ entry: 0x1000n });
  assertEquals(sys.call(Hypercall.VCPU_RUN, cap, 0n, 0n, 0n).err, HypError.ERROR_BUSY);
  assertEquals(sys.call(Hypercall.VCPU_RUN_CHECK, cap).err, HypError.ERROR_BUSY);
});

Deno.test("scheduler_yield: hints 0 and 1 accepted, others and impl_def ARGUMENT_INVALID", () => {
  const sys = new TestSystem({});
  const { cap } = sys.createVcpu({});
  assertEquals(sys.call(Hypercall.SCHEDULER_YIELD, 0n, 0n).err, HypError.OK);
  assertEquals(sys.call(Hypercall.SCHEDULER_YIELD, 1n, cap).err, HypError.OK);
  assertEquals(sys.call(Hypercall.SCHEDULER_YIELD, 2n, 0n).err, HypError.ERROR_ARGUMENT_INVALID);
  assertEquals(
    sys.call(Hypercall.SCHEDULER_YIELD, 0x80000000n, 0n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  const noYield = weakCopy(sys, cap, CAP_RIGHTS_THREAD_POWER);
  assertEquals(
    sys.call(Hypercall.SCHEDULER_YIELD, 1n, noYield).err,
    HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
  );
});

Deno.test("directed yield from a guest: the target runs on the yielder's CPU and time", () => {
  const sys = new TestSystem({ 0x2000: [{ op: "work", n: 500 }, { op: "wfi" }] });
  const target = sys.createVcpu({ affinity: -1, entry: 0x2000n });
  sys.arch.programs.set(0x1000n, [
    { op: "hvc", imm: HVC + Hypercall.SCHEDULER_YIELD, x: [1n, target.cap] },
    { op: "work", n: 10 },
    { op: "wfi" },
  ]);
  const yielder = sys.createVcpu({ entry: 0x1000n });
  sys.hv.runUntil(() => yielder.thread.isBlocked(SchedulerBlock.VCPU_WFI));
  // The target (no affinity: runs only by directed yield) worked on CPU 0, then the yielder resumed.
  assertEquals(sys.arch.log.filter((l) => l.includes("worked")), [
    "501 vcpu0 worked 500",
    "512 vcpu1 worked 10",
  ]);
  assertEquals(sys.arch.vcpus[1].x[0], 0n);
});

Deno.test("binding the VCPU_RUN_WAKEUP VIRQ needs a vic (cap type checked)", () => {
  const sys = new TestSystem({});
  const { cap } = sys.createVcpu({});
  assertEquals(
    sys.call(Hypercall.VCPU_BIND_VIRQ, cap, sys.hv.rootCspaceCap, 40n, 1n).err,
    HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
  );
  // The vic cap is checked before the VIRQ type (HYP order).
  assertEquals(
    sys.call(Hypercall.VCPU_BIND_VIRQ, cap, sys.hv.rootCspaceCap, 40n, 7n).err,
    HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
  );
  assertEquals(sys.call(Hypercall.VCPU_UNBIND_VIRQ, cap, 1n).err, HypError.OK);
});

Deno.test("vcpu_poweroff in a vpm_group: the last_vcpu claim must be right", () => {
  const sys = new TestSystem({ 0x1000: [{ op: "wfi" }] }, 2);
  const hv = sys.hv;
  const group =
    sys.ok(Hypercall.PARTITION_CREATE_VPM_GROUP, hv.rootPartitionCap, hv.rootCspaceCap, 0n)[1];
  sys.ok(Hypercall.VPM_GROUP_CONFIGURE, group, 0n);
  sys.ok(Hypercall.OBJECT_ACTIVATE, group);
  const a = sys.createVcpu({ affinity: 0 }, false);
  const b = sys.createVcpu({ affinity: 1 }, false);
  sys.ok(Hypercall.VPM_GROUP_ATTACH_VCPU, group, a.cap, 0n);
  sys.ok(Hypercall.VPM_GROUP_ATTACH_VCPU, group, b.cap, 1n);
  sys.ok(Hypercall.OBJECT_ACTIVATE, a.cap);
  sys.ok(Hypercall.OBJECT_ACTIVATE, b.cap);
  assertEquals(sys.ok(Hypercall.VPM_GROUP_GET_STATE, group)[1], 0n); // NO_STATE: all off
  sys.ok(Hypercall.VCPU_POWERON, a.cap, 0x1000n, 0n, 0n);
  sys.ok(Hypercall.VCPU_POWERON, b.cap, 0x1000n, 0n, 0n);
  assertEquals(sys.ok(Hypercall.VPM_GROUP_GET_STATE, group)[1], 1n); // RUNNING
  // A claims to be last while B is on: DENIED. Then without the claim: OK.
  assertEquals(a.thread.poweroff(true), HypError.ERROR_DENIED);
  assertEquals(a.thread.poweroff(false), HypError.OK);
  // B is now the last one on: it must say so.
  assertEquals(b.thread.poweroff(false), HypError.ERROR_DENIED);
  assertEquals(b.thread.poweroff(true), HypError.OK);
  assertEquals(sys.ok(Hypercall.VPM_GROUP_GET_STATE, group)[1], 0n);
});

Deno.test("vcpu_configure checks its flags before the cap (HYP order)", () => {
  const sys = new TestSystem({});
  const notAThread = sys.hv.rootCspaceCap;
  assertEquals(
    sys.call(Hypercall.VCPU_CONFIGURE, notAThread, 0n).err,
    HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
  );
  assertEquals(
    sys.call(Hypercall.VCPU_CONFIGURE, notAThread, 1n << 7n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
});
