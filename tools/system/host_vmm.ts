/**
 * The host's VMM: a native component with its own VMID and its own RM RPC
 * channel, through which the host tools (the dashboard, `gunyah vm`) build
 * and control VMs — as the primary VM's VM manager (Linux's `gunyah_rsc_mgr`
 * behind `/dev/gunyah`) does: VM_ALLOCATE, MEM_LEND of RAM it owns,
 * VM_CONFIG_IMAGE, VM_INIT, VM_GET_HYP_RESOURCES, VM_SET_CONTEXT + VM_START,
 * VM_STOP, VM_RESET, VM_DEALLOCATE, MEM_RECLAIM, VM_GET_STATE, each a request
 * over the message queues answered by the RM's RPC service (gunyah-abi.md
 * §5.4, §5.5, §5.7). The build steps are synchronous (`RmClient.callSync`):
 * its wait delivers the RM's VIRQs at once, so `GunyahSystem.launch` stays
 * synchronous.
 *
 * Its message buffer is one page of physical RAM it claims as a memextent
 * from its partition (`RmPrivateMemory.claim`, as the RM does for its own).
 * The RM creates the channel (`ResourceManager.attachClient`) into the
 * component's cspace and vic; replies are read by polling the RX queue
 * after the RM's VIRQs were delivered (`wait`), so a request completes
 * whether or not the run loop is running.
 *
 * @module
 */
import { PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import type { Component, HypercallPort } from "@gunyah-ts/core/plugin";
import {
  RmClient,
  type RmClient as RmClientType,
  type RmMemoryRegion,
  RmPrivateMemory,
  type RpcLink,
  type RpcMessage,
  VM_STOP_FLAG_FORCE,
  VmContextRegSet,
} from "@gunyah-ts/rm";
import {
  encodeCreate,
  encodeHandleFlags,
  HYP_RESOURCE_ENTRY_SIZE,
  ImageAuth,
  MemRights,
  MemType,
  ResourceType,
  RmError,
  RmMsg,
} from "@gunyah-ts/rm";

/**
 * The host VMM's VMID: the highest explicit VMID the RM grants (below 64;
 * our choice, not one Gunyah defines).
 */
export const HOST_VMM_VMID = 0x3f;

/** A request the RM refused: its RM error code and the request's name. */
export class HostVmmError extends Error {
  /** Error name. */
  override readonly name = "HostVmmError";
  /**
   * @param code the RM error code (gunyah-abi.md §5.2)
   * @param request the request's name
   * @param vmid the VM it was about
   */
  constructor(readonly code: number, readonly request: string, vmid: number) {
    super(
      `${request} of VMID ${vmid}: the resource manager answered ${rmErrorName(code)} (${code})`,
    );
  }
}

function rmErrorName(code: number): string {
  return Object.entries(RmError).find(([, v]) => v === code)?.[0] ?? "an unknown error";
}

/** The caps and environment a component is started with (core's ComponentPort). */
interface ComponentEnvPort extends HypercallPort {
  readonly env: {
    readonly partitionCap: bigint;
    readonly cspaceCap: bigint;
    readonly vicCap: bigint;
  };
}

/** The host's VMM component. */
export class HostVmm implements Component {
  /** Plugin kind. */
  readonly kind = "component";
  /** Plugin API version. */
  readonly apiVersion = PLUGIN_API_VERSION;
  /** Component name. */
  readonly name = "host-vmm";
  /** Its VMID at the RM. */
  readonly vmid = HOST_VMM_VMID;
  /** Notifications from the RM (NOTIFY_VM_EXITED, NOTIFY_VM_STATUS, ...), newest last. */
  readonly notifications: RpcMessage[] = [];
  readonly #memory: RmMemoryRegion;
  readonly #wait: () => void;
  #port: ComponentEnvPort | null = null;
  #buffer: RmPrivateMemory | null = null;
  #client: RmClientType | null = null;

  /**
   * @param memory one page of physical RAM for the message buffer (claimed at start)
   * @param wait let the RM make progress while a request waits (deliver its VIRQs)
   */
  constructor(memory: RmMemoryRegion, wait: () => void) {
    this.#memory = memory;
    this.#wait = wait;
  }

  /** Claim the buffer page. */
  start(port: HypercallPort): void {
    const p = port as Partial<ComponentEnvPort>;
    if (!p.env) throw new Error("host VMM: the hypercall port carries no environment");
    this.#port = p as ComponentEnvPort;
    this.#buffer = RmPrivateMemory.claim(port, p.env, this.#memory);
  }

  /** The cspace and vic the RM puts the channel's client ends into. */
  get env(): { readonly cspaceCap: bigint; readonly vicCap: bigint } {
    if (!this.#port) throw new Error("host VMM: not started");
    return this.#port.env;
  }

  /** Use the channel the RM created (`ResourceManager.attachClient`). */
  connect(link: Pick<RpcLink, "vmTxCap" | "vmRxCap">): void {
    const port = this.#port;
    const buffer = this.#buffer;
    if (!port || !buffer) throw new Error("host VMM: not started");
    this.#client = new RmClient({
      port,
      txCap: link.vmTxCap,
      rxCap: link.vmRxCap,
      buffer: { address: buffer.rxAddress, bytes: buffer.rx },
      wait: this.#wait,
      onNotification: (n) => this.notifications.push(n),
      maxWaits: 1000,
    });
  }

  /** The RX/TX VIRQs of the channel: the client polls after each wait, so nothing to do. */
  onVirq(_virq: number): void {}

  async #call(
    msgId: number,
    request: string,
    vmid: number,
    payload: Uint8Array,
  ): Promise<Uint8Array> {
    const client = this.#client;
    if (!client) throw new Error("host VMM: no RM channel (connect first)");
    const r = await client.call(msgId, payload);
    if (r.error !== RmError.OK) throw new HostVmmError(r.error, request, vmid);
    return r.data;
  }

  /** {@link #call} without yielding: the RM answers while this waits (its VIRQs delivered at once). */
  #callSync(msgId: number, request: string, vmid: number, payload: Uint8Array): Uint8Array {
    const client = this.#client;
    if (!client) throw new Error("host VMM: no RM channel (connect first)");
    const r = client.callSync(msgId, payload);
    if (r.error !== RmError.OK) throw new HostVmmError(r.error, request, vmid);
    return r.data;
  }

  /**
   * Any RM request `msgId` with `payload`; the reply's data, or a
   * {@link HostVmmError} with the RM's error code.
   */
  call(msgId: number, payload: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    const vmid = payload.length >= 2 ? payload[0] | (payload[1] << 8) : this.vmid;
    return this.#call(msgId, `msg 0x${msgId.toString(16)}`, vmid, payload);
  }

  /** VM_ALLOCATE with VMID 0: the RM picks a dynamic VMID (LOAD); returns it. */
  allocateVm(): number {
    const d = this.#callSync(RmMsg.VM_ALLOCATE, "VM_ALLOCATE", 0, new Uint8Array(4));
    return new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(0, true);
  }

  /**
   * MEM_LEND of its own RAM `[base, base + size)` (IPA = physical address for
   * a host client) to `vmid` with RWX, NORMAL memory, tagged `label`; returns
   * the parcel handle. Lend, not share: the VM's RAM is the VM's alone, and the
   * host's devices reach it through the VM's stage 2, not through the VMM.
   */
  lendTo(vmid: number, base: number, size: number, label = 0): number {
    const d = this.#callSync(
      RmMsg.MEM_LEND,
      "MEM_LEND",
      vmid,
      encodeCreate({
        memType: MemType.NORMAL,
        flags: 0,
        label,
        acl: [{ vmid, rights: MemRights.RWX }],
        sgl: [{ ipa: base, size }],
        attrs: [],
      }),
    );
    return new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(0, true);
  }

  /** MEM_RECLAIM of parcel `handle` (no borrower may still have it). */
  reclaim(handle: number, vmid: number): void {
    this.#callSync(RmMsg.MEM_RECLAIM, "MEM_RECLAIM", vmid, encodeHandleFlags(handle, 0));
  }

  /**
   * VM_CONFIG_IMAGE (auth NONE): the image and devicetree are at these byte
   * offsets of parcel `handle`.
   */
  configImage(vmid: number, handle: number, image: ImageLayout): void {
    const p = new Uint8Array(40);
    const v = new DataView(p.buffer);
    v.setUint16(0, vmid, true);
    v.setUint16(2, ImageAuth.NONE, true);
    v.setUint32(4, handle, true);
    v.setBigUint64(8, BigInt(image.imageOffset), true);
    v.setBigUint64(16, BigInt(image.imageSize), true);
    v.setBigUint64(24, BigInt(image.dtbOffset), true);
    v.setBigUint64(32, BigInt(image.dtbSize), true);
    this.#callSync(RmMsg.VM_CONFIG_IMAGE, "VM_CONFIG_IMAGE", vmid, p);
  }

  /** VM_INIT: the RM reads the devicetree's `gunyah-vm-config` and builds the VM (READY). */
  initVm(vmid: number): void {
    this.#callSync(RmMsg.VM_INIT, "VM_INIT", vmid, vmidPayload(vmid));
  }

  /**
   * VM_GET_HYP_RESOURCES as the owner: the VM's vCPU caps (copied into this
   * component's cspace), by index.
   */
  vcpuCaps(vmid: number): bigint[] {
    const d = this.#callSync(
      RmMsg.VM_GET_HYP_RESOURCES,
      "VM_GET_HYP_RESOURCES",
      vmid,
      vmidPayload(vmid),
    );
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const n = v.getUint32(0, true);
    const caps: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const at = 4 + i * HYP_RESOURCE_ENTRY_SIZE;
      if (v.getUint8(at) !== ResourceType.VIRTUAL_CPU) continue;
      caps[v.getUint32(at + 8, true)] = (BigInt(v.getUint32(at + 16, true)) << 32n) |
        BigInt(v.getUint32(at + 12, true));
    }
    return caps;
  }

  /** VM_SET_CONTEXT (PC, X0) then VM_START. */
  async startVm(vmid: number, pc: bigint, x0: bigint): Promise<void> {
    for (const p of contextPayloads(vmid, pc, x0)) {
      await this.#call(RmMsg.VM_SET_CONTEXT, "VM_SET_CONTEXT", vmid, p);
    }
    await this.#call(RmMsg.VM_START, "VM_START", vmid, vmidPayload(vmid));
  }

  /** {@link startVm} without yielding. */
  startVmSync(vmid: number, pc: bigint, x0: bigint): void {
    for (const p of contextPayloads(vmid, pc, x0)) {
      this.#callSync(RmMsg.VM_SET_CONTEXT, "VM_SET_CONTEXT", vmid, p);
    }
    this.#callSync(RmMsg.VM_START, "VM_START", vmid, vmidPayload(vmid));
  }

  /** VM_DEALLOCATE without yielding. */
  deallocateVmSync(vmid: number): void {
    this.#callSync(RmMsg.VM_DEALLOCATE, "VM_DEALLOCATE", vmid, vmidPayload(vmid));
  }

  /** VM_STOP with FORCE: the RM kills every vCPU (exit type VM_STOP_FORCED, `reason`). */
  async stopVm(vmid: number, reason = 0): Promise<void> {
    const p = new Uint8Array(8);
    const v = new DataView(p.buffer);
    v.setUint16(0, vmid, true);
    p[2] = VM_STOP_FLAG_FORCE;
    v.setUint32(4, reason, true);
    await this.#call(RmMsg.VM_STOP, "VM_STOP", vmid, p);
  }

  /** VM_RESET: the RM destroys the VM's objects. */
  async resetVm(vmid: number): Promise<void> {
    await this.#call(RmMsg.VM_RESET, "VM_RESET", vmid, vmidPayload(vmid));
  }

  /** VM_DEALLOCATE: the VMID is free again. */
  async deallocateVm(vmid: number): Promise<void> {
    await this.#call(RmMsg.VM_DEALLOCATE, "VM_DEALLOCATE", vmid, vmidPayload(vmid));
  }

  /** VM_GET_STATE: the RM's vm_status of `vmid`. */
  async vmStatus(vmid: number): Promise<number> {
    const d = await this.#call(RmMsg.VM_GET_STATE, "VM_GET_STATE", vmid, vmidPayload(vmid));
    return d[0];
  }
}

/** Where the image and the devicetree are inside the image parcel (VM_CONFIG_IMAGE). */
export interface ImageLayout {
  readonly imageOffset: number;
  readonly imageSize: number;
  readonly dtbOffset: number;
  readonly dtbSize: number;
}

/** VM_SET_CONTEXT payloads: PC, then X0. */
function contextPayloads(vmid: number, pc: bigint, x0: bigint): Uint8Array[] {
  return ([[VmContextRegSet.PC, pc], [VmContextRegSet.X, x0]] as const).map(([set, value]) => {
    const p = new Uint8Array(16);
    const v = new DataView(p.buffer);
    v.setUint16(0, vmid, true);
    p[2] = set;
    p[3] = 0;
    v.setBigUint64(8, value, true);
    return p;
  });
}

function vmidPayload(vmid: number): Uint8Array {
  const p = new Uint8Array(4);
  new DataView(p.buffer).setUint16(0, vmid, true);
  return p;
}
