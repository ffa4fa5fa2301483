/**
 * The thread object, kind VCPU: Gunyah's vCPU semantics without capability
 * handling (that is in `hypercalls.ts` beside this file).
 *
 * Lifecycle (HYP `hyp/core/thread_standard`, `hyp/vm/vcpu`, gunyah-abi.md §3):
 * created INIT and powered off (blocked by `vcpu_off`; also by
 * `thread_lifecycle` until activated); configured while INIT (options,
 * priority, timeslice, affinity, attachments); activated → READY, at which
 * point its architectural context ({@link ArchVcpu}) is created; powered on
 * with an entry point and context; it may then block for many reasons (a
 * bitmap of {@link SchedulerBlock}s); killed → KILLED (runs only to exit);
 * exited → EXITED.
 *
 * Proxy scheduling (HYP `hyp/vm/vcpu_run`): a vCPU activated with option
 * bit 9 or with a VCPU_RUN_WAKEUP VIRQ bound is blocked by `vcpu_run` except
 * while an owner's `vcpu_run` call runs it; when it is blocked by nothing
 * else, its wakeup VIRQ is asserted so the owner calls `vcpu_run` again.
 *
 * @module
 */
import { HypError } from "../../abi/error.ts";
import type { ArchVcpu } from "../../plugin/contracts.ts";
import { RegisterSet } from "../../plugin/contracts.ts";
import { CPU_NONE, type FprrScheduler, SchedResult, type SchedThread } from "../../sched/fprr.ts";
import { blockBit, describeBlockMask, SchedulerBlock } from "../../sched/scheduler_block.ts";
import type { Cspace } from "../../cspace/cspace.ts";
import type { AttachableThread } from "../attachable_thread.ts";
import { GunyahObject } from "../object.ts";
import { Vic } from "../vic/vic.ts";
import { VpmGroup, type VpmMember, VpmVcpuPower } from "../vpm_group/vpm_group.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import {
  ThreadKind,
  ThreadState,
  VCPU_MAX_PRIORITY,
  VCPU_OPTION_FLAGS_VALID,
  VCPU_OPTION_PINNED,
  VCPU_OPTION_VCPU_RUN_SCHEDULED,
  VCPU_POWERON_PRESERVE_CONTEXT,
  VCPU_POWERON_PRESERVE_ENTRY_POINT,
  VCPU_RUN_POWEROFF_EXITED,
  VcpuRunState,
  VcpuRunWakeupFrom,
  VcpuVirqType,
} from "./thread_types.ts";

/** A bound VIRQ as the thread uses it (made by the vic module when binding). */
export interface VirqLine {
  /** Assert the VIRQ (edge: pending once). */
  assert(): void;
  /** Drop the binding. */
  unbind(): void;
}

/** A VMMIO access waiting for its proxy scheduler or device to complete it. */
export interface PendingVmmio {
  /** IPA of the access. */
  readonly ipa: number;
  /** Access size in bytes. */
  readonly size: number;
  /** Whether it is a write. */
  readonly write: boolean;
  /** Written value, low 32 bits. */
  readonly valueLo: number;
  /** Written value, high 32 bits. */
  readonly valueHi: number;
}

/** The state a `vcpu_run` / `vcpu_run_check` call reports. */
export interface VcpuRunReport {
  /** `vcpu_run_state`. */
  state: VcpuRunState;
  /** state_data_0 (meaning per state, gunyah-abi.md §1.7). */
  data0: bigint;
  /** state_data_1. */
  data1: bigint;
  /** state_data_2. */
  data2: bigint;
}

/** What a thread notifies its host of (the hypervisor turns these into events). */
export type ThreadChange =
  | "activated"
  | "poweron"
  | "poweroff"
  | "killed"
  | "exited"
  | "blocked"
  | "unblocked"
  | "fault"
  | "affinity";

