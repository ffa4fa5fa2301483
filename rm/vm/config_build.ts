/**
 * Building a VM from its `gunyah-vm-config` (gunyah-abi.md §5.8) at VM_INIT,
 * through hypercalls only, as the Gunyah RM's `vm_config.c` does:
 *
 * 1. addrspace (VMID) — the VM's RAM is mapped into it afterwards from the
 *    image parcel (rm/vm/parcels.ts `mapForVm`);
 * 2. vic, placed where the VMM's GIC node says: at the hypervisor's default
 *    frames if they match, else with DISABLE_DEFAULT_ADDR and the GICD /
 *    GICR frames attached at the DT's addresses (`addrspace_attach_vdevice`);
 * 3. cspace;
 * 4. per vCPU: thread with priority (default + `sched-priority` offset),
 *    timeslice (`sched-timeslice` µs) and affinity (`affinity-map`, else
 *    spread), attached and activated; then its HALT VIRQ bound in the RM's
 *    vic (how the RM learns the VM stopped) and, for `affinity = "proxy"`,
 *    its VCPU_RUN_WAKEUP VIRQ bound in the owner's vic, which makes it
 *    proxy scheduled (runs only inside the owner's `vcpu_run`, §1.7);
 * 5. for a proxy-scheduled VM, every IPA below its RAM is a VMMIO range, so
 *    device accesses there exit to the owner's `vcpu_run` (VMMIO read/write).
 *
 * @module
 */
import { Hypercall, VIC_OPTION_DISABLE_DEFAULT_ADDR } from "@gunyah-ts/core/abi";
import {
  GICD_FRAME_BYTES,
  GICR_ATTACH_LAST,
  GICR_ATTACH_LAST_VALID,
  GICR_VCPU_FRAMES_SIZE,
  VcpuVirqKind,
  VGIC_DEFAULT_GICD,
  VGIC_DEFAULT_GICR,
  VmmioOp,
} from "../abi.ts";
import {
  type BuilderPort,
  DEFAULT_VCPU_PRIORITY,
  DEFAULT_VCPU_TIMESLICE_NS,
  DEFAULT_VM_SPIS,
  must,
  VM_CSPACE_MAX_CAPS,
} from "./builder.ts";
import { destroyObjects, VirqExhausted } from "./vdevices.ts";
import type { VmConfig } from "./vm_config.ts";
import type { VirqPool } from "./virq_pool.ts";

/** Scheduler priorities (HYP `scheduler_fprr.tc`: 0..63). */
const PRIORITY_MAX = 63;
const RES1 = 0xffff_ffff_ffff_ffffn;

/** A VM's hypervisor objects (RM cspace caps). */
export interface VmObjects {
  readonly addrspace: bigint;
  readonly vic: bigint;
  readonly cspace: bigint;
  readonly vcpus: readonly bigint[];
}

/** A VM built from its config. */
export interface ConfiguredVm extends VmObjects {
  /** Per vCPU: its VCPU_RUN_WAKEUP INTID in the owner's vic (proxy), or null. */
  readonly wakeupVirqs: readonly (number | null)[];
  /** Per vCPU: its HALT INTID in the RM's vic. */
  readonly haltVirqs: readonly number[];
  readonly proxy: boolean;
}

/** What the build needs besides the config. */
export interface ConfiguredVmSpec {
  readonly name: string;
  readonly vmid: number;
  readonly config: VmConfig;
  /** IPA of the VM's RAM (for the proxy VMMIO range). */
  readonly ramIpa: bigint;
  readonly physicalCpus: number;
  /** The owner's vic (RM cspace) and its free VIRQs (wakeup VIRQs). */
  readonly owner: { readonly vic: bigint; readonly virqs: VirqPool };
  /** The RM's vic and its free VIRQs (HALT VIRQs). */
  readonly rm: { readonly vic: bigint; readonly virqs: VirqPool };
}

