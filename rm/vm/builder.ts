/**
 * How the resource manager builds a VM: only through hypercalls, in the order
 * the Gunyah RM uses (gunyah-abi.md §2.2 "A typical VM build by the RM"):
 *
 * 1. memextent over the VM's physical RAM (configure, activate: ownership
 *    moves from the RM's partition to the extent);
 * 2. addrspace (configure VMID, activate) and `addrspace_map` of the extent
 *    at the VM's IPA base, RWX for EL0 and EL1, NORMAL_WB;
 * 3. vic (configure vCPUs and VIRQs, activate);
 * 4. a cspace for the VM's vCPUs (configure, activate);
 * 5. per vCPU: thread (vcpu_configure, priority, timeslice, affinity), attached to the
 *    cspace, the addrspace and the vic at its index, then activated.
 *
 * Powering the boot vCPU on is separate ({@link powerOnVcpu}), after the
 * images are in memory.
 *
 * @module
 */
import {
  encodeMappingAttrs,
  encodeMemextentAttrs,
  errorFromRegister,
  errorName,
  Hypercall,
  HypError,
  MemextentMemtype,
  MemextentType,
  PgtableAccess,
  S2Memtype,
} from "@gunyah-ts/core/abi";
import type { HypercallPort } from "@gunyah-ts/core/plugin";

/** Gunyah's default vCPU priority (HYP `SCHEDULER_DEFAULT_PRIORITY`). */
export const DEFAULT_VCPU_PRIORITY = 32;
/** Gunyah's default timeslice in ns (HYP `scheduler_fprr.tc`: 5 ms). */
export const DEFAULT_VCPU_TIMESLICE_NS = 5_000_000;
/** SPIs a VM's vGIC implements: QEMU virt has 988 (GIC_SPI_NUM), we give a VM 256 like QEMU's default. */
export const DEFAULT_VM_SPIS = 256;
/** A reserved-as-ones argument (`res1`, gunyah-abi.md §1.1). */
const RES1 = 0xffff_ffff_ffff_ffffn;
/** Capability slots of a VM's own cspace. */
export const VM_CSPACE_MAX_CAPS = 256;

/** What to build. */
export interface VmBuildSpec {
  /** For messages. */
  readonly name: string;
  /** 16-bit VMID (addrspace_configure). */
  readonly vmid: number;
  /** Physical base of the VM's RAM (owned by the caller's partition). */
  readonly physBase: number;
  /** IPA where the RAM appears in the VM. */
  readonly ipaBase: number;
  /** RAM size in bytes (4 KiB multiple). */
  readonly size: number;
  readonly vcpus: number;
  readonly spis?: number;
  readonly priority?: number;
  readonly timesliceNs?: number;
  /** Physical CPUs to spread the vCPUs over (vCPU i gets affinity i mod this; default 1). */
  readonly physicalCpus?: number;
}

/** The capabilities of a built VM, in the builder's cspace. */
export interface BuiltVm {
  readonly memextent: bigint;
  readonly addrspace: bigint;
  readonly vic: bigint;
  readonly cspace: bigint;
  readonly vcpus: readonly bigint[];
}

/** A hypercall the build needed failed; names the call, the VM and the Gunyah error. */
export class VmBuildError extends Error {
  override readonly name = "VmBuildError";
  constructor(readonly vm: string, readonly call: string, readonly code: number) {
    super(`building VM '${vm}': ${call} failed with ${errorName(code)} (${code})`);
  }
}

/** The environment a builder runs in: a hypercall port plus the caller's partition and cspace caps. */
export interface BuilderPort extends HypercallPort {
  readonly env: { readonly partitionCap: bigint; readonly cspaceCap: bigint };
}

export function must(
  port: BuilderPort,
  vm: string,
  call: string,
  n: number,
  ...args: bigint[]
): bigint[] {
  const r = port.call(n, ...args);
  const err = errorFromRegister(r[0]);
  if (err !== HypError.OK) throw new VmBuildError(vm, call, err);
  return r;
}

