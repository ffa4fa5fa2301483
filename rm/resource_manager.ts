/**
 * The resource manager as a native {@link Component}: it owns the VMs it
 * creates, builds them through hypercalls only, and tracks each VM through
 * the RM state machine (gunyah-abi.md §5.5).
 *
 * Two ways a VM is built:
 * - over RM RPC, the Gunyah way (§5.7 v14 sequence): VM_ALLOCATE → a parcel
 *   shared or lent to the VM → VM_CONFIG_IMAGE (which parcel holds the image
 *   and the devicetree) → VM_INIT reads the devicetree's `gunyah-vm-config`
 *   (rm/vm/vm_config.ts), builds every object (rm/vm/config_build.ts,
 *   rm/vm/vdevices.ts), maps the parcel at the config's memory base and
 *   writes the `/hypervisor` overlay into the devicetree → VM_START at the
 *   image with X0 = the devicetree → VM_STOP → VM_RESET → VM_DEALLOCATE;
 * - the primary VM (the HLOS), which no VMM creates: from the boot
 *   description the RM is constructed with ({@link PrimaryVmBoot}), when it
 *   starts ({@link ResourceManager.allocateVm} + {@link ResourceManager.initVm}
 *   over the primary's RAM), as the Gunyah RM builds the HLOS from its boot
 *   configuration.
 *
 * A host client (`attachClient`, the host's VMM) owns the RAM the platform
 * announces for it (`clientRam`, rm/mem/client_ram.ts) and builds VMs the
 * first way; VM_ALLOCATE is open to the HLOS and the `vmAllocators`.
 *
 * The RM learns that an RPC-built VM stopped from the HALT VIRQs of its
 * vCPUs, bound in the RM's own vic, and `vcpu_run_check` (§1.7): PSCI
 * SYSTEM_OFF → exit type PLATFORM_OFF, SYSTEM_RESET → PLATFORM_RESET,
 * SYSTEM_RESET2 → PSCI_SYSTEM_RESET2, a vCPU fault → SOFTWARE_ERROR.
 *
 * @module
 */
import { type Component, type HypercallPort, PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import type { DtNode } from "@gunyah-ts/core/plugin";
import {
  errorFromRegister,
  errorName,
  GIC_SPI_BASE,
  GIC_SPI_NUM,
  Hypercall,
  HypError,
  PgtableAccess,
} from "@gunyah-ts/core/abi";
import {
  ExitType,
  ImageAuth,
  RmError,
  RUN_RESET_IS_SYSTEM_RESET,
  RunState,
  VcpuVirqKind,
  Vmid,
  VmStatus,
} from "./abi.ts";
import { decodeFdt, encodeFdt, FdtFormatError, fromDtNode } from "./dt/fdt.ts";
import { hypervisorDtNode } from "./dt/hypervisor_node.ts";
import { RmRequestError } from "./error.ts";
import { IrqLending, irqLendingHandlers } from "./irq/lending.ts";
import { memParcelHandlers } from "./mem/handlers.ts";
import { type OwnedRegion, type Parcel, ParcelManager } from "./mem/parcels.ts";
import type { ClientRamRange, ClientRamSource } from "./mem/client_ram.ts";
import { createRpcLink, RM_RPC_VM_FREE_IRQ_START, type RpcLink } from "./rpc/link.ts";
import { type RmMemoryRegion, RmPrivateMemory } from "./rpc/private_memory.ts";
import { type ConsoleSink, RmRpcService } from "./rpc/service.ts";
import {
  type BuilderPort,
  buildVm,
  type BuiltVm,
  DEFAULT_VM_SPIS,
  powerOnVcpu,
  type VmBuildSpec,
} from "./vm/builder.ts";
import {
  buildConfiguredVm,
  type ConfiguredVm,
  destroyVmObjects,
  type VmObjects,
} from "./vm/config_build.ts";
import { type ParcelDirectory, parcelDirectoryOver, type PhysicalView } from "./vm/parcels.ts";
import { type BuiltVdevice, createVdevice, destroyObjects, vdeviceDtNode } from "./vm/vdevices.ts";
import { parseVmConfig, type VmConfig, VmConfigError } from "./vm/vm_config.ts";
import { VirqPool } from "./vm/virq_pool.ts";

export { RmRequestError } from "./error.ts";

/** Where a VM's image and devicetree are (VM_CONFIG_IMAGE). */
export interface VmImage {
  readonly handle: number;
  readonly imageOffset: bigint;
  readonly imageSize: bigint;
  readonly dtbOffset: bigint;
  readonly dtbSize: bigint;
}

/** What the RM knows about one VM. */
export interface VmRecord {
  readonly vmid: number;
  /** Its name: the host's for the primary and clients, `image-name` of its config once VM_INIT read it. */
  name: string;
  /** VMID of the VM that owns this one (VM_ALLOCATE caller), or the RM itself. */
  readonly owner: number;
  status: number;
  /** Host-built VMs: the capabilities {@link buildVm} made, in the RM's cspace. */
  caps: BuiltVm | null;
  /** The VM's objects (RM cspace caps), however it was built; null before VM_INIT. */
  objects: VmObjects | null;
  /** Why it exited, when it did. */
  exitReason: string | null;
  /** VM_CONFIG_IMAGE, once given. */
  image: VmImage | null;
  /** The parsed `gunyah-vm-config`, once VM_INIT read it. */
  config: VmConfig | null;
  /** An RPC-built VM's extra objects (VIRQs, proxy state). */
  built: ConfiguredVm | null;
  /** IPA where the image parcel is mapped. */
  ramIpa: bigint | null;
  /** VM_SET_CONTEXT values; unset ones take the defaults (PC = image, X0 = DTB). */
  readonly boot: { pc: bigint | null; x0: bigint | null };
  /** Inter-VM vdevices where this VM is the one configured. */
  vdevices: BuiltVdevice[];
  /** Free VIRQs of this VM's vic. */
  readonly virqs: VirqPool;
  /** The vCPU caps copied into the owner's cspace (VM_GET_HYP_RESOURCES). */
  ownerVcpuCaps: bigint[] | null;
  /** A host client's cspace and vic (RM cspace caps), from `attachClient`; null for a VM. */
  client: { readonly cspace: bigint; readonly vic: bigint } | null;
}

/** Names of the VM status values, for people. */
export const VM_STATUS_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(VmStatus).map(([k, v]) => [v, k.toLowerCase()]),
);

