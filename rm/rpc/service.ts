/**
 * The RM's RPC request handlers (gunyah-abi.md §5.4-§5.6): one
 * {@link RpcEndpoint} per client VM, requests dispatched by msg_id, replies
 * and notifications sent back over the same channels.
 *
 * Every handler validates its payload first: a payload too short for its
 * fixed layout is RM_ERROR_MSG_INVALID, a field with a bad value
 * RM_ERROR_ARGUMENT_INVALID, an unknown msg_id RM_ERROR_UNIMPLEMENTED. RM
 * failures raised by the RM itself ({@link RmRequestError}) become their
 * error code; a failed VM build is RM_ERROR_NORESOURCE. The caller's VMID is
 * the VMID of the channel the request arrived on.
 *
 * Owner rules: VM_INIT, VM_START, VM_STOP, VM_SET_CONTEXT and the vCPU part
 * of VM_GET_HYP_RESOURCES need the caller to own the target VM; only the
 * HLOS VM and the VMMs the RM's policy names (`mayAllocate`) may VM_ALLOCATE;
 * VM_EXIT and VM_SET_STATUS act on the caller.
 *
 * @module
 */
import { CAP_RIGHTS_THREAD_ALL, errorFromRegister, Hypercall, HypError } from "@gunyah-ts/core/abi";
import { type HypercallPort, LogRateLimit, suppressedNote } from "@gunyah-ts/core/plugin";
import {
  ExitType,
  HYP_RESOURCE_ENTRY_SIZE,
  ResourceType,
  RmError,
  RmMsg,
  RmNotify,
  Vmid,
  VmStatus,
} from "../abi.ts";
import type { RmRequestError, VmImage, VmRecord } from "../resource_manager.ts";
import { VmBuildError } from "../vm/builder.ts";
import { type BuiltVdevice, type VdeviceEnd, VirqExhausted } from "../vm/vdevices.ts";
import type { VirqPool } from "../vm/virq_pool.ts";
import { RpcEndpoint } from "./endpoint.ts";
import type { RpcMessage } from "./fragment.ts";
import type { RpcHandler } from "./handler.ts";
import { RPC_MAX_CONTENT, RpcType } from "./header.ts";
import { type RpcLink, RpcLinkError } from "./link.ts";
import type { RmPrivateMemory } from "./private_memory.ts";

/** VM_CONFIG_IMAGE request size (gunyah-abi.md §5.4). */
export const VM_CONFIG_IMAGE_SIZE = 40;
/** VM_STOP flags bit 0: force (gunyah-abi.md §5.4). */
export const VM_STOP_FLAG_FORCE = 0x1;
/** VM_SET_CONTEXT register sets (gunyah-abi.md §5.4). */
export const VmContextRegSet = { X: 0, PC: 1, SP: 2 } as const;
/** Highest os_status value (gunyah-abi.md §5.5: NONE 0 … CRASHED 7). */
export const OS_STATUS_MAX = 7;
/** A VIRQ field meaning "no VIRQ" in a hyp resource entry (gunyah-abi.md §5.6). */
export const HYP_RESOURCE_NO_VIRQ = 0xffff_ffff;
/** Console bytes buffered before they are sent without a flush: one notification message. */
export const CONSOLE_CHUNK = RPC_MAX_CONTENT - 4;

/** What the service needs from the resource manager. */
export interface RmRpcHost {
  /** Whether `caller` may VM_ALLOCATE (the HLOS, and the VMMs the RM's policy names). */
  mayAllocate(caller: number): boolean;
  /** The VM with `vmid`, or null. */
  find(vmid: number): VmRecord | null;
  /** Every VM. */
  allVms(): readonly VmRecord[];
  /** VM_ALLOCATE on behalf of `owner`. */
  allocateVm(name: string, vmid: number, owner: number): VmRecord;
  /** VM_CONFIG_IMAGE (LOAD/RESET → INIT). */
  configImage(vmid: number, auth: number, image: VmImage): void;
  /** VM_INIT of a VM given its image (INIT → READY). */
  initVmOverRpc(vmid: number): void;
  /** VM_START with the default or VM_SET_CONTEXT boot context. */
  startVm(vmid: number): VmRecord;
  /** Stop every vCPU of the VM (vcpu_kill) and mark it EXITED with `reason`. */
  stopVm(vmid: number, reason: string): void;
  /** VM_RESET. */
  resetVm(vmid: number): void;
  /** VM_DEALLOCATE. */
  deallocateVm(vmid: number): void;
  /** The RM's hypercall port. */
  readonly port: HypercallPort;
  /** The RM's own cspace (CapID in itself). */
  readonly cspaceCap: bigint;
}