/** Build the VM described by `spec`; throws {@link VmBuildError} naming the failing hypercall. */
export function buildVm(port: BuilderPort, spec: VmBuildSpec): BuiltVm {
  const { partitionCap: p, cspaceCap: c } = port.env;
  const vm = spec.name;
  const create = (n: number, what: string) => must(port, vm, what, n, p, c, 0n)[1];
  const activate = (cap: bigint, what: string) =>
    must(port, vm, `object_activate(${what})`, Hypercall.OBJECT_ACTIVATE, cap, 0n);

  // 1. The VM's RAM as a basic memextent.
  const me = create(Hypercall.PARTITION_CREATE_MEMEXTENT, "partition_create_memextent");
  const meAttrs = encodeMemextentAttrs({
    access: PgtableAccess.RWX,
    memtype: MemextentMemtype.ANY,
    type: MemextentType.BASIC,
    append: false,
  });
  must(
    port,
    vm,
    "memextent_configure",
    Hypercall.MEMEXTENT_CONFIGURE,
    me,
    BigInt(spec.physBase),
    BigInt(spec.size),
    meAttrs,
    0n,
  );
  activate(me, "memextent");

  // 2. The address space, with the RAM mapped at its IPA.
  const as = create(Hypercall.PARTITION_CREATE_ADDRSPACE, "partition_create_addrspace");
  must(port, vm, "addrspace_configure", Hypercall.ADDRSPACE_CONFIGURE, as, BigInt(spec.vmid), 0n);
  activate(as, "addrspace");
  const mapAttrs = encodeMappingAttrs({
    userAccess: PgtableAccess.RWX,
    kernelAccess: PgtableAccess.RWX,
    memtype: S2Memtype.NORMAL_WB,
  });
  must(
    port,
    vm,
    "addrspace_map",
    Hypercall.ADDRSPACE_MAP,
    as,
    me,
    BigInt(spec.ipaBase),
    mapAttrs,
    0n,
    0n,
    0n,
  );

  // 3. The virtual interrupt controller.
  const vic = create(Hypercall.PARTITION_CREATE_VIC, "partition_create_vic");
  must(
    port,
    vm,
    "vic_configure",
    Hypercall.VIC_CONFIGURE,
    vic,
    BigInt(spec.vcpus),
    BigInt(spec.spis ?? DEFAULT_VM_SPIS),
    0n,
    0n,
  );
  activate(vic, "vic");

  // 4. The cspace the VM's vCPUs make hypercalls through.
  const cs = create(Hypercall.PARTITION_CREATE_CSPACE, "partition_create_cspace");
  must(
    port,
    vm,
    "cspace_configure",
    Hypercall.CSPACE_CONFIGURE,
    cs,
    BigInt(VM_CSPACE_MAX_CAPS),
    0n,
  );
  activate(cs, "cspace");

  // 5. The vCPUs.
  const vcpus: bigint[] = [];
  for (let i = 0; i < spec.vcpus; i++) {
    const t = create(Hypercall.PARTITION_CREATE_THREAD, "partition_create_thread");
    must(port, vm, "vcpu_configure", Hypercall.VCPU_CONFIGURE, t, 0n, 0n);
    must(
      port,
      vm,
      "vcpu_set_priority",
      Hypercall.VCPU_SET_PRIORITY,
      t,
      BigInt(spec.priority ?? DEFAULT_VCPU_PRIORITY),
    );
    must(
      port,
      vm,
      "vcpu_set_timeslice",
      Hypercall.VCPU_SET_TIMESLICE,
      t,
      BigInt(spec.timesliceNs ?? DEFAULT_VCPU_TIMESLICE_NS),
    );
    const cpu = i % Math.max(1, spec.physicalCpus ?? 1);
    must(port, vm, "vcpu_set_affinity", Hypercall.VCPU_SET_AFFINITY, t, BigInt(cpu), RES1);
    must(port, vm, "cspace_attach_thread", Hypercall.CSPACE_ATTACH_THREAD, cs, t, 0n);
    must(port, vm, "addrspace_attach_thread", Hypercall.ADDRSPACE_ATTACH_THREAD, as, t, 0n);
    must(port, vm, "vic_attach_vcpu", Hypercall.VIC_ATTACH_VCPU, vic, t, BigInt(i), 0n);
    activate(t, `vcpu ${i}`);
    vcpus.push(t);
  }
  return { memextent: me, addrspace: as, vic, cspace: cs, vcpus };
}

/** `vcpu_poweron(vcpu, entry, context, 0)`: start a vCPU at `entry` with X0 = `context`. */
export function powerOnVcpu(
  port: BuilderPort,
  vm: string,
  vcpu: bigint,
  entry: bigint,
  context: bigint,
): void {
  must(port, vm, "vcpu_poweron", Hypercall.VCPU_POWERON, vcpu, entry, context, 0n);
}
