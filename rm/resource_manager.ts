/**
 * The resource manager as a native {@link Component}: it owns the VMs it
 * creates, builds them through hypercalls only ({@link buildVm}), and tracks
 * each VM through the RM state machine (gunyah-abi.md §5.5).
 *
 * @module
 */
import { type Component, type HypercallPort, PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import type { DtNode } from "@gunyah-ts/core/plugin";
import { errorFromRegister, errorName, Hypercall, HypError } from "@gunyah-ts/core/abi";
import { ExitType, RmError, Vmid, VmStatus } from "./abi.ts";
import { RmRequestError } from "./error.ts";
import { hypervisorDtNode } from "./dt/hypervisor_node.ts";
import { IrqLending, irqLendingHandlers } from "./irq/lending.ts";
import { memParcelHandlers } from "./mem/handlers.ts";
import { ParcelManager } from "./mem/parcels.ts";
import { createRpcLink } from "./rpc/link.ts";
import { type RmMemoryRegion, RmPrivateMemory } from "./rpc/private_memory.ts";
import { type ConsoleSink, RmRpcService } from "./rpc/service.ts";
import {
  type BuilderPort,
  buildVm,
  type BuiltVm,
  powerOnVcpu,
  type VmBuildSpec,
} from "./vm/builder.ts";

export { RmRequestError } from "./error.ts";

/** What the RM knows about one VM. */
export interface VmRecord {
  readonly vmid: number;
  readonly name: string;
  /** VMID of the VM that owns this one (VM_ALLOCATE caller), or the RM itself. */
  readonly owner: number;
  status: number;
  /** Capabilities of the VM's objects in the RM's cspace (once built). */
  caps: BuiltVm | null;
  /** Why it exited, when it did. */
  exitReason: string | null;
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
}

/** First INTID of the RM's own vic used for RPC channels (two per VM). */
export const RM_RPC_FIRST_VIRQ = 32;

/** The resource manager component. */
export class ResourceManager implements Component {
  readonly kind = "component";
  readonly apiVersion = PLUGIN_API_VERSION;
  readonly name = "resource-manager";
  #port: BuilderPort | null = null;
  readonly #vms = new Map<number, VmRecord>();
  readonly #options: ResourceManagerOptions;
  #rpc: RmRpcService | null = null;
  #parcels: ParcelManager | null = null;
  #irqs: IrqLending | null = null;
  /** Build specs given by {@link configureVm}, consumed by VM_INIT. */
  readonly #configured = new Map<number, Omit<VmBuildSpec, "vmid" | "name">>();

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
    this.#parcels = new ParcelManager({
      port,
      env,
      exists: (vmid) => this.#vms.has(vmid),
      addrspace: (vmid) => this.#vms.get(vmid)?.caps?.addrspace ?? null,
      notify: (vmid, msgId, payload) => void this.#rpc?.notify(vmid, msgId, payload),
      log: this.#options.log,
    });
    this.#irqs = new IrqLending({
      port,
      vic: (vmid) => this.#vms.get(vmid)?.caps?.vic ?? null,
      notify: (vmid, msgId, payload) => void this.#rpc?.notify(vmid, msgId, payload),
      log: this.#options.log,
    });
    const region = this.#options.privateMemory;
    const vicCap = (port as Partial<{ env: { vicCap?: bigint } }>).env?.vicCap;
    if (region && vicCap !== undefined) {
      const bp = this.#port;
      const memory = RmPrivateMemory.claim(bp, env, region);
      this.#rpc = new RmRpcService(
        {
          find: (vmid) => this.#vms.get(vmid) ?? null,
          allVms: () => this.vms,
          allocateVm: (name, vmid, owner) => this.allocateVm(name, vmid, owner),
          initConfiguredVm: (vmid) => this.initConfiguredVm(vmid),
          startVm: (vmid, entry, x0) => this.startVm(vmid, entry, x0),
          stopVm: (vmid, reason) => this.stopVm(vmid, reason),
          port: bp,
          cspaceCap: env.cspaceCap,
        },
        memory,
        RM_RPC_FIRST_VIRQ,
        this.#options.log,
        this.#options.consoleSink,
      );
      this.#rpc.registerHandlers(memParcelHandlers(this.#parcels));
      this.#rpc.registerHandlers(irqLendingHandlers(this.#irqs));
    }
  }

  /** IRQ lending (rm/irq): the hwirqs the RM manages, once started. */
  get irqs(): IrqLending {
    if (!this.#irqs) throw new Error("resource manager: not started");
    return this.#irqs;
  }

  /** The memory-parcel registry (rm/mem), once started. */
  get parcels(): ParcelManager {
    if (!this.#parcels) throw new Error("resource manager: not started");
    return this.#parcels;
  }

  /** The RPC service, when the RM was given private memory. */
  get rpc(): RmRpcService | null {
    return this.#rpc;
  }

  /** A VIRQ bound to the RM's vic fired (RPC channels). */
  onVirq(virq: number): void {
    if (!this.#rpc?.onVirq(virq)) this.#options.log?.(`resource manager: unexpected VIRQ ${virq}`);
  }

  /**
   * The `/hypervisor` devicetree node of VM `vmid` (RM RPC channel caps and
   * VIRQs), to pass to the platform's `buildDeviceTree(vm, extraNodes)`;
   * null when the VM has no RM channel.
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
      exitReason: null,
    };
    this.#vms.set(vmid, rec);
    return rec;
  }

  /** VM_INIT: build the VM's hypervisor objects (LOAD → INIT → READY, or INIT_FAILED). */
  initVm(vmid: number, spec: Omit<VmBuildSpec, "vmid" | "name">): VmRecord {
    const rec = this.vm(vmid);
    if (rec.status !== VmStatus.LOAD && rec.status !== VmStatus.RESET) {
      throw new RmRequestError(
        RmError.VM_STATE,
        `VM '${rec.name}' is ${VM_STATUS_NAMES[rec.status]}, not load`,
      );
    }
    rec.status = VmStatus.INIT;
    try {
      rec.caps = buildVm(this.#portOrThrow(), { ...spec, vmid, name: rec.name });
    } catch (e) {
      rec.status = VmStatus.INIT_FAILED;
      throw e;
    }
    this.#parcels?.addOwnedMemory(vmid, {
      ipa: spec.ipaBase,
      phys: spec.physBase,
      size: spec.size,
      extent: rec.caps.memextent,
    });
    const rpc = this.#rpc;
    if (rpc) {
      const port = this.#portOrThrow();
      const env = port.env as BuilderPort["env"] & { readonly vicCap: bigint };
      const [rx, tx] = rpc.allocateVirqs();
      try {
        const link = createRpcLink(
          port,
          env,
          { name: rec.name, cspaceCap: rec.caps.cspace, vicCap: rec.caps.vic },
          rx,
          tx,
        );
        rpc.attach(vmid, link);
      } catch (e) {
        rec.status = VmStatus.INIT_FAILED;
        throw e;
      }
    }
    rec.status = VmStatus.READY;
    return rec;
  }

  /**
   * Give a VM allocated over RPC its configuration (what VM_CONFIG_IMAGE and
   * memory parcels would: RAM and vCPUs): LOAD → INIT. VM_INIT then builds it.
   */
  configureVm(vmid: number, spec: Omit<VmBuildSpec, "vmid" | "name">): VmRecord {
    const rec = this.vm(vmid);
    if (rec.status !== VmStatus.LOAD && rec.status !== VmStatus.RESET) {
      throw new RmRequestError(
        RmError.VM_STATE,
        `VM '${rec.name}' is ${VM_STATUS_NAMES[rec.status]}, not load`,
      );
    }
    this.#configured.set(vmid, spec);
    rec.status = VmStatus.INIT;
    return rec;
  }

  /** VM_INIT of a configured VM (INIT → READY, or INIT_FAILED). */
  initConfiguredVm(vmid: number): VmRecord {
    const rec = this.vm(vmid);
    const spec = this.#configured.get(vmid);
    if (rec.status !== VmStatus.INIT || !spec) {
      throw new RmRequestError(
        RmError.VM_STATE,
        `VM '${rec.name}' is ${VM_STATUS_NAMES[rec.status]}, not init (configured)`,
      );
    }
    this.#configured.delete(vmid);
    rec.status = VmStatus.LOAD;
    return this.initVm(vmid, spec);
  }

  /** Stop every vCPU of a running VM (vcpu_kill) and mark it EXITED. */
  stopVm(vmid: number, reason: string): void {
    const rec = this.vm(vmid);
    const port = this.#portOrThrow();
    for (const cap of rec.caps?.vcpus ?? []) {
      const err = errorFromRegister(port.call(Hypercall.VCPU_KILL, cap, 0n)[0]);
      if (err !== HypError.OK && err !== HypError.ERROR_OBJECT_STATE) {
        this.#options.log?.(
          `resource manager: vcpu_kill of '${rec.name}' failed: ${errorName(err)}`,
        );
      }
    }
    rec.status = VmStatus.EXITED;
    rec.exitReason = reason;
  }

  /** VM_START: power on the boot vCPU at `entry` with X0 = `x0` (READY → RUNNING). */
  startVm(vmid: number, entry: bigint, x0: bigint): VmRecord {
    const rec = this.vm(vmid);
    if (rec.status !== VmStatus.READY || !rec.caps) {
      throw new RmRequestError(
        RmError.VM_STATE,
        `VM '${rec.name}' is ${VM_STATUS_NAMES[rec.status]}, not ready`,
      );
    }
    powerOnVcpu(this.#portOrThrow(), rec.name, rec.caps.vcpus[0], entry, x0);
    rec.status = VmStatus.RUNNING;
    return rec;
  }

  /** The VM stopped by itself (PSCI SYSTEM_OFF/RESET) or was stopped: RUNNING → EXITED. */
  exited(vmid: number, reason: string): void {
    const rec = this.vm(vmid);
    const wasExited = rec.status === VmStatus.EXITED;
    rec.status = VmStatus.EXITED;
    rec.exitReason = reason;
    if (!wasExited) {
      const type = reason === "system_off"
        ? ExitType.PLATFORM_OFF
        : reason === "system_reset"
        ? ExitType.PLATFORM_RESET
        : ExitType.SOFTWARE_ERROR;
      this.#rpc?.notifyExited(rec, type, 0);
    }
  }
}