/** Options of the resource manager. */
export interface ResourceManagerOptions {
  /**
   * Physical RAM the RM claims at start for its RPC message buffers (see
   * rm/rpc/private_memory.ts). Without it the RM serves no RPC: VMs get no
   * RM channel and no `/hypervisor` node.
   */
  readonly privateMemory?: RmMemoryRegion;
  /** Diagnostics (dropped RPC messages, rejected requests). */
  readonly log?: (message: string) => void;
  /** Console output VMs write through VM_CONSOLE_WRITE. */
  readonly consoleSink?: ConsoleSink;
  /**
   * The RM's view of physical RAM, to read and patch the devicetree in an
   * image parcel (the Gunyah RM maps the DT parcel into its own address
   * space). Without it VM_INIT fails with MEM_INVALID.
   */
  readonly physicalMemory?: PhysicalView;
  /** Physical CPUs vCPUs may be placed on (default 1). */
  readonly physicalCpus?: number;
  /** The primary VM, built when the RM starts (its boot configuration). */
  readonly primary?: PrimaryVmBoot;
  /**
   * RAM the platform adds and takes back for host clients (rm/mem/client_ram.ts);
   * without it a client owns no RAM and cannot lend any.
   */
  readonly clientRam?: ClientRamSource;
  /**
   * VMIDs allowed to VM_ALLOCATE besides the HLOS (the RM's VMM policy):
   * e.g. the host VMM's. Any other caller is DENIED.
   */
  readonly vmAllocators?: readonly number[];
}

/**
 * The primary VM (the HLOS) as the RM's boot configuration describes it: the
 * RM builds it when it starts, as the Gunyah RM builds the HLOS at boot —
 * no VMM creates it. Its images are already in its RAM (the boot loader put
 * them there); the RM writes its `/hypervisor` node into the devicetree in
 * place.
 */
export interface PrimaryVmBoot {
  /** The VM's name. */
  readonly name: string;
  /** Its VMID (default the HLOS's, 3). */
  readonly vmid?: number;
  /**
   * The VMID allowed to control it over RPC (VM_SET_CONTEXT, VM_START,
   * VM_STOP; default the RM itself): the host VMM, so the host tools can
   * start a primary booted stopped, and stop it.
   */
  readonly owner?: number;
  /** Physical base of its RAM (its partition's, i.e. the RM's). */
  readonly physBase: number;
  /** IPA of its RAM. */
  readonly ipaBase: number;
  /** RAM bytes. */
  readonly size: number;
  /** vCPUs. */
  readonly vcpus: number;
  /** Boot entry (PC of vCPU 0). */
  readonly entry: bigint;
  /** Where its devicetree is (IPA) and how many bytes it may grow to (X0 = the IPA). */
  readonly dtb: { readonly ipa: number; readonly size: number };
  /** Power vCPU 0 on at once (default true); otherwise its owner's VM_START does. */
  readonly start?: boolean;
}

/** First INTID of the RM's own vic handed out (RPC channels, HALT VIRQs). */
export const RM_RPC_FIRST_VIRQ = 32;

/** The resource manager component. */
export class ResourceManager implements Component {
  readonly kind = "component";
  readonly apiVersion = PLUGIN_API_VERSION;
  readonly name = "resource-manager";
  #port: BuilderPort | null = null;
  #rmVic: bigint | null = null;
  readonly #vms = new Map<number, VmRecord>();
  readonly #options: ResourceManagerOptions;
  #rpc: RmRpcService | null = null;
  #parcels: ParcelDirectory | null = null;
  #parcelManager: ParcelManager | null = null;
  #irqs: IrqLending | null = null;
  /** INTIDs of the RM's own vic. */
  readonly #rmVirqs = new VirqPool(RM_RPC_FIRST_VIRQ, GIC_SPI_BASE + GIC_SPI_NUM);
  /** HALT VIRQ → (VM, vCPU index). */
  readonly #halts = new Map<number, { vmid: number; index: number }>();
  /** Why building the primary from the boot configuration failed, if it did. */
  #bootFailure: string | null = null;

  constructor(options: ResourceManagerOptions = {}) {
    this.#options = options;
  }