/** What a thread needs from the hypervisor that owns it. */
export interface ThreadHost {
  /** The scheduler of the physical CPUs. */
  readonly scheduler: FprrScheduler<Thread>;
  /** Create the vCPU's architectural context at activation (or return an error code). */
  createArchVcpu(thread: Thread): ArchVcpu | HypError;
  /** Complete the thread's pending VMMIO access (read data in lo/hi); see the VM's MMIO bus. */
  completeVmmio(thread: Thread, lo: number, hi: number): void;
  /** A state change of the thread (for the event bus and the dashboard). */
  threadChanged(thread: Thread, change: ThreadChange, detail?: string): void;
}

/** A vCPU thread. */
export class Thread extends GunyahObject implements AttachableThread, VpmMember {
  /** Object type THREAD. */
  readonly type: ObjectType.THREAD = ObjectType.THREAD;
  /** Always VCPU: the API creates no other kind. */
  readonly kind: ThreadKind = ThreadKind.VCPU;
  /** `thread_state`. */
  threadState: ThreadState = ThreadState.INIT;
  /** Scheduler-side state. */
  readonly sched: SchedThread<Thread>;
  /** `vcpu_option_flags` as configured. */
  options = 0n;
  /** The architectural context; exists once the thread is ACTIVE. */
  arch: ArchVcpu | null = null;
  /** Index within its VM (vic attachment index); -1 until attached. */
  vcpuIndex: number = -1;
  /** Objects the thread is attached to (set by the attach hypercalls). */
  cspace: Cspace | null = null;
  /** The vCPU's address space (its stage 2); required for activation. */
  addrspace: GunyahObject | null = null;
  /** The vic the vCPU is attached to. */
  vic: GunyahObject | null = null;
  /** The vpm_group the vCPU is attached to. */
  vpmGroup: GunyahObject | null = null;
  /** Index within the vpm_group; -1 when not attached. */
  vpmGroupIndex: number = -1;
  /** Proxy scheduled (VCPU_RUN_WAKEUP bound, or option bit 9). */
  vcpuRunEnabled = false;
  /** State returned by the last `vcpu_run` (HYP `vcpu_run_last_state`). */
  lastRunState: VcpuRunState = VcpuRunState.READY;
  /** The access behind an `addrspace_vmmio_access` block. */
  pendingVmmio: PendingVmmio | null = null;
  /** Virtual time at which the thread last became runnable (set by the host; causality across CPUs). */
  readySince = 0;
  /** Why the vCPU faulted (with the `vcpu_fault` block). */
  faultMessage = "";
  /** PSCI CPU_SUSPEND power_state while blocked by `vcpu_suspend`. */
  suspendPowerState = 0n;
  /** Set by PSCI SYSTEM_RESET / RESET2 (state_data_0 / _1 of PSCI_SYSTEM_RESET). */
  systemReset: { readonly type: bigint; readonly cookie: bigint } | null = null;
  /** Register writes made before activation, applied when the context is created. */
  readonly #earlyRegisterWrites: [RegisterSet, number, bigint][] = [];
  readonly #virqs = new Map<VcpuVirqType, VirqLine>();
  readonly #host: ThreadHost;

  /** A new vCPU in `partition` (INIT, powered off), owned by `host`. */
  constructor(partition: Partition, host: ThreadHost) {
    super(partition);
    this.#host = host;
    this.sched = host.scheduler.createThread(this);
    // HYP vcpu: a new vCPU is powered off until vcpu_poweron / PSCI CPU_ON.
    host.scheduler.block(this.sched, SchedulerBlock.VCPU_OFF);
    // The "created" event comes from partition_create_thread, as for every object type.
  }

  /** The host (hypervisor) of this thread. */
  get host(): ThreadHost {
    return this.#host;
  }

  // ---- configuration (INIT only; the hypercall layer checks the state) ----

  /** `cspace_attach_thread`: the cspace the vCPU's hypercalls look caps up in (holds a reference). */
  attachCspace(cspace: Cspace): HypError {
    cspace.get();
    this.cspace?.put();
    this.cspace = cspace;
    return HypError.OK;
  }

