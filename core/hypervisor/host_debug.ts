/**
 * A host debugger's control of one VM (what a GDB stub drives): all-stop
 * semantics, as QEMU's gdbstub has them. When any vCPU of the VM stops
 * (a host breakpoint, watchpoint or single step: {@link ExitKind.Debug}, or
 * the debugger asks), every vCPU of the VM is blocked with
 * {@link SchedulerBlock.HOST_DEBUG} and the run loop is held, so no round runs
 * and virtual time stands still until the debugger resumes. Resuming is per
 * vCPU: continue, single step, or stay stopped.
 *
 * Breakpoints and watchpoints are the architecture's host ones
 * ({@link VcpuDebug}): guest memory is never written. They apply to every vCPU
 * of the VM, including one whose architectural state appears later.
 *
 * Memory is read and written through a vCPU's current stage-1 view
 * (`ArchVcpu.translate`, as an EL1 read: a debugger may write a page the
 * guest maps read-only, as QEMU's gdbstub can) and its VM's stage 2 (RAM
 * only: MMIO is never touched, so a debugger's read has no device side
 * effect). A write bumps the address space's generation, so translated and
 * decoded code of the VM is dropped and re-read.
 *
 * @module
 */
import { Addrspace } from "../object/addrspace/addrspace.ts";
import type { Thread } from "../object/thread/thread.ts";
import { ThreadState } from "../object/thread/thread_types.ts";
import {
  type ArchVcpu,
  DebugStopReason,
  type HostWatchpoint,
  S2_ACCESS_R,
  S2_ACCESS_W,
  type Stage2Mapping,
  type VcpuDebug,
  WatchKind,
} from "../plugin/contracts.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";
import type { RunLoop } from "./run_loop.ts";
import { isStage2View } from "./vcpu_user_memory.ts";
import type { VmContext } from "./vm_registry.ts";

/** Why a debugged VM stopped, as its debugger is told. */
export type HostDebugStop =
  /** A host breakpoint: the instruction at the vCPU's PC has not executed. */
  | { readonly kind: "breakpoint"; readonly vcpu: number }
  /** A single step finished (one instruction retired, or an exception taken). */
  | { readonly kind: "step"; readonly vcpu: number }
  /** A host watchpoint: the access to `address` has not happened yet. */
  | {
    readonly kind: "watchpoint";
    readonly vcpu: number;
    readonly watch: WatchKind;
    readonly address: bigint;
  }
  /** The debugger asked ({@link HostDebugSession.stop}); `vcpu` is the first one that exists. */
  | { readonly kind: "interrupt"; readonly vcpu: number };

/** What a debugger asks of one vCPU when it resumes the VM. */
export type VcpuResume = "continue" | "step" | "stop";

/** Granule of debugger memory accesses: each 4 KiB page is translated on its own. */
const DEBUG_PAGE = 0x1000;

/** The widest single access an A64 instruction makes (DC ZVA's 64-byte block; LDP Q is 32). */
const MAX_ACCESS_BYTES = 64n;

/** What host debugging needs from the hypervisor. */
export interface HostDebugDeps {
  readonly loop: RunLoop;
  /** The VM of a vCPU thread. */
  vmOf(thread: Thread): VmContext;
}

/** The debugger sessions of one hypervisor (at most one per VM). */
export class HostDebugger {
  readonly #d: HostDebugDeps;
  readonly #sessions = new Map<VmContext, HostDebugSession>();

  /** Debugging over `deps`. */
  constructor(deps: HostDebugDeps) {
    this.#d = deps;
  }

