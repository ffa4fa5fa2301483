/**
 * The VMs as the run loop sees them. Gunyah has no VM object: a VM is the
 * set of vCPUs sharing an address space (and a vic). For each address space
 * this keeps the VM's MMIO bus, its vCPUs by index, and its interrupt
 * controller; it creates the arch's controller for each vic being activated
 * and puts the vGIC frames on the bus, at the default placement or where
 * `addrspace_attach_vdevice` maps them.
 *
 * @module
 */
import { VIC_OPTION_DISABLE_DEFAULT_ADDR } from "../abi/formats.ts";
import { Addrspace, type VdeviceAttachment } from "../object/addrspace/addrspace.ts";
import type { Thread } from "../object/thread/thread.ts";
import { Vic } from "../object/vic/vic.ts";
import type {
  ArchPlugin,
  ArchVcpu,
  InterruptController,
  InterruptControllerInstance,
  InterruptControllerPlacement,
} from "../plugin/contracts.ts";
import { RelocatedRegion, VmMmioBus } from "./vm_mmio_bus.ts";

/**
 * Where a vic's GICv3 frames sit in the IPA space by default (unless the vic
 * is configured with DISABLE_DEFAULT_ADDR): the platform's answer
 * (`PlatformPlugin.interruptControllerPlacement`).
 */
export type VgicPlacement = InterruptControllerPlacement;

/** Bytes of one vCPU's redistributor frames (RD_base + SGI_base, Arm GICv3). */
const GICR_STRIDE = 0x20000;

/** One VM as the run loop sees it: the vCPUs sharing an address space. */
export interface VmContext {
  /** The VM's MMIO bus (devices, vGIC frames, VMMIO ranges). */
  readonly bus: VmMmioBus;
  /** The VM's vCPUs by their index within it. */
  readonly vcpus: Thread[];
  /** The VM's interrupt controller, once known. */
  irq: InterruptController | null;
  /** Whether the vic's frames are on the bus at their default placement. */
  vgicMapped: boolean;
}

/** The VMs of one hypervisor, keyed by address space. */
export class VmRegistry {
  readonly #vms = new Map<object, VmContext>();
  readonly #vicControllers = new Map<Vic, InterruptControllerInstance>();

  /** VMs on `arch`'s interrupt controllers, vGIC frames at `placement` by default. */
  constructor(
    readonly arch: ArchPlugin,
    readonly placement: VgicPlacement,
    readonly log: (message: string) => void,
    /** Receives what a device region throws on an access (contained; see VmMmioBus.onFault). */
    readonly fault: (source: string, error: unknown) => void = (_s, e) => {
      throw e;
    },
  ) {}

  /** The VM whose address space is `addrspace` (created on first use). */
  vmFor(addrspace: object): VmContext {
    let vm = this.#vms.get(addrspace);
    if (!vm) {
      vm = { bus: new VmMmioBus(), vcpus: [], irq: null, vgicMapped: false };
      if (addrspace instanceof Addrspace) vm.bus.vmmioSource = addrspace;
      vm.bus.onFault = (r, e) => this.fault(`MMIO region at 0x${r.base.toString(16)}`, e);
      this.#vms.set(addrspace, vm);
    }
    return vm;
  }

  /** The VM of a vCPU: its address space's (a vCPU without one is a VM of its own). */
  vmOf(thread: Thread): VmContext {
    return this.vmFor(thread.addrspace ?? thread);
  }

  /** The arch's interrupt controller for a vic being activated (the partition service). */
  createVicController(vic: Vic): InterruptController {
    const inst = this.arch.createInterruptController(
      { vcpus: vic.maxVcpus, spis: vic.maxVirqs },
      this.placement,
    );
    this.#vicControllers.set(vic, inst);
    return inst;
  }

  /**
   * The index a vCPU takes in its VM: its vic attachment index, else the
   * first free one. Returns -1 if that index belongs to another vCPU.
   */
  indexFor(thread: Thread, vm: VmContext): number {
    let index = thread.vcpuIndex;
    if (index < 0) {
      index = 0;
      while (vm.vcpus[index] !== undefined) index++;
    }
    return vm.vcpus[index] !== undefined && vm.vcpus[index] !== thread ? -1 : index;
  }

  /** The interrupt controller of the vCPU's VM (its vic's), if any. */
  controllerFor(thread: Thread, vm: VmContext): InterruptController | null {
    if (vm.irq === null && thread.vic instanceof Vic) vm.irq = thread.vic.controller;
    return vm.irq;
  }

  /**
   * Enter a newly created vCPU context: record it at `index`, attach it to
   * its vic's controller and, unless the vic disables default addresses, put
   * the vGIC frames on the VM's bus.
   */
  enter(thread: Thread, vm: VmContext, index: number, arch: ArchVcpu): void {
    vm.vcpus[index] = thread;
    const vic = thread.vic instanceof Vic ? thread.vic : null;
    const inst = vic !== null ? this.#vicControllers.get(vic) : undefined;
    if (vic === null || inst === undefined) return;
    inst.attachVcpu(index, arch);
    if (vm.vgicMapped || (vic.options & VIC_OPTION_DISABLE_DEFAULT_ADDR) !== 0) return;
    vm.vgicMapped = true;
    for (const r of inst.regions) {
      try {
        vm.bus.addRegion(r);
      } catch (e) {
        this.log(`vGIC frame not mapped at its default address: ${(e as Error).message}`);
      }
    }
  }

  /**
   * addrspace_attach_vdevice of a vic: frame `index` (0 = GICD, i = GICR of
   * vCPU i-1) appears at `vbase` on the VM's bus.
   */
  mapVdevice(addrspace: Addrspace, att: VdeviceAttachment): void {
    if (!(att.object instanceof Vic)) {
      this.log(`${att.object.describeName()}: vdevice has no MMIO model in the core; not mapped`);
      return;
    }
    const inst = this.#vicControllers.get(att.object);
    if (inst === undefined) return;
    const p = this.placement;
    const target = att.index === 0
      ? p.distributorBase
      : p.redistributorBase + (att.index - 1) * GICR_STRIDE;
    const inner = inst.regions.find((r) => target >= r.base && target - r.base < r.size);
    if (inner === undefined) return;
    const bus = this.vmFor(addrspace).bus;
    if (bus.hasRegionAt(att.vbase, att.size)) return;
    if (att.vbase === target && bus.regions.includes(inner)) return;
    bus.addRegion(new RelocatedRegion(att.vbase, att.size, inner, target - inner.base));
  }

  /** A destroyed vCPU leaves its VM. */
  forget(thread: Thread): void {
    for (const vm of this.#vms.values()) {
      const k = vm.vcpus.indexOf(thread);
      if (k >= 0) {
        delete vm.vcpus[k];
        vm.bus.resetVcpu(k);
      }
    }
  }
}
