/**
 * The resource manager as a native {@link Component}: it owns the VMs it
 * creates, builds them through hypercalls only ({@link buildVm}), and tracks
 * each VM through the RM state machine (gunyah-abi.md §5.5).
 *
 * @module
 */
import {
  type Component,
  type HypercallPort,
  PLUGIN_API_VERSION,
} from "../core/plugin/contracts.ts";
import { RmError, Vmid, VmStatus } from "./abi.ts";
import {
  type BuilderPort,
  buildVm,
  type BuiltVm,
  powerOnVcpu,
  type VmBuildSpec,
} from "./vm/builder.ts";

/** An RM-level failure with its RM error code (gunyah-abi.md §5.2). */
export class RmRequestError extends Error {
  override readonly name = "RmRequestError";
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** What the RM knows about one VM. */
export interface VmRecord {
  readonly vmid: number;
  readonly name: string;
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

/** The resource manager component. */
export class ResourceManager implements Component {
  readonly kind = "component";
  readonly apiVersion = PLUGIN_API_VERSION;
  readonly name = "resource-manager";
  #port: BuilderPort | null = null;
  readonly #vms = new Map<number, VmRecord>();

  /** Component start: remember the hypercall port and our partition/cspace caps. */
  start(port: HypercallPort): void {
    const env = (port as Partial<BuilderPort>).env;
    if (!env) {
      throw new Error(
        "resource manager: the hypercall port carries no partition/cspace environment",
      );
    }
    this.#port = port as BuilderPort;
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
  allocateVm(name: string, vmid = 0): VmRecord {
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
    const rec: VmRecord = { vmid, name, status: VmStatus.LOAD, caps: null, exitReason: null };
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
    rec.status = VmStatus.READY;
    return rec;
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
    rec.status = VmStatus.EXITED;
    rec.exitReason = reason;
  }
}