/** Per-VM RPC state. */
interface VmRpc {
  readonly link: RpcLink;
  readonly endpoint: RpcEndpoint;
  osStatus: number;
  appStatus: number;
  consoleOpen: boolean;
  console: number[];
}

class Reject extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** Console output of a VM, for the host (dashboard, logs). */
export type ConsoleSink = (vmid: number, bytes: Uint8Array) => void;

/** The RM RPC service. */
export class RmRpcService {
  readonly #host: RmRpcHost;
  readonly #memory: RmPrivateMemory;
  readonly #log: (message: string) => void;
  readonly #consoleSink: ConsoleSink;
  readonly #byVmid = new Map<number, VmRpc>();
  readonly #byVirq = new Map<number, { ep: RpcEndpoint; rx: boolean }>();
  /** Handlers of other RM parts (memory parcels, IRQ lending), by msg_id. */
  readonly #handlers = new Map<number, RpcHandler>();
  #notifySeq = 0;
  /** VM_ALLOCATE requests served, to name the VMs they make. */
  #allocations = 0;
  readonly #virqs: VirqPool;
  /** Lines a guest's requests cause are rate-limited per VM (issue 12). */
  readonly #vmLogLimit: LogRateLimit;

  /**
   * A service for `host`.
   *
   * @param host the resource manager
   * @param memory the RM's message buffers
   * @param virqs the RM vic's free INTIDs, for channels
   * @param log diagnostics
   * @param consoleSink console output of VMs whose owner is the RM
   */
  constructor(
    host: RmRpcHost,
    memory: RmPrivateMemory,
    virqs: VirqPool,
    log: (message: string) => void = () => {},
    consoleSink: ConsoleSink = () => {},
  ) {
    this.#host = host;
    this.#memory = memory;
    this.#virqs = virqs;
    this.#log = log;
    this.#consoleSink = consoleSink;
    this.#vmLogLimit = new LogRateLimit(log);
  }