  /** Component start: remember the hypercall port and our partition/cspace caps. */
  start(port: HypercallPort): void {
    const env = (port as Partial<BuilderPort>).env;
    if (!env) {
      throw new Error(
        "resource manager: the hypercall port carries no partition/cspace environment",
      );
    }
    this.#port = port as BuilderPort;
    this.#parcelManager = new ParcelManager({
      port,
      env,
      exists: (vmid) => this.#vms.has(vmid),
      addrspace: (vmid) => this.#vms.get(vmid)?.objects?.addrspace ?? null,
      notify: (vmid, msgId, payload) => void this.#rpc?.notify(vmid, msgId, payload),
      log: this.#options.log,
    });
    this.#parcels ??= parcelDirectoryOver(this.#parcelManager, this.#options.physicalMemory);
    this.#irqs = new IrqLending({
      port,
      vic: (vmid) => this.#vms.get(vmid)?.objects?.vic ?? null,
      notify: (vmid, msgId, payload) => void this.#rpc?.notify(vmid, msgId, payload),
      log: this.#options.log,
    });
    const region = this.#options.privateMemory;
    const vicCap = (port as Partial<{ env: { vicCap?: bigint } }>).env?.vicCap;
    this.#rmVic = vicCap ?? null;
    if (region && vicCap !== undefined) {
      const bp = this.#port;
      const memory = RmPrivateMemory.claim(bp, env, region);
      const allocators = new Set([Vmid.HLOS, ...(this.#options.vmAllocators ?? [])]);
      this.#rpc = new RmRpcService(
        {
          mayAllocate: (caller) => allocators.has(caller),
          find: (vmid) => this.#vms.get(vmid) ?? null,
          allVms: () => this.vms,
          allocateVm: (name, vmid, owner) => this.allocateVm(name, vmid, owner),
          configImage: (vmid, auth, image) => this.configImage(vmid, auth, image),
          initVmOverRpc: (vmid) => this.initFromImage(vmid),
          startVm: (vmid) => this.startVm(vmid),
          stopVm: (vmid, reason) => this.stopVm(vmid, reason),
          resetVm: (vmid) => this.resetVm(vmid),
          deallocateVm: (vmid) => this.deallocateVm(vmid),
          port: bp,
          cspaceCap: env.cspaceCap,
        },
        memory,
        this.#rmVirqs,
        this.#options.log,
        this.#options.consoleSink,
      );
      this.#rpc.registerHandlers(memParcelHandlers(this.#parcelManager));
      this.#rpc.registerHandlers(irqLendingHandlers(this.#irqs));
    }
    this.#options.clientRam?.watch({
      added: (r) => this.#addClientRam(r),
      removing: (r) => this.#removeClientRam(r),
    });
    const primary = this.#options.primary;
    if (primary) {
      try {
        this.#bootPrimary(primary);
      } catch (e) {
        this.#bootFailure = (e as Error).message;
        this.#options.log?.(`resource manager: the primary VM did not boot: ${this.#bootFailure}`);
      }
    }
  }

  /** Read model: why the primary of the boot configuration was not built, or null. */
  get bootFailure(): string | null {
    return this.#bootFailure;
  }

  /**
   * Build the primary from the boot configuration: its objects over its RAM
   * (`initVm`), its RM channel, HALT VIRQs of its vCPUs in the RM's vic (so
   * the RM learns of its exits as of any VM's), the `/hypervisor` node
   * written into its devicetree, and vCPU 0 powered on unless told not to.
   */
  #bootPrimary(b: PrimaryVmBoot): void {
    const vmid = b.vmid ?? Vmid.HLOS;
    const rec = this.allocateVm(b.name, vmid, b.owner ?? Vmid.RM);
    this.initVm(vmid, {
      physBase: b.physBase,
      ipaBase: b.ipaBase,
      size: b.size,
      vcpus: b.vcpus,
      physicalCpus: this.#options.physicalCpus ?? 1,
    });
    const port = this.#portOrThrow();
    const rmVic = this.#rmVic;
    rec.objects!.vcpus.forEach((cap, index) => {
      const v = this.#rmVirqs.take();
      if (v === null || rmVic === null) throw new Error("the RM's vic has no free VIRQ");
      const err = errorFromRegister(
        port.call(Hypercall.VCPU_BIND_VIRQ, cap, rmVic, BigInt(v), BigInt(VcpuVirqKind.HALT))[0],
      );
      if (err !== HypError.OK) throw new Error(`vcpu_bind_virq(HALT): ${errorName(err)}`);
      this.#halts.set(v, { vmid, index });
    });
    if (b.dtb.ipa < b.ipaBase || b.dtb.ipa + b.dtb.size > b.ipaBase + b.size) {
      throw new Error(`the devicetree at IPA 0x${b.dtb.ipa.toString(16)} is outside its RAM`);
    }
    const bytes = this.#options.physicalMemory?.(b.physBase + (b.dtb.ipa - b.ipaBase), b.dtb.size);
    if (!bytes) throw new Error("the RM cannot read the primary's devicetree (no physical view)");
    const link = this.#rpc?.link(vmid) ?? null;
    if (link) {
      const fdt = decodeFdt(bytes);
      const root = fdt.root;
      const at = root.children.findIndex((c) => c.name === "hypervisor");
      if (at >= 0) root.children.splice(at, 1);
      root.children.push(fromDtNode(hypervisorDtNode({ link })));
      const out = encodeFdt(fdt);
      if (out.length > bytes.length) {
        throw new Error(
          `the devicetree with /hypervisor needs ${out.length} bytes, ${bytes.length} are given`,
        );
      }
      bytes.fill(0);
      bytes.set(out);
    }
    rec.boot.pc = b.entry;
    rec.boot.x0 = BigInt(b.dtb.ipa);
    if (b.start !== false) this.startVm(vmid);
  }

  /** Client RAM added: claim it as an extent of the RM's partition and record it as the client's. */
  #addClientRam(r: ClientRamRange): void {
    const rec = this.vm(r.vmid);
    if (!rec.client) {
      throw new RmRequestError(
        RmError.VMID_INVALID,
        `VM 0x${r.vmid.toString(16)} is not a host client; its RAM comes from VM_INIT`,
      );
    }
    const claimed = RmPrivateMemory.claimExtent(
      this.#portOrThrow(),
      this.#portOrThrow().env,
      r.base,
      r.size,
      PgtableAccess.RWX,
      `client '${rec.name}' RAM`,
    );
    this.parcels.addOwnedMemory(r.vmid, {
      ipa: r.base,
      phys: r.base,
      size: r.size,
      extent: claimed,
    });
  }

  /** Client RAM taken back: refused while in a parcel; else the record and the extent go. */
  #removeClientRam(r: ClientRamRange): void {
    const o = this.parcels.removeOwnedMemory(r.vmid, r.base);
    if (o.size !== r.size) {
      this.parcels.addOwnedMemory(r.vmid, o);
      throw new RmRequestError(
        RmError.ARGUMENT_INVALID,
        `client RAM at 0x${r.base.toString(16)} is 0x${o.size.toString(16)} bytes, not 0x${
          r.size.toString(16)
        }`,
      );
    }
    for (const p of destroyObjects(this.#portOrThrow(), [o.extent])) {
      this.#options.log?.(`resource manager: returning client RAM: ${p}`);
    }
  }

  /** IRQ lending (rm/irq): the hwirqs the RM manages, once started. */
  get irqs(): IrqLending {
    if (!this.#irqs) throw new Error("resource manager: not started");
    return this.#irqs;
  }

  /** The memory-parcel registry (rm/mem), once started. */
  get parcels(): ParcelManager {
    if (!this.#parcelManager) throw new Error("resource manager: not started");
    return this.#parcelManager;
  }

  /** Read model: every memory parcel now (owner, transaction, regions, ACL and who accepted). */
  memoryParcels(): readonly Readonly<Parcel>[] {
    return this.#parcelManager?.all ?? [];
  }

  /** Read model: RPC handler faults the RM contained (exceptions that were not RM errors). */
  get rpcFaults(): number {
    return this.#rpc?.faults ?? 0;
  }

  /** Read model: the RAM VM (or host client) `vmid` owns and may lend. */
  ownedMemory(vmid: number): readonly OwnedRegion[] {
    return this.#parcelManager?.ownedMemory(vmid) ?? [];
  }

  /** The RPC service, when the RM was given private memory. */
  get rpc(): RmRpcService | null {
    return this.#rpc;
  }

  /**
   * Replace the parcel directory VM_CONFIG_IMAGE / VM_INIT use (by default
   * rm/mem's parcels, {@link parcelDirectoryOver}); for tests.
   */
  attachParcels(parcels: ParcelDirectory): void {
    this.#parcels = parcels;
  }

  /** A VIRQ bound to the RM's vic fired (RPC channels, vCPU HALT). */
  onVirq(virq: number): void {
    if (this.#rpc?.onVirq(virq)) return;
    const h = this.#halts.get(virq);
    if (h) {
      this.#onHalt(h.vmid, h.index);
      return;
    }
    this.#options.log?.(`resource manager: unexpected VIRQ ${virq}`);
  }

  /**
   * The `/hypervisor` devicetree node of a host-built VM `vmid` (RM RPC
   * channel caps and VIRQs), to pass to the platform's
   * `buildDeviceTree(vm, extraNodes)`; null when the VM has no RM channel.
   */
  hypervisorDtNode(vmid: number): DtNode | null {
    const rec = this.#vms.get(vmid);
    const link = this.#rpc?.link(vmid);
    if (!rec || !link) return null;
    return hypervisorDtNode({ link });
  }

  /** The VM with `vmid`, or null. */
  find(vmid: number): VmRecord | null {
    return this.#vms.get(vmid) ?? null;
  }

  #portOrThrow(): BuilderPort {
    if (!this.#port) throw new Error("resource manager: not started");
    return this.#port;
  }

  /** Every VM, by VMID. */
  get vms(): readonly VmRecord[] {
    return [...this.#vms.values()];
  }

  /** The VM with `vmid`, or throws VMID_INVALID. */
  vm(vmid: number): VmRecord {
    const r = this.#vms.get(vmid);
    if (!r) {
      throw new RmRequestError(RmError.VMID_INVALID, `no VM with VMID 0x${vmid.toString(16)}`);
    }
    return r;
  }

  #state(rec: VmRecord, allowed: readonly number[], what: string): void {
    if (!allowed.includes(rec.status)) {
      throw new RmRequestError(
        RmError.VM_STATE,
        `${what}: VM '${rec.name}' is ${VM_STATUS_NAMES[rec.status]}, not ${
          allowed.map((s) => VM_STATUS_NAMES[s]).join("/")
        }`,
      );
    }
  }

  /**
   * VM_ALLOCATE: reserve `vmid` (0 = pick a dynamic one, 0x80..0xBF); the VM
   * enters LOAD. Explicit VMIDs other than HLOS must be below 64.
   */
  allocateVm(name: string, vmid = 0, owner: number = Vmid.RM): VmRecord {
    if (vmid === 0) {
      for (let v = Vmid.DYNAMIC_FIRST; v <= Vmid.DYNAMIC_LAST; v++) {
        if (!this.#vms.has(v)) {
          vmid = v;
          break;
        }
      }
      if (vmid === 0) throw new RmRequestError(RmError.NORESOURCE, "no free dynamic VMID");
    } else if (vmid !== Vmid.HLOS && (vmid >= 64 || vmid < 1)) {
      throw new RmRequestError(
        RmError.VMID_INVALID,
        `VMID 0x${vmid.toString(16)} cannot be requested`,
      );
    } else if (this.#vms.has(vmid)) {
      throw new RmRequestError(RmError.IN_USE, `VMID 0x${vmid.toString(16)} is in use`);
    }
    if ([...this.#vms.values()].some((v) => v.name === name)) {
      throw new RmRequestError(RmError.ARGUMENT_INVALID, `a VM named '${name}' exists`);
    }
    const rec: VmRecord = {
      vmid,
      name,
      owner,
      status: VmStatus.LOAD,
      caps: null,
      objects: null,
      exitReason: null,
      image: null,
      config: null,
      built: null,
      ramIpa: null,
      boot: { pc: null, x0: null },
      vdevices: [],
      virqs: new VirqPool(RM_RPC_VM_FREE_IRQ_START, GIC_SPI_BASE + DEFAULT_VM_SPIS),
      ownerVcpuCaps: null,
      client: null,
    };
    this.#vms.set(vmid, rec);
    return rec;
  }

  /**
   * Build a host-built VM (the primary) over RAM the host gives it: LOAD →
   * INIT → READY, or INIT_FAILED.
   */
  initVm(vmid: number, spec: Omit<VmBuildSpec, "vmid" | "name">): VmRecord {
    const rec = this.vm(vmid);
    this.#state(rec, [VmStatus.LOAD, VmStatus.RESET], "init");
    rec.status = VmStatus.INIT;
    try {
      rec.caps = buildVm(this.#portOrThrow(), { ...spec, vmid, name: rec.name });
      rec.objects = rec.caps;
    } catch (e) {
      rec.status = VmStatus.INIT_FAILED;
      throw e;
    }
    this.#parcelManager?.addOwnedMemory(vmid, {
      ipa: spec.ipaBase,
      phys: spec.physBase,
      size: spec.size,
      extent: rec.caps.memextent,
    });
    try {
      this.#link(rec);
    } catch (e) {
      rec.status = VmStatus.INIT_FAILED;
      throw e;
    }
    rec.status = VmStatus.READY;
    return rec;
  }

  /**
   * A host-side RM client: VMID `vmid` for a native component (the host's
   * VMM) and its own RM RPC channel, created as a VM's (`rpc/link.ts`): two
   * queues, the client's ends copied into the cspace `client.cspaceCap` with
   * SEND / RECEIVE only, its VIRQs (INTIDs 272/273) bound in its vic
   * `client.vicCap`. Both caps name the client's objects in the RM's cspace.
   * The record has no vCPUs or memory and stays RUNNING; the client owns the
   * VMs the host builds for it (`allocateVm(name, vmid, owner)`).
   */
  attachClient(
    name: string,
    vmid: number,
    client: { readonly cspaceCap: bigint; readonly vicCap: bigint },
  ): RpcLink {
    const rpc = this.#rpc;
    if (!rpc) {
      throw new Error(`resource manager: no RPC service for client '${name}' (no private memory)`);
    }
    const rec = this.allocateVm(name, vmid);
    try {
      const link = this.#attachLink(rpc, vmid, name, client.cspaceCap, client.vicCap);
      rec.client = { cspace: client.cspaceCap, vic: client.vicCap };
      rec.status = VmStatus.RUNNING;
      return link;
    } catch (e) {
      this.#vms.delete(vmid);
      throw e;
    }
  }

  #link(rec: VmRecord): RpcLink | null {
    const rpc = this.#rpc;
    if (!rpc || !rec.objects) return null;
    return this.#attachLink(rpc, rec.vmid, rec.name, rec.objects.cspace, rec.objects.vic);
  }

  /**
   * An RM channel into `cspace` / `vic` for `vmid`, attached to the RPC
   * service; its two RM-side VIRQs go back to the pool if that fails.
   */
  #attachLink(
    rpc: RmRpcService,
    vmid: number,
    name: string,
    cspaceCap: bigint,
    vicCap: bigint,
  ): RpcLink {
    const port = this.#portOrThrow();
    const env = port.env as BuilderPort["env"] & { readonly vicCap: bigint };
    const [rx, tx] = rpc.allocateVirqs();
    try {
      const link = createRpcLink(port, env, { name, cspaceCap, vicCap }, rx, tx);
      rpc.attach(vmid, link);
      return link;
    } catch (e) {
      this.#rmVirqs.give(rx);
      this.#rmVirqs.give(tx);
      throw e;
    }
  }

  #parcelsOrThrow(): ParcelDirectory {
    if (!this.#parcels) {
      throw new RmRequestError(RmError.UNIMPLEMENTED, "the RM has no memory-parcel service");
    }
    return this.#parcels;
  }

  /**
   * VM_CONFIG_IMAGE: the image and devicetree are at the given offsets of
   * parcel `image.handle`, which must give the VM access (LOAD/RESET → INIT
   * for auth NONE; PLATFORM / ANDROID authentication is not supported).
   */
  configImage(vmid: number, auth: number, image: VmImage): void {
    const rec = this.vm(vmid);
    this.#state(rec, [VmStatus.LOAD, VmStatus.RESET], "VM_CONFIG_IMAGE");
    if (auth !== ImageAuth.NONE) {
      throw new RmRequestError(
        auth === ImageAuth.PLATFORM || auth === ImageAuth.ANDROID
          ? RmError.UNIMPLEMENTED
          : RmError.ARGUMENT_INVALID,
        `image authentication type ${auth} is not supported (only 0, NONE)`,
      );
    }
    const parcel = this.#parcelsOrThrow().lookup(image.handle);
    if (!parcel) {
      throw new RmRequestError(
        RmError.HANDLE_INVALID,
        `no memory parcel 0x${image.handle.toString(16)}`,
      );
    }
    if (parcel.owner !== rec.owner) {
      throw new RmRequestError(
        RmError.DENIED,
        `parcel 0x${image.handle.toString(16)} is not the VM owner's`,
      );
    }
    if (!parcel.acl.some((a) => a.vmid === vmid)) {
      throw new RmRequestError(
        RmError.DENIED,
        `parcel 0x${image.handle.toString(16)} does not give VM 0x${vmid.toString(16)} access`,
      );
    }
    const within = (off: bigint, size: bigint) =>
      off >= 0n && size >= 0n && off + size <= parcel.size;
    if (!within(image.imageOffset, image.imageSize) || !within(image.dtbOffset, image.dtbSize)) {
      throw new RmRequestError(
        RmError.ARGUMENT_INVALID,
        `image/DTB ranges exceed the ${parcel.size}-byte parcel`,
      );
    }
    if (image.dtbSize === 0n) {
      throw new RmRequestError(RmError.ARGUMENT_INVALID, "no devicetree (dtb_size 0)");
    }
    rec.image = image;
    rec.status = VmStatus.INIT;
  }

  /**
   * VM_INIT of a VM given its image by VM_CONFIG_IMAGE: read the
   * devicetree's `gunyah-vm-config`, build every object, map the image
   * parcel, create the vdevices and write the `/hypervisor` overlay into the
   * devicetree (INIT → READY; INIT_FAILED and the objects destroyed on error).
   */
  initFromImage(vmid: number): void {
    const rec = this.vm(vmid);
    this.#state(rec, [VmStatus.INIT], "VM_INIT");
    const image = rec.image;
    if (!image) {
      throw new RmRequestError(RmError.VM_STATE, `VM '${rec.name}' has no image (VM_CONFIG_IMAGE)`);
    }
    const parcels = this.#parcelsOrThrow();
    const parcel = parcels.lookup(image.handle);
    if (!parcel) {
      rec.status = VmStatus.INIT_FAILED;
      throw new RmRequestError(
        RmError.HANDLE_INVALID,
        `memory parcel 0x${image.handle.toString(16)} is gone`,
      );
    }
    // A copy: the devicetree may span physically discontiguous pages of the parcel.
    const dtbBytes = parcels.read(image.handle, image.dtbOffset, Number(image.dtbSize));
    if (!dtbBytes) {
      rec.status = VmStatus.INIT_FAILED;
      throw new RmRequestError(RmError.MEM_INVALID, "the devicetree is not readable in the parcel");
    }
    const port = this.#portOrThrow();
    const owner = this.#vms.get(rec.owner);
    try {
      const fdt = decodeFdt(dtbBytes);
      const config = parseVmConfig(fdt.root);
      for (const why of config.ignored) this.#options.log?.(`VM '${rec.name}': ${why}`);
      const ownerEnds = owner ? this.#ends(owner) : null;
      if (!ownerEnds) {
        throw new RmRequestError(RmError.VM_STATE, "the owner VM has no objects");
      }
      if (config.imageName && ![...this.#vms.values()].some((v) => v.name === config.imageName)) {
        rec.name = config.imageName;
      }
      const ramIpa = config.memoryBase ?? parcel.sgl[0]?.ipa ?? 0n;
      const rmVic = this.#rmVic;
      if (rmVic === null) throw new RmRequestError(RmError.NORESOURCE, "the RM has no vic");
      rec.config = config;
      rec.built = buildConfiguredVm(port, {
        name: rec.name,
        vmid,
        config,
        ramIpa,
        physicalCpus: this.#options.physicalCpus ?? 1,
        owner: { vic: ownerEnds.vic, virqs: owner!.virqs },
        rm: { vic: rmVic, virqs: this.#rmVirqs },
      });
      rec.objects = rec.built;
      rec.built.haltVirqs.forEach((v, index) => this.#halts.set(v, { vmid, index }));
      parcels.mapForVm(image.handle, vmid, rec.built.addrspace, ramIpa);
      rec.ramIpa = ramIpa;
      const link = config.vdevices.some((d) => d.type === "rm-rpc") ? this.#link(rec) : null;
      for (const d of config.vdevices) {
        if (d.type === "rm-rpc") continue;
        const peer = this.#vms.get(d.peer ?? rec.owner);
        const peerEnds = peer ? this.#ends(peer) : null;
        if (!peer || !peerEnds) {
          throw new RmRequestError(
            RmError.VMID_INVALID,
            `vdevice ${d.node}: peer VM 0x${(d.peer ?? rec.owner).toString(16)} has no objects`,
          );
        }
        rec.vdevices.push(
          createVdevice(
            port,
            d,
            {
              vmid,
              name: rec.name,
              cspace: rec.built.cspace,
              vic: rec.built.vic,
              virqs: rec.virqs,
            },
            {
              vmid: peer.vmid,
              name: peer.name,
              cspace: peerEnds.cspace,
              vic: peerEnds.vic,
              virqs: peer.virqs,
            },
          ),
        );
      }
      const node = hypervisorDtNode({
        link,
        identity: { vmid, owner: rec.owner, imageName: config.imageName || rec.name },
        vdevices: rec.vdevices.map(vdeviceDtNode),
      });
      const root = fdt.root;
      const at = root.children.findIndex((c) => c.name === "hypervisor");
      if (at >= 0) root.children.splice(at, 1);
      root.children.push(fromDtNode(node));
      const out = encodeFdt(fdt);
      if (out.length > dtbBytes.length) {
        throw new RmRequestError(
          RmError.NOMEM,
          `the devicetree with the /hypervisor overlay needs ${out.length} bytes, dtb_size is ${dtbBytes.length}`,
        );
      }
      dtbBytes.fill(0);
      dtbBytes.set(out);
      if (!parcels.write(image.handle, image.dtbOffset, dtbBytes)) {
        throw new RmRequestError(
          RmError.MEM_INVALID,
          "the devicetree is not writable in the parcel",
        );
      }
    } catch (e) {
      this.#teardown(rec);
      rec.status = VmStatus.INIT_FAILED;
      if (e instanceof VmConfigError) throw new RmRequestError(e.code, e.message);
      if (e instanceof FdtFormatError) {
        throw new RmRequestError(RmError.ARGUMENT_INVALID, `devicetree: ${e.message}`);
      }
      throw e;
    }
    rec.status = VmStatus.READY;
  }

  /** The cspace and vic (RM cspace caps) of a VM's objects or a host client, or null. */
  #ends(rec: VmRecord): { readonly cspace: bigint; readonly vic: bigint } | null {
    return rec.objects ?? rec.client;
  }

  /** VM_SET_CONTEXT: the boot PC or X0 (before VM_START). */
  setBootContext(vmid: number, reg: "pc" | "x0", value: bigint): void {
    const rec = this.vm(vmid);
    this.#state(
      rec,
      [VmStatus.LOAD, VmStatus.INIT, VmStatus.READY, VmStatus.RESET],
      "VM_SET_CONTEXT",
    );
    rec.boot[reg] = value;
  }

  /** Stop every vCPU of a running VM (vcpu_kill) and mark it EXITED. */
  stopVm(vmid: number, reason: string): void {
    const rec = this.vm(vmid);
    const port = this.#portOrThrow();
    rec.status = VmStatus.EXITED;
    rec.exitReason = reason;
    for (const cap of rec.objects?.vcpus ?? []) {
      const err = errorFromRegister(port.call(Hypercall.VCPU_KILL, cap, 0n)[0]);
      if (err !== HypError.OK && err !== HypError.ERROR_OBJECT_STATE) {
        this.#options.log?.(
          `resource manager: vcpu_kill of '${rec.name}' failed: ${errorName(err)}`,
        );
      }
    }
  }

  /**
   * VM_START: power on the boot vCPU (READY → RUNNING). The entry is `entry`,
   * else VM_SET_CONTEXT's PC, else the image; X0 likewise, else the DTB's IPA.
   */
  startVm(vmid: number, entry?: bigint, x0?: bigint): VmRecord {
    const rec = this.vm(vmid);
    this.#state(rec, [VmStatus.READY], "VM_START");
    if (!rec.objects) throw new RmRequestError(RmError.VM_STATE, `VM '${rec.name}' has no vCPUs`);
    const pc = entry ?? rec.boot.pc ??
      (rec.image && rec.ramIpa !== null ? rec.ramIpa + rec.image.imageOffset : null);
    const arg = x0 ?? rec.boot.x0 ??
      (rec.image && rec.ramIpa !== null ? rec.ramIpa + rec.image.dtbOffset : 0n);
    if (pc === null) throw new RmRequestError(RmError.VM_STATE, `VM '${rec.name}' has no boot PC`);
    powerOnVcpu(this.#portOrThrow(), rec.name, rec.objects.vcpus[0], pc, arg);
    rec.status = VmStatus.RUNNING;
    return rec;
  }

  /**
   * VM_RESET: destroy the VM's objects (EXITED / READY / INIT_FAILED →
   * RESETTING → RESET); the owner is sent NOTIFY_VM_STATUS(RESET).
   */
  resetVm(vmid: number): void {
    const rec = this.vm(vmid);
    this.#state(rec, [VmStatus.EXITED, VmStatus.READY, VmStatus.INIT_FAILED], "VM_RESET");
    if (rec.vmid === Vmid.HLOS) {
      throw new RmRequestError(RmError.DENIED, `the primary VM '${rec.name}' cannot be reset`);
    }
    rec.status = VmStatus.RESETTING;
    this.#parcels?.releaseAllFor(vmid);
    this.#irqs?.releaseAllFor(vmid);
    this.#teardown(rec);
    rec.status = VmStatus.RESET;
    rec.exitReason = null;
    this.#rpc?.notifyStatus(rec);
  }

  /** VM_DEALLOCATE: forget the VM (LOAD / RESET / INIT_FAILED), release its parcels, lent IRQs and VMID. */
  deallocateVm(vmid: number): void {
    const rec = this.vm(vmid);
    this.#state(
      rec,
      [VmStatus.LOAD, VmStatus.RESET, VmStatus.INIT_FAILED, VmStatus.INIT],
      "VM_DEALLOCATE",
    );
    this.#parcels?.releaseAllFor(vmid);
    this.#irqs?.releaseAllFor(vmid);
    this.#teardown(rec);
    this.#vms.delete(vmid);
  }

  /** Destroy everything VM_INIT made for `rec` and give its VIRQs back. */
  #teardown(rec: VmRecord): void {
    const port = this.#portOrThrow();
    const problems: string[] = [];
    const link = this.#rpc?.detach(rec.vmid) ?? null;
    if (link) {
      this.#rmVirqs.give(link.rmRxVirq);
      this.#rmVirqs.give(link.rmTxVirq);
      problems.push(...destroyObjects(port, [link.rmRxQueue, link.rmTxQueue]));
    }
    for (const d of rec.vdevices) {
      problems.push(...destroyObjects(port, d.objects));
      for (const [vmid, v] of d.virqs) this.#vms.get(vmid)?.virqs.give(v);
    }
    rec.vdevices = [];
    const b = rec.built;
    if (b) {
      problems.push(...destroyVmObjects(port, b));
      for (const h of b.haltVirqs) {
        this.#halts.delete(h);
        this.#rmVirqs.give(h);
      }
      const owner = this.#vms.get(rec.owner);
      for (const w of b.wakeupVirqs) if (w !== null) owner?.virqs.give(w);
    }
    rec.built = null;
    const host = rec.caps;
    if (host) {
      // A host-built VM (initVm): its vCPUs, cspace, vic, address space, then its RAM extent.
      problems.push(...destroyVmObjects(port, host), ...destroyObjects(port, [host.memextent]));
      rec.caps = null;
    }
    rec.objects = null;
    rec.config = null;
    rec.ramIpa = null;
    rec.ownerVcpuCaps = null;
    rec.boot.pc = rec.boot.x0 = null;
    for (const p of problems) {
      this.#options.log?.(`resource manager: tearing down '${rec.name}': ${p}`);
    }
  }

  /** A vCPU of an RPC-built VM halted: find out why with vcpu_run_check. */
  #onHalt(vmid: number, index: number): void {
    const rec = this.#vms.get(vmid);
    const cap = rec?.objects?.vcpus[index];
    if (!rec || cap === undefined || rec.status !== VmStatus.RUNNING) return;
    const r = this.#portOrThrow().call(Hypercall.VCPU_RUN_CHECK, cap);
    const err = errorFromRegister(r[0]);
    if (err !== HypError.OK) return;
    const state = Number(r[1]);
    if (state === RunState.PSCI_SYSTEM_RESET) {
      const system = (r[2] & RUN_RESET_IS_SYSTEM_RESET) !== 0n;
      this.exited(
        vmid,
        system ? "system_reset" : "system_reset2",
        system ? ExitType.PLATFORM_RESET : ExitType.PSCI_SYSTEM_RESET2,
      );
    } else if (state === RunState.POWERED_OFF) {
      this.exited(vmid, "system_off", ExitType.PLATFORM_OFF);
    } else if (state === RunState.FAULT) {
      this.exited(vmid, `fault of vCPU ${index}`, ExitType.SOFTWARE_ERROR);
    }
  }

  /**
   * The VM stopped by itself (PSCI SYSTEM_OFF/RESET, a fault) or was
   * stopped: RUNNING → EXITED, its other vCPUs killed, and its owner sent
   * NOTIFY_VM_EXITED with the exit type (gunyah-abi.md §5.5).
   */
  exited(vmid: number, reason: string, type?: number): void {
    const rec = this.vm(vmid);
    const wasExited = rec.status === VmStatus.EXITED;
    if (wasExited) return;
    const exitType = type ??
      (reason === "system_off"
        ? ExitType.PLATFORM_OFF
        : reason === "system_reset"
        ? ExitType.PLATFORM_RESET
        : ExitType.SOFTWARE_ERROR);
    if (rec.built) this.stopVm(vmid, reason);
    rec.status = VmStatus.EXITED;
    rec.exitReason = reason;
    this.#rpc?.notifyExited(rec, exitType, 0);
  }
}