/** Build the VM; on failure everything created is destroyed and the error rethrown. */
export function buildConfiguredVm(port: BuilderPort, spec: ConfiguredVmSpec): ConfiguredVm {
  const { partitionCap: p, cspaceCap: c } = port.env;
  const { config } = spec;
  const vm = spec.name;
  const call = (what: string, n: number, ...a: bigint[]) => must(port, vm, what, n, ...a);
  const created: bigint[] = [];
  const create = (n: number, what: string) => {
    const cap = call(what, n, p, c, 0n)[1];
    created.push(cap);
    return cap;
  };
  const activate = (cap: bigint, what: string) =>
    call(`object_activate(${what})`, Hypercall.OBJECT_ACTIVATE, cap, 0n);
  const taken: [VirqPool, number][] = [];
  const take = (pool: VirqPool, where: string): number => {
    const v = pool.take();
    if (v === null) throw new VirqExhausted(`VM '${vm}': no free VIRQ in ${where}`);
    taken.push([pool, v]);
    return v;
  };
  try {
    const as = create(Hypercall.PARTITION_CREATE_ADDRSPACE, "partition_create_addrspace");
    call("addrspace_configure", Hypercall.ADDRSPACE_CONFIGURE, as, BigInt(spec.vmid), 0n);
    activate(as, "addrspace");

    const n = config.vcpuCount;
    const gic = config.gic;
    const relocate = gic !== null &&
      (gic.distributor !== VGIC_DEFAULT_GICD || gic.redistributor !== VGIC_DEFAULT_GICR);
    const vic = create(Hypercall.PARTITION_CREATE_VIC, "partition_create_vic");
    call(
      "vic_configure",
      Hypercall.VIC_CONFIGURE,
      vic,
      BigInt(n),
      BigInt(DEFAULT_VM_SPIS),
      relocate ? BigInt(VIC_OPTION_DISABLE_DEFAULT_ADDR) : 0n,
      0n,
    );
    activate(vic, "vic");

    const cs = create(Hypercall.PARTITION_CREATE_CSPACE, "partition_create_cspace");
    call("cspace_configure", Hypercall.CSPACE_CONFIGURE, cs, BigInt(VM_CSPACE_MAX_CAPS), 0n);
    activate(cs, "cspace");

    const proxy = config.affinity === "proxy";
    const priority = Math.max(
      0,
      Math.min(PRIORITY_MAX, DEFAULT_VCPU_PRIORITY + config.schedPriority),
    );
    const timeslice = config.schedTimesliceUs !== null
      ? BigInt(config.schedTimesliceUs) * 1000n
      : BigInt(DEFAULT_VCPU_TIMESLICE_NS);
    const vcpus: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const t = create(Hypercall.PARTITION_CREATE_THREAD, "partition_create_thread");
      call("vcpu_configure", Hypercall.VCPU_CONFIGURE, t, 0n, 0n);
      call("vcpu_set_priority", Hypercall.VCPU_SET_PRIORITY, t, BigInt(priority));
      call("vcpu_set_timeslice", Hypercall.VCPU_SET_TIMESLICE, t, timeslice);
      const cpu = config.affinityMap[i] ?? i % Math.max(1, spec.physicalCpus);
      if (cpu >= spec.physicalCpus) {
        throw new RangeError(
          `VM '${vm}': affinity-map puts vCPU ${i} on CPU ${cpu} of ${spec.physicalCpus}`,
        );
      }
      call("vcpu_set_affinity", Hypercall.VCPU_SET_AFFINITY, t, BigInt(cpu), RES1);
      call("cspace_attach_thread", Hypercall.CSPACE_ATTACH_THREAD, cs, t, 0n);
      call("addrspace_attach_thread", Hypercall.ADDRSPACE_ATTACH_THREAD, as, t, 0n);
      call("vic_attach_vcpu", Hypercall.VIC_ATTACH_VCPU, vic, t, BigInt(i), 0n);
      activate(t, `vcpu ${i}`);
      vcpus.push(t);
    }
    if (relocate) {
      call(
        "addrspace_attach_vdevice(GICD)",
        Hypercall.ADDRSPACE_ATTACH_VDEVICE,
        as,
        vic,
        0n,
        gic!.distributor,
        BigInt(GICD_FRAME_BYTES),
        0n,
      );
      for (let i = 0; i < n; i++) {
        call(
          `addrspace_attach_vdevice(GICR ${i})`,
          Hypercall.ADDRSPACE_ATTACH_VDEVICE,
          as,
          vic,
          BigInt(i + 1),
          gic!.redistributor + BigInt(i * GICR_VCPU_FRAMES_SIZE),
          BigInt(GICR_VCPU_FRAMES_SIZE),
          BigInt(GICR_ATTACH_LAST_VALID | (i === n - 1 ? GICR_ATTACH_LAST : 0)),
        );
      }
    }
    const haltVirqs: number[] = [];
    const wakeupVirqs: (number | null)[] = [];
    vcpus.forEach((t, i) => {
      const h = take(spec.rm.virqs, "the RM's vic");
      call(
        `vcpu_bind_virq(HALT, vcpu ${i})`,
        Hypercall.VCPU_BIND_VIRQ,
        t,
        spec.rm.vic,
        BigInt(h),
        BigInt(VcpuVirqKind.HALT),
      );
      haltVirqs.push(h);
      if (!proxy) {
        wakeupVirqs.push(null);
        return;
      }
      const w = take(spec.owner.virqs, "the owner's vic");
      call(
        `vcpu_bind_virq(VCPU_RUN_WAKEUP, vcpu ${i})`,
        Hypercall.VCPU_BIND_VIRQ,
        t,
        spec.owner.vic,
        BigInt(w),
        BigInt(VcpuVirqKind.VCPU_RUN_WAKEUP),
      );
      wakeupVirqs.push(w);
    });
    if (proxy && spec.ramIpa > 0n) {
      call(
        "addrspace_configure_vmmio",
        Hypercall.ADDRSPACE_CONFIGURE_VMMIO,
        as,
        0n,
        spec.ramIpa,
        BigInt(VmmioOp.ADD),
      );
    }
    return { addrspace: as, vic, cspace: cs, vcpus, wakeupVirqs, haltVirqs, proxy };
  } catch (e) {
    destroyObjects(port, [...created].reverse());
    for (const [pool, v] of taken) pool.give(v);
    throw e;
  }
}

/**
 * Stop and destroy a VM's objects: kill its vCPUs, then revoke every copy of
 * their caps (the owner's) and delete the RM's, vCPUs first so the address
 * space, vic and cspace lose their last references. Returns problems.
 */
export function destroyVmObjects(port: BuilderPort, objects: VmObjects): string[] {
  for (const t of objects.vcpus) port.call(Hypercall.VCPU_KILL, t, 0n);
  return destroyObjects(port, [...objects.vcpus, objects.cspace, objects.vic, objects.addrspace]);
}