  /** A diagnostic caused by VM `vmid`'s messages: at most 20 at once, then one a second per VM. */
  #vmLog(vmid: number, message: string): void {
    const skipped = this.#vmLogLimit.take(`vm 0x${vmid.toString(16)}`);
    if (skipped >= 0) this.#log(message + suppressedNote(skipped));
  }

  /** Serve the requests in `handlers` (msg_id → handler) too. */
  registerHandlers(handlers: ReadonlyMap<number, RpcHandler>): void {
    for (const [id, h] of handlers) this.#handlers.set(id, h);
  }

  /** Two fresh INTIDs of the RM's vic for a new channel: [rx, tx]. */
  allocateVirqs(): [number, number] {
    const rx = this.#virqs.take(), tx = this.#virqs.take();
    if (rx === null || tx === null) {
      if (rx !== null) this.#virqs.give(rx);
      throw new Reject(RmError.NORESOURCE, "the RM's vic has no free VIRQ for a channel");
    }
    return [rx, tx];
  }

  /**
   * Stop serving VM `vmid`'s channel (VM_RESET / VM_DEALLOCATE); returns its
   * link so the RM can destroy the queues and reuse the VIRQs.
   */
  detach(vmid: number): RpcLink | null {
    const s = this.#byVmid.get(vmid);
    if (!s) return null;
    this.#byVmid.delete(vmid);
    this.#byVirq.delete(s.link.rmRxVirq);
    this.#byVirq.delete(s.link.rmTxVirq);
    return s.link;
  }

  /** Start serving the channel `link` of VM `vmid`. */
  attach(vmid: number, link: RpcLink): RpcEndpoint {
    const ep = new RpcEndpoint(
      this.#host.port,
      this.#memory,
      vmid,
      { rxQueue: link.rmRxQueue, txQueue: link.rmTxQueue },
      (e, m) => this.#dispatch(e, m),
      (why) => this.#vmLog(vmid, why),
    );
    this.#byVmid.set(vmid, {
      link,
      endpoint: ep,
      osStatus: 0,
      appStatus: 0,
      consoleOpen: false,
      console: [],
    });
    this.#byVirq.set(link.rmRxVirq, { ep, rx: true });
    this.#byVirq.set(link.rmTxVirq, { ep, rx: false });
    return ep;
  }

  /** The channel of `vmid`, if it has one. */
  link(vmid: number): RpcLink | null {
    return this.#byVmid.get(vmid)?.link ?? null;
  }

  /** The endpoint of `vmid`, if it has one. */
  endpoint(vmid: number): RpcEndpoint | null {
    return this.#byVmid.get(vmid)?.endpoint ?? null;
  }

  /** A VIRQ of the RM's vic fired; returns whether it belonged to a channel. */
  onVirq(virq: number): boolean {
    const t = this.#byVirq.get(virq);
    if (!t) return false;
    if (t.rx) t.ep.onRxVirq();
    else t.ep.onTxVirq();
    return true;
  }

  /** Send notification `msgId` to VM `vmid` if it has a channel; returns whether it was sent. */
  notify(vmid: number, msgId: number, payload: Uint8Array): boolean {
    const ep = this.endpoint(vmid);
    if (!ep) return false;
    this.#notifySeq = (this.#notifySeq + 1) & 0xffff;
    ep.send({ type: RpcType.NOTIFICATION, seq: this.#notifySeq, msgId, payload });
    return true;
  }

  /** NOTIFY_VM_EXITED to the owner of `vmid` (gunyah-abi.md §5.4). */
  notifyExited(rec: VmRecord, exitType: number, reason: number): void {
    const p = new Uint8Array(12);
    const v = new DataView(p.buffer);
    v.setUint16(0, rec.vmid, true);
    v.setUint16(2, exitType, true);
    v.setUint32(4, 4, true);
    v.setUint32(8, reason >>> 0, true);
    this.notify(rec.owner, RmNotify.VM_EXITED, p);
  }

  /** NOTIFY_VM_STATUS about `rec` to its owner (gunyah-abi.md §5.4). */
  notifyStatus(rec: VmRecord): void {
    this.notify(rec.owner, RmNotify.VM_STATUS, this.#statusPayload(rec));
  }

  #statusPayload(rec: VmRecord): Uint8Array {
    const s = this.#byVmid.get(rec.vmid);
    const n = new Uint8Array(8);
    const nv = new DataView(n.buffer);
    nv.setUint16(0, rec.vmid, true);
    n[4] = rec.status;
    n[5] = s?.osStatus ?? 0;
    nv.setUint16(6, s?.appStatus ?? 0, true);
    return n;
  }

  /** Requests whose handler failed with a non-RM exception (contained: answered NORESOURCE). */
  faults = 0;

  #dispatch(ep: RpcEndpoint, req: RpcMessage): void {
    let err: number = RmError.OK;
    let data: Uint8Array | undefined;
    try {
      data = this.#handle(ep.peerVmid, req.msgId, req.payload);
    } catch (e) {
      if (e instanceof Reject) {
        err = e.code;
        this.#vmLog(
          ep.peerVmid,
          `RM RPC 0x${req.msgId.toString(16)} from VM 0x${ep.peerVmid.toString(16)}: ${e.message}`,
        );
      } else if (isRmRequestError(e)) {
        err = e.code;
        this.#vmLog(ep.peerVmid, `RM RPC 0x${req.msgId.toString(16)}: ${e.message}`);
      } else if (e instanceof VmBuildError || e instanceof RpcLinkError) {
        err = RmError.NORESOURCE;
        this.#vmLog(ep.peerVmid, e.message);
      } else if (e instanceof VirqExhausted) {
        err = e.code;
        this.#vmLog(ep.peerVmid, e.message);
      } else if (e instanceof RangeError) {
        err = RmError.ARGUMENT_INVALID;
        this.#vmLog(ep.peerVmid, e.message);
      } else {
        // Not a refusal but a fault inside the RM (issue 12): contained to this request. The
        // client gets an error reply (it does not wait forever), the RM keeps serving.
        err = RmError.NORESOURCE;
        this.faults++;
        this.#vmLog(
          ep.peerVmid,
          `RM RPC 0x${req.msgId.toString(16)} from VM 0x${ep.peerVmid.toString(16)}: ` +
            `internal fault (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}); ` +
            "answered NORESOURCE",
        );
      }
    }
    ep.reply(req.seq, req.msgId, err, err === RmError.OK ? data : undefined);
  }

  #handle(caller: number, msgId: number, p: Uint8Array): Uint8Array | undefined {
    const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const need = (n: number) => {
      if (p.length < n) {
        throw new Reject(RmError.MSG_INVALID, `payload of ${p.length} bytes, need ${n}`);
      }
    };
    switch (msgId) {
      case RmMsg.VM_GET_VMID:
        return u32(caller);
      case RmMsg.VM_GET_PEERS:
        return this.#peers(caller);
      case RmMsg.VM_ALLOCATE: {
        need(4);
        if (!this.#host.mayAllocate(caller)) {
          throw new Reject(
            RmError.DENIED,
            `VM 0x${caller.toString(16)} may not allocate VMs (the HLOS and the RM's VMMs may)`,
          );
        }
        const want = v.getUint16(0, true);
        this.#allocations++;
        const rec = this.#host.allocateVm(`rpc-vm-${this.#allocations}`, want, caller);
        return want === 0 ? u32(rec.vmid) : undefined;
      }
      case RmMsg.VM_GET_STATE: {
        const target = p.length >= 4 ? v.getUint16(0, true) : caller;
        const rec = this.#vm(target);
        if (target !== caller && rec.owner !== caller) {
          throw new Reject(
            RmError.DENIED,
            `VM 0x${caller.toString(16)} does not own 0x${target.toString(16)}`,
          );
        }
        const s = this.#byVmid.get(target);
        const out = new Uint8Array(4);
        out[0] = rec.status;
        out[1] = s?.osStatus ?? 0;
        new DataView(out.buffer).setUint16(2, s?.appStatus ?? 0, true);
        return out;
      }
      case RmMsg.VM_CONFIG_IMAGE: {
        need(VM_CONFIG_IMAGE_SIZE);
        const rec = this.#owned(caller, v.getUint16(0, true));
        this.#host.configImage(rec.vmid, v.getUint16(2, true), {
          handle: v.getUint32(4, true),
          imageOffset: v.getBigUint64(8, true),
          imageSize: v.getBigUint64(16, true),
          dtbOffset: v.getBigUint64(24, true),
          dtbSize: v.getBigUint64(32, true),
        });
        return undefined;
      }
      case RmMsg.VM_INIT: {
        need(4);
        const rec = this.#owned(caller, v.getUint16(0, true));
        this.#host.initVmOverRpc(rec.vmid);
        return undefined;
      }
      case RmMsg.VM_RESET: {
        need(4);
        this.#host.resetVm(this.#owned(caller, v.getUint16(0, true)).vmid);
        return undefined;
      }
      case RmMsg.VM_DEALLOCATE: {
        need(4);
        this.#host.deallocateVm(this.#owned(caller, v.getUint16(0, true)).vmid);
        return undefined;
      }
      case RmMsg.VM_SET_CONTEXT:
        return this.#setContext(caller, p, v);
      case RmMsg.VM_START: {
        need(4);
        const rec = this.#owned(caller, v.getUint16(0, true));
        this.#host.startVm(rec.vmid);
        return undefined;
      }
      case RmMsg.VM_STOP: {
        need(8);
        const rec = this.#owned(caller, v.getUint16(0, true));
        const flags = v.getUint8(2);
        const reason = v.getUint32(4, true);
        if ((flags & ~VM_STOP_FLAG_FORCE) !== 0) {
          throw new Reject(
            RmError.ARGUMENT_INVALID,
            `unknown VM_STOP flags 0x${flags.toString(16)}`,
          );
        }
        this.#running(rec);
        if (flags & VM_STOP_FLAG_FORCE) {
          this.#host.stopVm(rec.vmid, `stopped (VM_STOP_FORCED) by VM 0x${caller.toString(16)}`);
          this.notifyExited(rec, ExitType.VM_STOP_FORCED, reason);
        } else if (!this.notify(rec.vmid, RmNotify.VM_SHUTDOWN, u32(reason))) {
          throw new Reject(RmError.NORESOURCE, "the VM has no RM channel to ask it to shut down");
        }
        return undefined;
      }
      case RmMsg.VM_GET_HYP_RESOURCES: {
        need(4);
        return this.#hypResources(caller, v.getUint16(0, true));
      }
      case RmMsg.VM_EXIT: {
        need(4);
        const rec = this.#vm(caller);
        this.#running(rec);
        const flags = v.getUint16(0, true);
        const code = v.getUint8(2);
        this.#host.stopVm(caller, `VM_EXIT code ${code} flags 0x${flags.toString(16)}`);
        this.notifyExited(rec, ExitType.VM_EXIT, flags | (code << 16));
        return undefined;
      }
      case RmMsg.VM_SET_STATUS:
        return this.#setStatus(caller, p, v);
      case RmMsg.VM_CONSOLE_OPEN:
      case RmMsg.VM_CONSOLE_CLOSE:
      case RmMsg.VM_CONSOLE_FLUSH:
      case RmMsg.VM_CONSOLE_WRITE:
        return this.#console(caller, msgId, p, v);
      default: {
        const h = this.#handlers.get(msgId);
        if (h) return h(caller, p, msgId) ?? undefined;
        throw new Reject(
          RmError.UNIMPLEMENTED,
          `msg_id 0x${msgId.toString(16)} is not implemented`,
        );
      }
    }
  }

  #vm(vmid: number): VmRecord {
    const rec = this.#host.find(vmid);
    if (!rec) throw new Reject(RmError.VMID_INVALID, `no VM with VMID 0x${vmid.toString(16)}`);
    return rec;
  }

  #owned(caller: number, vmid: number): VmRecord {
    const rec = this.#vm(vmid);
    if (rec.owner !== caller) {
      throw new Reject(
        RmError.DENIED,
        `VM 0x${caller.toString(16)} does not own 0x${vmid.toString(16)}`,
      );
    }
    return rec;
  }

  #running(rec: VmRecord): void {
    if (rec.status !== VmStatus.RUNNING && rec.status !== VmStatus.PAUSED) {
      throw new Reject(RmError.VM_STATE, `VM 0x${rec.vmid.toString(16)} is not running`);
    }
  }

  /** The VMs related to `caller`: its owner and the VMs it owns. */
  #peerVmids(caller: number): number[] {
    const self = this.#host.find(caller);
    return this.#host.allVms()
      .filter((r) => r.vmid !== caller && (r.owner === caller || self?.owner === r.vmid))
      .map((r) => r.vmid);
  }

  #peers(caller: number): Uint8Array {
    const ids = this.#peerVmids(caller);
    const out = new Uint8Array(4 + 4 * ids.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, ids.length, true);
    ids.forEach((id, i) => v.setUint32(4 + 4 * i, id, true));
    return out;
  }

  #setContext(caller: number, p: Uint8Array, v: DataView): undefined {
    if (p.length < 16) {
      throw new Reject(RmError.MSG_INVALID, `payload of ${p.length} bytes, need 16`);
    }
    const rec = this.#owned(caller, v.getUint16(0, true));
    if (
      rec.status === VmStatus.RUNNING || rec.status === VmStatus.PAUSED ||
      rec.status === VmStatus.EXITED
    ) {
      throw new Reject(RmError.VM_STATE, "the boot context can only be set before VM_START");
    }
    const set = v.getUint8(2);
    const index = v.getUint8(3);
    const value = v.getBigUint64(8, true);
    if (set === VmContextRegSet.PC && index === 0) rec.boot.pc = value;
    else if (set === VmContextRegSet.X && index === 0) rec.boot.x0 = value;
    else {
      throw new Reject(
        RmError.ARGUMENT_INVALID,
        `register set ${set} index ${index}: only PC and X0 can be set`,
      );
    }
    return undefined;
  }

  #setStatus(caller: number, p: Uint8Array, v: DataView): undefined {
    if (p.length < 4) throw new Reject(RmError.MSG_INVALID, `payload of ${p.length} bytes, need 4`);
    const rec = this.#vm(caller);
    const os = v.getUint8(1);
    if (os > OS_STATUS_MAX) {
      throw new Reject(RmError.ARGUMENT_INVALID, `os_status ${os} is unknown`);
    }
    const s = this.#byVmid.get(caller)!;
    s.osStatus = os;
    s.appStatus = v.getUint16(2, true);
    const n = this.#statusPayload(rec);
    for (const peer of this.#peerVmids(caller)) {
      if (this.#host.find(peer)?.status === VmStatus.RUNNING) {
        this.notify(peer, RmNotify.VM_STATUS, n);
      }
    }
    return undefined;
  }

  #hypResources(caller: number, vmid: number): Uint8Array {
    const target = this.#vm(vmid);
    const entries: Uint8Array[] = [];
    const ends = (d: BuiltVdevice, which: readonly VdeviceEnd[], partner: number) =>
      which.forEach((e) =>
        entries.push(
          resourceEntry(
            e.type,
            partner,
            d.handle,
            d.config.label,
            e.cap,
            e.virq ?? HYP_RESOURCE_NO_VIRQ,
          ),
        )
      );
    if (target.owner === caller) {
      const ownerRec = this.#vm(caller);
      const ownerCspace = ownerRec.objects?.cspace ?? ownerRec.client?.cspace;
      if (!target.objects || ownerCspace === undefined) {
        throw new Reject(RmError.VM_STATE, "the VM has no vCPUs yet (not initialised)");
      }
      if (target.ownerVcpuCaps === null) {
        const cs = ownerCspace;
        target.ownerVcpuCaps = target.objects.vcpus.map((c) => this.#copyCap(c, cs));
      }
      const wakeups = target.built?.wakeupVirqs ?? [];
      target.ownerVcpuCaps.forEach((cap, i) =>
        entries.push(
          resourceEntry(
            ResourceType.VIRTUAL_CPU,
            vmid,
            i + 1,
            i,
            cap,
            wakeups[i] ?? HYP_RESOURCE_NO_VIRQ,
          ),
        )
      );
      for (const d of target.vdevices) if (d.peer === caller) ends(d, d.peerEnds, vmid);
    } else if (vmid === caller) {
      const link = this.#byVmid.get(vmid)?.link;
      if (link) {
        entries.push(
          resourceEntry(ResourceType.MSG_QUEUE_SEND, Vmid.RM, 1, 0, link.vmTxCap, link.vmTxVirq),
          resourceEntry(ResourceType.MSG_QUEUE_RECV, Vmid.RM, 2, 0, link.vmRxCap, link.vmRxVirq),
        );
      }
      for (const d of target.vdevices) ends(d, d.own, d.peer);
    } else if (target.vdevices.some((d) => d.peer === caller)) {
      for (const d of target.vdevices) if (d.peer === caller) ends(d, d.peerEnds, vmid);
    } else {
      throw new Reject(
        RmError.DENIED,
        `VM 0x${caller.toString(16)} is neither owner, self nor peer of 0x${vmid.toString(16)}`,
      );
    }
    const out = new Uint8Array(4 + HYP_RESOURCE_ENTRY_SIZE * entries.length);
    new DataView(out.buffer).setUint32(0, entries.length, true);
    entries.forEach((e, i) => out.set(e, 4 + HYP_RESOURCE_ENTRY_SIZE * i));
    return out;
  }

  #copyCap(cap: bigint, toCspace: bigint): bigint {
    const r = this.#host.port.call(
      Hypercall.CSPACE_COPY_CAP_FROM,
      this.#host.cspaceCap,
      cap,
      toCspace,
      BigInt(CAP_RIGHTS_THREAD_ALL),
      0n,
    );
    const err = errorFromRegister(r[0]);
    if (err !== HypError.OK) {
      throw new Reject(RmError.NORESOURCE, `cspace_copy_cap_from failed with Gunyah error ${err}`);
    }
    return r[1];
  }

  #console(caller: number, msgId: number, p: Uint8Array, v: DataView): undefined {
    if (p.length < 4) throw new Reject(RmError.MSG_INVALID, `payload of ${p.length} bytes, need 4`);
    const target = this.#vm(v.getUint16(0, true));
    if (target.vmid !== caller && target.owner !== caller) {
      throw new Reject(
        RmError.DENIED,
        `VM 0x${caller.toString(16)} may not use the console of 0x${target.vmid.toString(16)}`,
      );
    }
    const s = this.#byVmid.get(target.vmid);
    if (!s) throw new Reject(RmError.VM_STATE, "the VM has no console (not initialised)");
    switch (msgId) {
      case RmMsg.VM_CONSOLE_OPEN:
        s.consoleOpen = true;
        return undefined;
      case RmMsg.VM_CONSOLE_CLOSE:
        if (!s.consoleOpen) throw new Reject(RmError.VM_STATE, "console is not open");
        this.#flushConsole(target, s);
        s.consoleOpen = false;
        return undefined;
      case RmMsg.VM_CONSOLE_FLUSH:
        if (!s.consoleOpen) throw new Reject(RmError.VM_STATE, "console is not open");
        this.#flushConsole(target, s);
        return undefined;
    }
    const n = v.getUint16(2, true);
    if (p.length < 4 + n) {
      throw new Reject(
        RmError.MSG_INVALID,
        `VM_CONSOLE_WRITE of ${n} bytes carries ${p.length - 4}`,
      );
    }
    if (!s.consoleOpen) throw new Reject(RmError.VM_STATE, "console is not open");
    const bytes = p.subarray(4, 4 + n);
    if (caller === target.vmid) {
      for (const b of bytes) {
        s.console.push(b);
        if (s.console.length >= CONSOLE_CHUNK) this.#flushConsole(target, s);
      }
    } else {
      this.notify(target.vmid, RmNotify.VM_CONSOLE_CHARS, consoleChars(caller, bytes));
    }
    return undefined;
  }

  #flushConsole(rec: VmRecord, s: VmRpc): void {
    if (s.console.length === 0) return;
    const bytes = Uint8Array.from(s.console.splice(0));
    this.#consoleSink(rec.vmid, bytes);
    this.notify(rec.owner, RmNotify.VM_CONSOLE_CHARS, consoleChars(rec.vmid, bytes));
  }
}

function isRmRequestError(e: unknown): e is RmRequestError {
  return e instanceof Error && e.name === "RmRequestError" &&
    typeof (e as { code?: unknown }).code === "number";
}

function u32(x: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, x >>> 0, true);
  return out;
}

function consoleChars(from: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, from, true);
  v.setUint16(2, bytes.length, true);
  out.set(bytes, 4);
  return out;
}

/** One 44-byte VM_GET_HYP_RESOURCES entry (gunyah-abi.md §5.6); base and size are 0. */
export function resourceEntry(
  type: number,
  partnerVmid: number,
  handle: number,
  label: number,
  cap: bigint,
  virq: number,
): Uint8Array {
  const out = new Uint8Array(HYP_RESOURCE_ENTRY_SIZE);
  const v = new DataView(out.buffer);
  v.setUint8(0, type);
  v.setUint16(2, partnerVmid, true);
  v.setUint32(4, handle, true);
  v.setUint32(8, label, true);
  v.setUint32(12, Number(cap & 0xffff_ffffn), true);
  v.setUint32(16, Number((cap >> 32n) & 0xffff_ffffn), true);
  v.setUint32(20, HYP_RESOURCE_NO_VIRQ, true);
  v.setUint32(24, virq >>> 0, true);
  return out;
}
