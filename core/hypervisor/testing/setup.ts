/**
 * Test helpers: a {@link Hypervisor} over the {@link FakeArch}, a native
 * caller using the root cspace, and vCPU creation through the real
 * hypercalls (partition_create_thread, vcpu_configure/set_*,
 * cspace_attach_thread, object_activate).
 *
 * @module
 */
import { errorFromRegister } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import type { HypercallContext } from "../../hypercall/context.ts";
import type { Thread } from "../../object/thread/thread.ts";
import { Hypervisor } from "../hypervisor.ts";
import { FakeArch, type FakeStep } from "./fake_arch.ts";

/** Result of a native call: the error word as a signed number, and every result register. */
export interface CallResult {
  readonly err: number;
  readonly r: bigint[];
}

/** Options of {@link TestSystem.createVcpu}. */
export interface TestVcpuOptions {
  readonly priority?: number;
  readonly timeslice?: number;
  readonly affinity?: number;
  readonly options?: bigint;
  /** Power it on at this entry (a key of the programs) after activation. */
  readonly entry?: bigint;
  readonly context?: bigint;
}

/** A hypervisor with a fake arch and helpers. */
export class TestSystem {
  readonly arch: FakeArch;
  readonly hv: Hypervisor;
  readonly ctx: HypercallContext;

  constructor(programs: Record<string, readonly FakeStep[]>, cpus = 1, maxQuantumNs?: number) {
    this.arch = new FakeArch(programs);
    this.hv = new Hypervisor({ arch: this.arch, cpus, maxQuantumNs });
    this.ctx = this.hv.nativeContext(this.hv.rootCspace, this.hv.rootPartition);
  }

  /** Native hypercall `n` from the root cspace. */
  call(n: number, ...args: bigint[]): CallResult {
    const r = this.hv.dispatcher.table.call(this.ctx, n, ...args);
    return { err: errorFromRegister(r[0]), r };
  }

  /** Like {@link call} but throws unless the call succeeded. */
  ok(n: number, ...args: bigint[]): bigint[] {
    const res = this.call(n, ...args);
    if (res.err !== 0) throw new Error(`hypercall 0x${n.toString(16)} failed with ${res.err}`);
    return res.r;
  }

  /** Create (and by default activate) a vCPU; returns its CapID and object. */
  createVcpu(o: TestVcpuOptions = {}, activate = true): { cap: bigint; thread: Thread } {
    const hv = this.hv;
    const cap =
      this.ok(Hypercall.PARTITION_CREATE_THREAD, hv.rootPartitionCap, hv.rootCspaceCap, 0n)[1];
    const thread = hv.threads[hv.threads.length - 1];
    if (o.options !== undefined) this.ok(Hypercall.VCPU_CONFIGURE, cap, o.options);
    if (o.priority !== undefined) this.ok(Hypercall.VCPU_SET_PRIORITY, cap, BigInt(o.priority));
    if (o.timeslice !== undefined) this.ok(Hypercall.VCPU_SET_TIMESLICE, cap, BigInt(o.timeslice));
    this.ok(Hypercall.VCPU_SET_AFFINITY, cap, BigInt(o.affinity ?? 0));
    this.ok(Hypercall.CSPACE_ATTACH_THREAD, hv.rootCspaceCap, cap);
    if (activate) {
      this.ok(Hypercall.OBJECT_ACTIVATE, cap);
      if (o.entry !== undefined) this.ok(Hypercall.VCPU_POWERON, cap, o.entry, o.context ?? 0n, 0n);
    }
    return { cap, thread };
  }
}