  /** `addrspace_attach_thread`: the vCPU's stage-2 address space (holds a reference). */
  attachAddrspace(addrspace: GunyahObject): HypError {
    addrspace.get();
    this.addrspace?.put();
    this.addrspace = addrspace;
    return HypError.OK;
  }

  /** `vic_attach_vcpu`: the vCPU is attachment `index` of `vic` (its index within the VM). */
  attachVic(vic: GunyahObject, index: number): HypError {
    vic.get();
    this.vic?.put();
    this.vic = vic;
    this.vcpuIndex = index;
    return HypError.OK;
  }

  /** `vpm_group_attach_vcpu`: the vCPU's power-management group. */
  attachVpmGroup(group: GunyahObject, index: number): HypError {
    group.get();
    this.vpmGroup?.put();
    this.vpmGroup = group;
    this.vpmGroupIndex = index;
    return HypError.OK;
  }

  /** Drops the references to the attached objects. */
  protected override onCleanup(): void {
    for (const o of [this.cspace, this.addrspace, this.vic, this.vpmGroup]) o?.put();
    this.cspace =
      this.addrspace =
      this.vic =
      this.vpmGroup =
        null;
  }

  /** `vcpu_configure`: unknown option bits → ARGUMENT_INVALID. */
  configure(options: bigint): HypError {
    if ((options & ~VCPU_OPTION_FLAGS_VALID) !== 0n) return HypError.ERROR_ARGUMENT_INVALID;
    this.options = options;
    return HypError.OK;
  }

  /** `vcpu_set_priority`: above {@link VCPU_MAX_PRIORITY} → DENIED (HYP checks before the scheduler). */
  setPriority(priority: bigint): HypError {
    if (priority > BigInt(VCPU_MAX_PRIORITY)) return HypError.ERROR_DENIED;
    return this.#sched(this.#host.scheduler.setPriority(this.sched, Number(priority)));
  }

  /** `vcpu_set_timeslice` (ns, 100 µs … 100 ms). */
  setTimeslice(ns: bigint): HypError {
    if (ns > 0xffffffffffffn) return HypError.ERROR_ARGUMENT_INVALID;
    return this.#sched(this.#host.scheduler.setTimeslice(this.sched, Number(ns)));
  }

  /** `vcpu_set_affinity`: a CPU index or {@link CPU_NONE}. */
  setAffinity(cpu: number): HypError {
    const err = this.#sched(this.#host.scheduler.setAffinity(this.sched, cpu));
    if (err === HypError.OK) this.#host.threadChanged(this, "affinity", String(cpu));
    return err;
  }