  /**
   * Attach a debugger to `vm`: `onStop` hears every stop (called
   * synchronously, inside the round, with the VM already stopped). Throws
   * if a debugger is attached to it already.
   */
  attach(vm: VmContext, onStop: (stop: HostDebugStop) => void): HostDebugSession {
    if (this.#sessions.has(vm)) throw new Error("a debugger is already attached to this VM");
    const s = new HostDebugSession(vm, this.#d.loop, onStop, () => this.#sessions.delete(vm));
    this.#sessions.set(vm, s);
    return s;
  }

  /** The session debugging the VM of `thread`, if any. */
  sessionOf(thread: Thread): HostDebugSession | null {
    if (this.#sessions.size === 0) return null;
    return this.#sessions.get(this.#d.vmOf(thread)) ?? null;
  }

  /** A vCPU returned {@link ExitKind.Debug} (exits.ts). */
  debugExit(thread: Thread): void {
    const arch = thread.arch;
    const dbg = arch?.debug;
    if (!dbg) return;
    const s = this.sessionOf(thread);
    // A stale stop (the debugger detached meanwhile): the vCPU just runs on.
    if (s === null) {
      dbg.singleStep = false;
      return;
    }
    s.vcpuStopped(thread, dbg);
  }

  /**
   * A single-stepping vCPU exited for something else (HVC, WFI, a fault...)
   * after retiring its instruction: the step is over (exits.ts).
   */
  stepEnded(thread: Thread): void {
    const dbg = thread.arch?.debug;
    if (!dbg?.singleStep) return;
    const s = this.sessionOf(thread);
    if (s === null) {
      dbg.singleStep = false;
      return;
    }
    s.stepEnded(thread, dbg);
  }
}

/** One debugger's control of one VM. */
export class HostDebugSession {
  readonly #vm: VmContext;
  readonly #loop: RunLoop;
  readonly #onStop: (stop: HostDebugStop) => void;
  readonly #forget: () => void;
  #stopped = false;
  #attached = true;
  #breakpoints: readonly bigint[] = [];
  #watchpoints: readonly HostWatchpoint[] = [];
  /** Bumped on every breakpoint or watchpoint change; vCPUs are brought up to it lazily. */
  #generation = 0;
  readonly #applied = new WeakMap<ArchVcpu, number>();

  /** Use {@link HostDebugger.attach}. */
  constructor(
    vm: VmContext,
    loop: RunLoop,
    onStop: (stop: HostDebugStop) => void,
    forget: () => void,
  ) {
    this.#vm = vm;
    this.#loop = loop;
    this.#onStop = onStop;
    this.#forget = forget;
  }

  /** Whether the VM is stopped (every vCPU held, the machine held). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Whether the session is still attached. */
  get attached(): boolean {
    return this.#attached;
  }

  /** The VM's vCPU threads, by index (live: a vCPU created later appears). */
  get vcpus(): readonly Thread[] {
    return this.#vm.vcpus;
  }

  /** The host debug interface of vCPU `index`, or null (no such vCPU, not activated, no support). */
  debugOf(index: number): VcpuDebug | null {
    const arch = this.#vm.vcpus[index]?.arch;
    if (!arch?.debug) return null;
    this.#apply(arch, arch.debug);
    return arch.debug;
  }

  /** Host breakpoints of every vCPU (guest virtual addresses). */
  get breakpoints(): readonly bigint[] {
    return this.#breakpoints;
  }

  /** Host watchpoints of every vCPU. */
  get watchpoints(): readonly HostWatchpoint[] {
    return this.#watchpoints;
  }

  /** Replace the breakpoints of every vCPU. */
  setBreakpoints(vas: readonly bigint[]): void {
    this.#breakpoints = [...vas];
    this.#generation++;
    this.#applyAll();
  }

  /** Replace the watchpoints of every vCPU. */
  setWatchpoints(list: readonly HostWatchpoint[]): void {
    this.#watchpoints = [...list];
    this.#generation++;
    this.#applyAll();
  }

  /**
   * Stop the VM now (the debugger's interrupt, or before the first
   * instruction); the stop is reported as "interrupt". Does nothing if it
   * is stopped already.
   */
  stop(): void {
    if (this.#stopped || !this.#attached) return;
    this.#stopAll();
    const first = this.#vm.vcpus.findIndex((t) => t !== undefined);
    this.#onStop({ kind: "interrupt", vcpu: first < 0 ? 0 : first });
  }

  /**
   * Resume the stopped VM: each vCPU as `how(index)` says. vCPUs left
   * "stop" stay held while the others run; at least one must run (else
   * nothing is resumed and false is returned). The next stop of any vCPU
   * stops them all again.
   */
  resume(how: (index: number) => VcpuResume): boolean {
    if (!this.#stopped || !this.#attached) return false;
    const vcpus = this.#vm.vcpus;
    const plan: VcpuResume[] = [];
    let any = false;
    for (let i = 0; i < vcpus.length; i++) {
      plan.push(vcpus[i] === undefined ? "stop" : how(i));
      if (plan[i] !== "stop") any = true;
    }
    if (!any) return false;
    this.#stopped = false;
    for (let i = 0; i < vcpus.length; i++) {
      const t = vcpus[i];
      if (t === undefined || plan[i] === "stop") continue;
      const arch = t.arch;
      if (arch?.debug) {
        this.#apply(arch, arch.debug);
        arch.debug.singleStep = plan[i] === "step";
      }
      t.unblock(SchedulerBlock.HOST_DEBUG);
    }
    this.#loop.hold(false);
    return true;
  }

  /**
   * Detach: breakpoints, watchpoints and single step are cleared and every
   * vCPU resumes (a debugger that goes away leaves the guest running).
   */
  detach(): void {
    if (!this.#attached) return;
    this.#breakpoints = [];
    this.#watchpoints = [];
    this.#generation++;
    for (const t of this.#vm.vcpus) {
      const dbg = t?.arch?.debug;
      if (dbg) {
        this.#apply(t.arch!, dbg);
        dbg.singleStep = false;
      }
      t?.unblock(SchedulerBlock.HOST_DEBUG);
    }
    this.#attached = false;
    this.#stopped = false;
    this.#forget();
    this.#loop.hold(false);
  }

  /**
   * Guest virtual memory as vCPU `index` sees it now: the bytes from `va` up
   * to the first one that does not translate or is not readable RAM
   * (possibly none).
   */
  readMemory(index: number, va: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const cur = BigInt.asUintN(64, va + BigInt(done));
      const chunk = Math.min(length - done, DEBUG_PAGE - Number(cur & BigInt(DEBUG_PAGE - 1)));
      const r = this.#map(index, cur, S2_ACCESS_R);
      if (r === null) break;
      out.set(r.m.bytes.subarray(r.at, r.at + chunk), done);
      done += chunk;
    }
    return done === length ? out : out.slice(0, done);
  }

  /** Write guest virtual memory as vCPU `index` sees it; false (nothing written) if any byte is not writable RAM. */
  writeMemory(index: number, va: bigint, data: Uint8Array): boolean {
    const spans: { m: Stage2Mapping; at: number; from: number; len: number }[] = [];
    let done = 0;
    while (done < data.length) {
      const cur = BigInt.asUintN(64, va + BigInt(done));
      const chunk = Math.min(data.length - done, DEBUG_PAGE - Number(cur & BigInt(DEBUG_PAGE - 1)));
      const r = this.#map(index, cur, S2_ACCESS_W);
      if (r === null) return false;
      spans.push({ m: r.m, at: r.at, from: done, len: chunk });
      done += chunk;
    }
    for (const s of spans) s.m.bytes.set(data.subarray(s.from, s.from + s.len), s.at);
    const space = this.#vm.vcpus[index]?.addrspace;
    // Code the VM's CPUs decoded or translated from these bytes must be read again.
    if (spans.length > 0 && space instanceof Addrspace) space.generation++;
    return true;
  }

  #map(index: number, va: bigint, right: number): { m: Stage2Mapping; at: number } | null {
    const t = this.#vm.vcpus[index];
    const arch = t?.arch;
    if (!arch) return null;
    const ipa = arch.translate(va, false);
    if (ipa === null || !isStage2View(t.addrspace)) return null;
    const m = t.addrspace.lookup(ipa);
    if (m === null || (m.access & right) === 0) return null;
    return { m, at: m.offset + (ipa - m.ipaBase) };
  }

  /** {@link HostDebugger.debugExit}: a vCPU of this VM stopped on its own. */
  vcpuStopped(thread: Thread, dbg: VcpuDebug): void {
    const index = this.#vm.vcpus.indexOf(thread);
    dbg.singleStep = false;
    this.#stopAll();
    const reason = dbg.stopReason;
    if (reason === DebugStopReason.Breakpoint) {
      this.#onStop({ kind: "breakpoint", vcpu: index });
    } else if (reason === DebugStopReason.Watchpoint) {
      const w = this.#watchpointAt(dbg.stopAddress);
      // An access that starts below the watched bytes is reported at the watchpoint's
      // first byte, where the debugger looks for it (as QEMU's gdbstub reports it).
      const address = w === null || dbg.stopAddress >= w.va ? dbg.stopAddress : w.va;
      this.#onStop({
        kind: "watchpoint",
        vcpu: index,
        watch: w?.kind ?? WatchKind.Access,
        address,
      });
    } else {
      this.#onStop({ kind: "step", vcpu: index });
    }
  }

  /** {@link HostDebugger.stepEnded}. */
  stepEnded(thread: Thread, dbg: VcpuDebug): void {
    dbg.singleStep = false;
    this.#stopAll();
    this.#onStop({ kind: "step", vcpu: this.#vm.vcpus.indexOf(thread) });
  }

  /**
   * The watchpoint an access at `address` hit: one covering it, else the
   * nearest one starting within {@link MAX_ACCESS_BYTES} above it (a wide
   * access that begins below the watched bytes).
   */
  #watchpointAt(address: bigint): HostWatchpoint | null {
    let near: HostWatchpoint | null = null;
    for (const w of this.#watchpoints) {
      if (address >= w.va && address < w.va + BigInt(w.length)) return w;
      if (
        w.va > address && w.va - address < MAX_ACCESS_BYTES && (near === null || w.va < near.va)
      ) {
        near = w;
      }
    }
    return near;
  }

  #stopAll(): void {
    this.#stopped = true;
    for (const t of this.#vm.vcpus) {
      if (t === undefined || t.threadState === ThreadState.EXITED) continue;
      const dbg = t.arch?.debug;
      if (dbg) dbg.singleStep = false;
      t.block(SchedulerBlock.HOST_DEBUG);
    }
    this.#loop.hold(true);
  }

  #applyAll(): void {
    for (const t of this.#vm.vcpus) {
      const arch = t?.arch;
      if (arch?.debug) this.#apply(arch, arch.debug);
    }
  }

  #apply(arch: ArchVcpu, dbg: VcpuDebug): void {
    if (this.#applied.get(arch) === this.#generation) return;
    dbg.setBreakpoints(this.#breakpoints);
    dbg.setWatchpoints(this.#watchpoints);
    this.#applied.set(arch, this.#generation);
  }
}
