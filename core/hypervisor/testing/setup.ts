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
import { Hypervisor, type HypervisorBoard, type TimePacing } from "../hypervisor.ts";
import { FakeArch, type FakeStep } from "./fake_arch.ts";

/** Physical RAM of test systems: 1 MiB at the QEMU DDR base (gunyah-abi.md §9). */
export const TEST_VM_RAM_BASE = 0x4000_0000;
/** Size of the test RAM. */
export const TEST_VM_RAM_SIZE = 0x10_0000;

/** vCPUs per Aff1 cluster of {@link testMpidrOf}. */
const TEST_MPIDR_CLUSTER_SIZE = 16;

/**
 * MPIDR affinity of vCPU `index` on the test board: Aff0 = index mod 16,
 * Aff1 = index / 16 (the shape QEMU virt uses, so the tests exercise a
 * second affinity level).
 */
export function testMpidrOf(index: number): number {
  return ((Math.floor(index / TEST_MPIDR_CLUSTER_SIZE) & 0xff) << 8) |
    (index % TEST_MPIDR_CLUSTER_SIZE);
}

/**
 * The board the core's tests run on (the core holds no board of its own):
 * vGIC frames at GICD 0x0800_0000 / GICR 0x080A_0000 and {@link testMpidrOf}.
 */
export const TEST_BOARD: HypervisorBoard = {
  interruptControllerPlacement: { distributorBase: 0x0800_0000, redistributorBase: 0x080a_0000 },
  mpidrOf: testMpidrOf,
};

/** A VM built by {@link TestSystem.createVm}. */
export interface TestVm {
  readonly addrspaceCap: bigint;
  readonly vicCap: bigint;
  readonly vcpus: { cap: bigint; thread: Thread }[];
}

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
  /** CapID of the addrspace to attach (default: one addrspace shared by such test vCPUs). */
  readonly addrspace?: bigint;
  /** Power it on at this entry (a key of the programs) after activation. */
  readonly entry?: bigint;
  readonly context?: bigint;
}

/** A hypervisor with a fake arch and helpers. */
export class TestSystem {
  readonly arch: FakeArch;
  readonly hv: Hypervisor;
  readonly ctx: HypercallContext;

  constructor(
    programs: Record<string, readonly FakeStep[]>,
    cpus = 1,
    maxQuantumNs?: number,
    pacing?: TimePacing,
  ) {
    this.arch = new FakeArch(programs);
    this.hv = new Hypervisor({
      arch: this.arch,
      board: TEST_BOARD,
      cpus,
      maxQuantumNs,
      pacing,
      ram: [{ base: TEST_VM_RAM_BASE, size: TEST_VM_RAM_SIZE }],
    });
    this.ctx = this.hv.nativeContext(this.hv.rootCspace, this.hv.rootPartition);
  }

  #sharedAddrspace: bigint | null = null;

  /** An empty, active addrspace (VMID 2) that test vCPUs share unless told otherwise. */
  #defaultAddrspace(): bigint {
    if (this.#sharedAddrspace === null) {
      const hv = this.hv;
      const as =
        this.ok(Hypercall.PARTITION_CREATE_ADDRSPACE, hv.rootPartitionCap, hv.rootCspaceCap, 0n)[1];
      this.ok(Hypercall.ADDRSPACE_CONFIGURE, as, 2n);
      this.ok(Hypercall.OBJECT_ACTIVATE, as);
      this.#sharedAddrspace = as;
    }
    return this.#sharedAddrspace;
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

  /**
   * Build a VM the way the RM does, through hypercalls: an addrspace with the
   * test RAM mapped RWX at the same IPA, a vic with `spis` SPIs, and `n`
   * vCPUs attached to both (index i), activated but powered off.
   */
  createVm(n: number, spis = 64, vicOptions = 0n): TestVm {
    const hv = this.hv;
    const p = hv.rootPartitionCap, cs = hv.rootCspaceCap;
    const as = this.ok(Hypercall.PARTITION_CREATE_ADDRSPACE, p, cs, 0n)[1];
    this.ok(Hypercall.ADDRSPACE_CONFIGURE, as, 1n);
    this.ok(Hypercall.OBJECT_ACTIVATE, as);
    const me = this.ok(Hypercall.PARTITION_CREATE_MEMEXTENT, p, cs, 0n)[1];
    this.ok(
      Hypercall.MEMEXTENT_CONFIGURE,
      me,
      BigInt(TEST_VM_RAM_BASE),
      BigInt(TEST_VM_RAM_SIZE),
      7n,
      0n,
    );
    this.ok(Hypercall.OBJECT_ACTIVATE, me);
    // kernel RWX, user RWX, stage-2 NORMAL_WB (0xf).
    const attrs = 7n | (7n << 4n) | (0xfn << 16n);
    this.ok(Hypercall.ADDRSPACE_MAP, as, me, BigInt(TEST_VM_RAM_BASE), attrs, 0n, 0n, 0n);
    const vic = this.ok(Hypercall.PARTITION_CREATE_VIC, p, cs, 0n)[1];
    this.ok(Hypercall.VIC_CONFIGURE, vic, BigInt(n), BigInt(spis), vicOptions, 0n);
    this.ok(Hypercall.OBJECT_ACTIVATE, vic);
    const vcpus: { cap: bigint; thread: Thread }[] = [];
    for (let i = 0; i < n; i++) {
      const v = this.createVcpu({ affinity: i % hv.cpuCount, addrspace: as }, false);
      this.ok(Hypercall.VIC_ATTACH_VCPU, vic, v.cap, BigInt(i));
      this.ok(Hypercall.OBJECT_ACTIVATE, v.cap);
      vcpus.push(v);
    }
    return { addrspaceCap: as, vicCap: vic, vcpus };
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
    // A vCPU cannot be activated without an address space (HYP addrspace module).
    this.ok(Hypercall.ADDRSPACE_ATTACH_THREAD, o.addrspace ?? this.#defaultAddrspace(), cap);
    if (activate) {
      this.ok(Hypercall.OBJECT_ACTIVATE, cap);
      if (o.entry !== undefined) this.ok(Hypercall.VCPU_POWERON, cap, o.entry, o.context ?? 0n, 0n);
    }
    return { cap, thread };
  }
}