  #sched(r: SchedResult): HypError {
    if (r === SchedResult.ArgumentInvalid) return HypError.ERROR_ARGUMENT_INVALID;
    if (r === SchedResult.Denied) return HypError.ERROR_DENIED;
    return HypError.OK;
  }

  /**
   * `vcpu_register_write` (HYP `vcpu_register_write`, same check order): a
   * killed or exited vCPU → ERROR_OBJECT_STATE; a vCPU that is not powered
   * off → ERROR_BUSY; then set 0 X (index 0-30), set 1 PC (index 0, 4-byte
   * aligned), set 2 SP_EL (index 0 = SP_EL0, 1 = SP_EL1, 16-byte aligned),
   * anything else → ERROR_ARGUMENT_INVALID. Before activation the write is
   * kept and applied to the new context.
   */
  registerWrite(set: bigint, index: bigint, value: bigint): HypError {
    if (this.threadState !== ThreadState.INIT && this.threadState !== ThreadState.READY) {
      return HypError.ERROR_OBJECT_STATE;
    }
    if (!this.isBlocked(SchedulerBlock.VCPU_OFF)) return HypError.ERROR_BUSY;
    let ok: boolean;
    if (set === BigInt(RegisterSet.X)) ok = index < 31n;
    else if (set === BigInt(RegisterSet.PC)) ok = index === 0n && (value & 3n) === 0n;
    else if (set === BigInt(RegisterSet.SP_EL)) ok = index <= 1n && (value & 15n) === 0n;
    else ok = false;
    if (!ok) return HypError.ERROR_ARGUMENT_INVALID;
    const write: [RegisterSet, number, bigint] = [Number(set) as RegisterSet, Number(index), value];
    if (this.arch === null) {
      this.#earlyRegisterWrites.push(write);
      return HypError.OK;
    }
    return this.arch.setRegister(write[0], write[1], write[2])
      ? HypError.OK
      : HypError.ERROR_ARGUMENT_INVALID;
  }

  /** Activation: checks the configuration, takes vic/vpm slots, creates the arch context. */
  protected override onActivate(): HypError {
    // A vCPU needs an address space (HYP addrspace_handle_object_activate_thread).
    if (this.addrspace === null) return HypError.ERROR_OBJECT_CONFIG;
    // A pinned vCPU needs a CPU to be pinned to (HYP scheduler_fprr vcpu_activate_thread).
    if ((this.options & VCPU_OPTION_PINNED) && this.sched.affinity === CPU_NONE) {
      return HypError.ERROR_OBJECT_CONFIG;
    }
    // As in HYP, the vic and vpm_group slots are taken at activation.
    if (this.vic instanceof Vic) {
      const err = this.vic.activateVcpu(this, this.vcpuIndex);
      if (err !== HypError.OK) return err;
    }
    if (this.vpmGroup instanceof VpmGroup) {
      const err = this.vpmGroup.activateVcpu(this, this.vpmGroupIndex);
      if (err !== HypError.OK) {
        this.#releaseSlots();
        return err;
      }
    }
    const arch = this.#host.createArchVcpu(this);
    if (typeof arch === "number") {
      this.#releaseSlots();
      return arch;
    }
    this.arch = arch;
    for (const [set, index, value] of this.#earlyRegisterWrites) {
      arch.setRegister(set, index, value);
    }
    this.#earlyRegisterWrites.length = 0;
    const s = this.#host.scheduler;
    if (this.options & VCPU_OPTION_PINNED) s.pin(this.sched);
    if (this.options & VCPU_OPTION_VCPU_RUN_SCHEDULED) this.#enableVcpuRun();
    this.threadState = ThreadState.READY;
    s.unblock(this.sched, SchedulerBlock.THREAD_LIFECYCLE);
    this.#host.threadChanged(this, "activated");
    return HypError.OK;
  }

  #releaseSlots(): void {
    if (this.vic instanceof Vic) this.vic.deactivateVcpu(this);
    if (this.vpmGroup instanceof VpmGroup) this.vpmGroup.deactivateVcpu(this);
  }

  /** Deactivation: frees slots and VIRQs; the thread is EXITED. */
  protected override onDeactivate(): void {
    this.#releaseSlots();
    for (const line of this.#virqs.values()) line.unbind();
    this.#virqs.clear();
    if (this.threadState !== ThreadState.EXITED) {
      this.threadState = ThreadState.EXITED;
      this.#host.scheduler.exit(this.sched);
    }
  }

  // ---- blocking ----

  /** The vCPU's power state as its vpm_group aggregates it (VpmMember). */
  get vpmPower(): VpmVcpuPower {
    if (this.threadState !== ThreadState.READY || this.isBlocked(SchedulerBlock.VCPU_OFF)) {
      return VpmVcpuPower.OFF;
    }
    return this.isBlocked(SchedulerBlock.VCPU_SUSPEND)
      ? VpmVcpuPower.SUSPENDED
      : VpmVcpuPower.RUNNING;
  }

  #powerChanged(block: SchedulerBlock): void {
    if (block !== SchedulerBlock.VCPU_OFF && block !== SchedulerBlock.VCPU_SUSPEND) return;
    if (this.vpmGroup instanceof VpmGroup) this.vpmGroup.update();
  }

  /** Whether `block` holds the thread. */
  isBlocked(block: SchedulerBlock): boolean {
    return (this.sched.blockBits & blockBit(block)) !== 0;
  }

  /** Whether the scheduler may run the thread. */
  get runnable(): boolean {
    return this.#host.scheduler.isRunnable(this.sched);
  }

  /** Block the thread for `block`. */
  block(block: SchedulerBlock): void {
    if (this.isBlocked(block)) return;
    this.#host.scheduler.block(this.sched, block);
    this.#host.threadChanged(this, "blocked", blockName(block));
    this.#powerChanged(block);
  }

  /**
   * Clear `block`. When a proxy-scheduled vCPU is then held only by the
   * `vcpu_run` block, its VCPU_RUN_WAKEUP VIRQ is asserted (HYP
   * `vcpu_run_trigger_virq`). Returns whether the thread became runnable.
   */
  unblock(block: SchedulerBlock): boolean {
    if (!this.isBlocked(block)) return false;
    const s = this.#host.scheduler;
    const became = s.unblock(this.sched, block);
    this.#host.threadChanged(this, "unblocked", blockName(block));
    this.#powerChanged(block);
    if (this.vcpuRunEnabled && block !== SchedulerBlock.VCPU_RUN) this.#maybeWakeProxy();
    return became;
  }

  #maybeWakeProxy(): void {
    let bits = this.sched.blockBits;
    if (this.sched.killed) bits &= blockBit(SchedulerBlock.VCPU_RUN);
    if (bits === blockBit(SchedulerBlock.VCPU_RUN)) {
      this.#virqs.get(VcpuVirqType.VCPU_RUN_WAKEUP)?.assert();
    }
  }

  // ---- power ----

  /**
   * `vcpu_poweron` / PSCI CPU_ON: the vCPU must be powered off (else
   * ERROR_BUSY). Resets the architectural state and enters at `entry` with
   * X0 = `context`; the preserve flags keep the current PC / X0 instead.
   */
  poweron(entry: bigint, context: bigint, flags = 0n): HypError {
    if (this.threadState !== ThreadState.READY || this.arch === null) {
      return HypError.ERROR_OBJECT_STATE;
    }
    if (!this.isBlocked(SchedulerBlock.VCPU_OFF)) return HypError.ERROR_BUSY;
    const pc = flags & VCPU_POWERON_PRESERVE_ENTRY_POINT
      ? this.arch.getRegister(RegisterSet.PC, 0)
      : entry;
    const x0 = flags & VCPU_POWERON_PRESERVE_CONTEXT
      ? this.arch.getRegister(RegisterSet.X, 0)
      : context;
    this.arch.reset(pc, x0);
    this.systemReset = null;
    this.faultMessage = "";
    this.pendingVmmio = null;
    // A fresh start: nothing the previous run waited for still holds it.
    for (const b of POWERON_CLEARS) {
      if (this.isBlocked(b)) this.#host.scheduler.unblock(this.sched, b);
    }
    this.#host.threadChanged(this, "poweron", `pc=0x${pc.toString(16)} x0=0x${x0.toString(16)}`);
    this.unblock(SchedulerBlock.VCPU_OFF);
    return HypError.OK;
  }

  /**
   * `vcpu_poweroff` / PSCI CPU_OFF of the calling vCPU. In a vpm_group the
   * `last_vcpu` claim must be right (ERROR_DENIED otherwise): set exactly when
   * every other vCPU of the group is off.
   */
  poweroff(lastVcpu: boolean): HypError {
    const group = this.vpmGroup instanceof VpmGroup ? this.vpmGroup : null;
    if (group !== null) {
      // The last_vcpu claim must be true: it is set exactly when no other
      // vCPU of the group is still powered on.
      const othersOn = group.members.some((m) =>
        m !== null && m !== this && (m as Thread).vpmPower !== VpmVcpuPower.OFF
      );
      if (lastVcpu === othersOn) return HypError.ERROR_DENIED;
    }
    this.block(SchedulerBlock.VCPU_OFF);
    this.#host.threadChanged(this, "poweroff");
    return HypError.OK;
  }

  /** `vcpu_kill` (HYP `thread_kill`): only a READY thread can be killed. */
  kill(): HypError {
    if (this.threadState !== ThreadState.READY) return HypError.ERROR_OBJECT_STATE;
    this.threadState = ThreadState.KILLED;
    this.#host.scheduler.kill(this.sched);
    this.#host.threadChanged(this, "killed");
    if (this.vcpuRunEnabled) this.#maybeWakeProxy();
    return HypError.OK;
  }

  /** The thread exits (a killed thread does so the next time it is scheduled). */
  exit(): void {
    if (this.threadState === ThreadState.EXITED) return;
    this.threadState = ThreadState.EXITED;
    this.#host.scheduler.exit(this.sched);
    this.#host.threadChanged(this, "exited");
    if (this.vpmGroup instanceof VpmGroup) this.vpmGroup.update();
    this.#virqs.get(VcpuVirqType.HALT)?.assert();
  }

  /**
   * The vCPU's VM halted (PSCI SYSTEM_OFF / SYSTEM_RESET): raise the HALT
   * VIRQ, which is how the VM's owner (the RM) learns it stopped; it then
   * reads the reason with `vcpu_run_check`.
   */
  signalHalt(): void {
    this.#virqs.get(VcpuVirqType.HALT)?.assert();
  }

  /** The vCPU cannot continue: block it with `vcpu_fault` and raise its HALT VIRQ. */
  fault(message: string): void {
    this.faultMessage = message;
    this.block(SchedulerBlock.VCPU_FAULT);
    this.#host.threadChanged(this, "fault", message);
    this.#virqs.get(VcpuVirqType.HALT)?.assert();
  }

  // ---- VIRQs ----

  /**
   * `vcpu_bind_virq`: bind `line` as the HALT or VCPU_RUN_WAKEUP VIRQ.
   * ERROR_VIRQ_BOUND if that type is bound already; binding the wakeup VIRQ
   * switches the vCPU to proxy scheduling (ERROR_BUSY while it is running).
   */
  bindVirq(type: VcpuVirqType, line: VirqLine): HypError {
    if (this.#virqs.has(type)) return HypError.ERROR_VIRQ_BOUND;
    if (type === VcpuVirqType.VCPU_RUN_WAKEUP) {
      if (this.sched.runningOn !== CPU_NONE) return HypError.ERROR_BUSY;
      this.#virqs.set(type, line);
      if (!this.vcpuRunEnabled) this.#enableVcpuRun();
      return HypError.OK;
    }
    this.#virqs.set(type, line);
    return HypError.OK;
  }

  /** `vcpu_unbind_virq`: unbinding an unbound type is OK (HYP unbinds idempotently). */
  unbindVirq(type: VcpuVirqType): HypError {
    const line = this.#virqs.get(type);
    if (line) {
      line.unbind();
      this.#virqs.delete(type);
    }
    return HypError.OK;
  }

  /** Whether a VIRQ of `type` is bound. */
  hasVirq(type: VcpuVirqType): boolean {
    return this.#virqs.has(type);
  }

  #enableVcpuRun(): void {
    this.vcpuRunEnabled = true;
    this.#host.scheduler.block(this.sched, SchedulerBlock.VCPU_RUN);
  }

  // ---- vcpu_run ----

  /**
   * Apply the resume data of the last returned state (HYP
   * `vcpu_run_resume` event): a VMMIO read completes with `resume0` as the
   * value, a VMMIO write completes; other states ignore the data.
   */
  resumeFromRun(resume0: bigint): HypError {
    const last = this.lastRunState;
    if (
      (last === VcpuRunState.ADDRSPACE_VMMIO_READ || last === VcpuRunState.ADDRSPACE_VMMIO_WRITE) &&
      this.pendingVmmio !== null
    ) {
      const v = BigInt.asUintN(64, resume0);
      this.#host.completeVmmio(this, Number(v & 0xffffffffn), Number(v >> 32n));
      this.pendingVmmio = null;
      // Resumed by the caller itself: no wakeup VIRQ (HYP raises it only for
      // power-on, wakeup and kill).
      this.#host.scheduler.unblock(this.sched, SchedulerBlock.ADDRSPACE_VMMIO_ACCESS);
      this.#host.threadChanged(this, "unblocked", blockName(SchedulerBlock.ADDRSPACE_VMMIO_ACCESS));
    }
    return HypError.OK;
  }

  /**
   * The state of a thread that is not runnable (HYP `do_vcpu_run_check` and
   * the `vcpu_run_check` event handlers), written into `out`.
   */
  runCheck(out: VcpuRunReport): void {
    out.data0 = out.data1 = out.data2 = 0n;
    if (this.threadState === ThreadState.EXITED) {
      out.state = VcpuRunState.POWERED_OFF;
      out.data0 = VCPU_RUN_POWEROFF_EXITED;
      return;
    }
    if (this.threadState === ThreadState.KILLED) {
      out.state = VcpuRunState.BLOCKED;
      return;
    }
    const v = this.pendingVmmio;
    if (v !== null && this.isBlocked(SchedulerBlock.ADDRSPACE_VMMIO_ACCESS)) {
      out.state = v.write ? VcpuRunState.ADDRSPACE_VMMIO_WRITE : VcpuRunState.ADDRSPACE_VMMIO_READ;
      out.data0 = BigInt(v.ipa);
      out.data1 = BigInt(v.size);
      if (v.write) out.data2 = (BigInt(v.valueHi >>> 0) << 32n) | BigInt(v.valueLo >>> 0);
      return;
    }
    if (this.isBlocked(SchedulerBlock.VCPU_FAULT)) {
      out.state = VcpuRunState.FAULT;
      return;
    }
    if (this.systemReset !== null && this.isBlocked(SchedulerBlock.VCPU_OFF)) {
      out.state = VcpuRunState.PSCI_SYSTEM_RESET;
      out.data0 = this.systemReset.type;
      out.data1 = this.systemReset.cookie;
      return;
    }
    if (this.isBlocked(SchedulerBlock.VCPU_OFF)) {
      out.state = VcpuRunState.POWERED_OFF;
      return;
    }
    if (this.isBlocked(SchedulerBlock.VCPU_SUSPEND)) {
      out.state = VcpuRunState.EXPECTS_WAKEUP;
      out.data0 = this.suspendPowerState;
      out.data1 = BigInt(VcpuRunWakeupFrom.PSCI_CPU_SUSPEND);
      return;
    }
    if (this.isBlocked(SchedulerBlock.VCPU_WFI)) {
      out.state = VcpuRunState.EXPECTS_WAKEUP;
      out.data1 = BigInt(VcpuRunWakeupFrom.WFI);
      return;
    }
    out.state = VcpuRunState.BLOCKED;
  }

  /** A snapshot for the dashboard. */
  describe(): Record<string, string | number | boolean> {
    return {
      name: this.describeName(),
      state: ThreadState[this.threadState],
      priority: this.sched.priority,
      timeslice: this.sched.baseTimeslice,
      affinity: this.sched.affinity,
      blocked: describeBlockMask(this.sched.blockBits).join(","),
      proxy: this.vcpuRunEnabled,
      index: this.vcpuIndex,
    };
  }
}

/** Block reasons of a previous run that a power-on clears. */
const POWERON_CLEARS: readonly SchedulerBlock[] = [
  SchedulerBlock.VCPU_WFI,
  SchedulerBlock.VCPU_SUSPEND,
  SchedulerBlock.VCPU_FAULT,
  SchedulerBlock.ADDRSPACE_VMMIO_ACCESS,
];

function blockName(b: SchedulerBlock): string {
  return describeBlockMask(blockBit(b)).join(",");
}
