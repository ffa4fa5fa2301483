/**
 * IRQ lending (gunyah-abi.md §5.4 VM_IRQ_*; RM `src/irq_manager/irq_manager.c`,
 * `include/irq_message.h`): a VM that owns a hardware interrupt line (a
 * hwirq object bound to a VIRQ of its vic) lends it to another VM, which
 * accepts it at a VIRQ of its own vic; the borrower releases it, the owner
 * reclaims it.
 *
 * Backing, through hypercalls only (gunyah-abi.md §1.5 "Interrupts / VIC"):
 * - the RM holds a cap to each hwirq it manages ({@link IrqLending.addHwirq});
 *   the owner gets the line at a VIRQ of its vic (`hwirq_bind_virq`);
 * - VM_IRQ_LEND: `hwirq_unbind_virq` — the owner no longer sees the line;
 * - VM_IRQ_ACCEPT: `hwirq_bind_virq` to the borrower's vic at the VIRQ it
 *   asks for (0xFFFFFFFF: the hardware INTID, 1:1, as the RM does);
 * - VM_IRQ_RELEASE: `hwirq_unbind_virq`;
 * - VM_IRQ_RECLAIM: `hwirq_bind_virq` back to the owner's VIRQ.
 *
 * Request sizes are exact (LEND 12, ACCEPT 8, RELEASE/RECLAIM 4, NOTIFY 8,
 * or 12 + 4n for LENT with a VM list); anything else is MSG_INVALID. The
 * state rules and error codes are the RM's: an IRQ the caller does not own
 * or that is not bound → IRQ_INVALID, already lent → IRQ_INUSE; an unknown
 * handle, or a handle used by the wrong VM → HANDLE_INVALID; accept / release
 * / reclaim in the wrong state → IN_USE; NOTIFY(ACCEPTED) before acceptance →
 * IRQ_RELEASED.
 *
 * @module
 */
import { errorFromRegister, errorName, Hypercall, HypError } from "@gunyah-ts/core/abi";
import type { HypercallPort } from "@gunyah-ts/core/plugin";
import { RmError, RmMsg, RmNotify } from "../abi.ts";
import { RmRequestError } from "../error.ts";
import type { RpcHandler } from "../rpc/handler.ts";

/** VM_IRQ_ACCEPT's "any VIRQ" (RM `VIRQ_NUM_INVALID`): the hardware INTID is used. */
export const VIRQ_NUM_INVALID = 0xffff_ffff;
/** VM_IRQ_NOTIFY flags (RM `VIRQ_NOTIFY_FLAG_*`). */
export const IrqNotifyFlag = { LENT: 1, RELEASED: 2, ACCEPTED: 4 } as const;
/** Lending states (RM `IRQ_LEND_STATE_*`). */
export const IrqLendState = { OFFERED: 0, ACCEPTED: 1 } as const;

/** A hardware interrupt the RM manages. */
export interface ManagedHwirq {
  /** Hardware INTID. */
  readonly irq: number;
  /** hwirq cap in the RM's cspace. */
  readonly cap: bigint;
  /** The owning VM and the VIRQ it sees the line at. */
  readonly owner: number;
  readonly ownerVirq: number;
  /** The lending in progress, if any. */
  lending: IrqLendingRecord | null;
}

/** One lending of a hwirq. */
export interface IrqLendingRecord {
  readonly handle: number;
  readonly borrower: number;
  readonly label: number;
  state: number;
  /** VIRQ in the borrower's vic once accepted. */
  borrowerVirq: number | null;
}

/** What IRQ lending needs from the RM. */
export interface IrqLendingHost {
  readonly port: HypercallPort;
  /** The vic cap (RM cspace) of a built VM, or null. */
  vic(vmid: number): bigint | null;
  notify(vmid: number, msgId: number, payload: Uint8Array): void;
  log?(message: string): void;
}

function fail(code: number, message: string): never {
  throw new RmRequestError(code, message);
}

const hex = (n: number) => `0x${n.toString(16)}`;

function exact(p: Uint8Array, n: number, what: string): DataView {
  if (p.length !== n) {
    fail(RmError.MSG_INVALID, `${what}: payload of ${p.length} bytes, must be ${n}`);
  }
  return new DataView(p.buffer, p.byteOffset, p.byteLength);
}

function u32(x: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, x >>> 0, true);
  return out;
}

/** The RM's IRQ manager for lending. */
export class IrqLending {
  readonly #host: IrqLendingHost;
  readonly #hwirqs = new Map<number, ManagedHwirq>();
  #nextHandle = 0;

  constructor(host: IrqLendingHost) {
    this.#host = host;
  }

  /**
   * Manage hwirq `irq` (cap in the RM's cspace), owned by VM `owner`, which
   * sees it at `ownerVirq` (default: the same INTID): bound now
   * (`hwirq_bind_virq`). The owner must be built. Throws {@link RmRequestError}.
   */
  addHwirq(irq: number, cap: bigint, owner: number, ownerVirq = irq): ManagedHwirq {
    if (this.#hwirqs.has(irq)) fail(RmError.IRQ_INUSE, `hwirq ${irq} is already managed`);
    const err = this.#bind(cap, owner, ownerVirq);
    if (err !== HypError.OK) {
      fail(RmError.IRQ_INVALID, `hwirq_bind_virq of hwirq ${irq}: ${errorName(err)}`);
    }
    const h: ManagedHwirq = { irq, cap, owner, ownerVirq, lending: null };
    this.#hwirqs.set(irq, h);
    return h;
  }

  /** The managed hwirq `irq`, or null. */
  hwirq(irq: number): Readonly<ManagedHwirq> | null {
    return this.#hwirqs.get(irq) ?? null;
  }

  #bind(cap: bigint, vmid: number, virq: number): number {
    const vic = this.#host.vic(vmid);
    if (vic === null) return HypError.ERROR_ARGUMENT_INVALID;
    return errorFromRegister(
      this.#host.port.call(Hypercall.HWIRQ_BIND_VIRQ, cap, vic, BigInt(virq >>> 0), 0n)[0],
    );
  }

  #unbind(h: ManagedHwirq): void {
    const err = errorFromRegister(this.#host.port.call(Hypercall.HWIRQ_UNBIND_VIRQ, h.cap, 0n)[0]);
    if (err !== HypError.OK) this.#host.log?.(`hwirq_unbind_virq of ${h.irq}: ${errorName(err)}`);
  }

  #byHandle(handle: number): ManagedHwirq {
    for (const h of this.#hwirqs.values()) if (h.lending?.handle === handle) return h;
    fail(RmError.HANDLE_INVALID, `no lent IRQ with handle ${hex(handle)}`);
  }

  /** VM_IRQ_LEND: returns the handle. */
  lend(caller: number, virq: number, borrower: number, label: number): number {
    const h = [...this.#hwirqs.values()].find((x) => x.owner === caller && x.ownerVirq === virq);
    if (!h) fail(RmError.IRQ_INVALID, `VM ${hex(caller)} owns no hardware IRQ at VIRQ ${virq}`);
    if (h.lending) fail(RmError.IRQ_INUSE, `VIRQ ${virq} is already lent`);
    this.#unbind(h);
    const handle = this.#nextHandle;
    this.#nextHandle = (this.#nextHandle + 1) >>> 0;
    h.lending = {
      handle,
      borrower,
      label: label >>> 0,
      state: IrqLendState.OFFERED,
      borrowerVirq: null,
    };
    return handle;
  }

  /** VM_IRQ_ACCEPT: returns the VIRQ the borrower sees the line at. */
  accept(caller: number, handle: number, virq: number): number {
    const h = this.#byHandle(handle);
    const l = h.lending!;
    if (l.borrower !== caller) fail(RmError.HANDLE_INVALID, "the IRQ was lent to another VM");
    if (l.state !== IrqLendState.OFFERED) fail(RmError.IN_USE, "already accepted");
    const at = virq === VIRQ_NUM_INVALID ? h.irq : virq;
    const err = this.#bind(h.cap, caller, at);
    if (err !== HypError.OK) {
      fail(
        err === HypError.ERROR_BUSY || err === HypError.ERROR_DENIED
          ? RmError.DENIED
          : RmError.ARGUMENT_INVALID,
        `hwirq_bind_virq at VIRQ ${at} of VM ${hex(caller)}: ${errorName(err)}`,
      );
    }
    l.state = IrqLendState.ACCEPTED;
    l.borrowerVirq = at;
    return at;
  }

  /** VM_IRQ_RELEASE by the borrower. */
  release(caller: number, handle: number): void {
    const h = this.#byHandle(handle);
    const l = h.lending!;
    if (l.borrower !== caller) fail(RmError.HANDLE_INVALID, "the IRQ was lent to another VM");
    if (l.state !== IrqLendState.ACCEPTED) fail(RmError.IN_USE, "not accepted");
    this.#unbind(h);
    l.state = IrqLendState.OFFERED;
    l.borrowerVirq = null;
  }

  /** VM_IRQ_RECLAIM by the owner. */
  reclaim(caller: number, handle: number): void {
    const h = this.#byHandle(handle);
    const l = h.lending!;
    if (l.borrower === caller) fail(RmError.HANDLE_INVALID, "the borrower cannot reclaim");
    if (l.state !== IrqLendState.OFFERED) fail(RmError.IN_USE, "the borrower still has it");
    if (h.owner !== caller) fail(RmError.IRQ_INVALID, `VM ${hex(caller)} does not own the IRQ`);
    const err = this.#bind(h.cap, h.owner, h.ownerVirq);
    if (err !== HypError.OK) {
      fail(RmError.IRQ_INVALID, `hwirq_bind_virq back to the owner: ${errorName(err)}`);
    }
    h.lending = null;
  }

  /** VM_IRQ_NOTIFY. */
  notify(caller: number, handle: number, flags: number, vmids: readonly number[]): void {
    const h = this.#byHandle(handle);
    const l = h.lending!;
    switch (flags) {
      case IrqNotifyFlag.LENT: {
        if (h.owner !== caller) fail(RmError.HANDLE_INVALID, "only the owner announces a lending");
        if (l.state !== IrqLendState.OFFERED) fail(RmError.IRQ_INUSE, "already accepted");
        if (vmids.length > 1 || (vmids.length === 1 && vmids[0] !== l.borrower)) {
          fail(RmError.ARGUMENT_INVALID, "the VM list must name the borrower only");
        }
        const n = new Uint8Array(12);
        const v = new DataView(n.buffer);
        v.setUint16(0, h.owner, true);
        v.setUint32(4, l.handle, true);
        v.setUint32(8, l.label, true);
        this.#host.notify(l.borrower, RmNotify.VM_IRQ_LENT, n);
        return;
      }
      case IrqNotifyFlag.RELEASED:
        if (l.borrower !== caller) fail(RmError.HANDLE_INVALID, "only the borrower releases");
        if (l.state !== IrqLendState.OFFERED) fail(RmError.IRQ_INUSE, "still accepted");
        this.#host.notify(h.owner, RmNotify.VM_IRQ_RELEASED, u32(l.handle));
        return;
      case IrqNotifyFlag.ACCEPTED:
        if (l.borrower !== caller) fail(RmError.HANDLE_INVALID, "only the borrower accepts");
        if (l.state !== IrqLendState.ACCEPTED) fail(RmError.IRQ_RELEASED, "not accepted");
        this.#host.notify(h.owner, RmNotify.VM_IRQ_ACCEPTED, u32(l.handle));
        return;
      default:
        fail(RmError.ARGUMENT_INVALID, `VM_IRQ_NOTIFY flags ${hex(flags)}`);
    }
  }

  /**
   * VM `vmid` goes away: IRQs it borrowed are released (their owners can
   * reclaim them); IRQs it owns are unbound and no longer managed.
   */
  releaseAllFor(vmid: number): void {
    for (const h of [...this.#hwirqs.values()]) {
      const l = h.lending;
      if (l?.borrower === vmid && l.state === IrqLendState.ACCEPTED) this.release(vmid, l.handle);
      if (h.owner === vmid) {
        if (h.lending?.state === IrqLendState.ACCEPTED || !h.lending) this.#unbind(h);
        this.#hwirqs.delete(h.irq);
      }
    }
  }
}

/** The VM_IRQ_* request handlers over `irqs`, by msg_id. */
export function irqLendingHandlers(irqs: IrqLending): ReadonlyMap<number, RpcHandler> {
  return new Map<number, RpcHandler>([
    [RmMsg.VM_IRQ_LEND, (caller, p) => {
      const v = exact(p, 12, "VM_IRQ_LEND");
      return u32(
        irqs.lend(caller, v.getUint32(4, true), v.getUint16(0, true), v.getUint32(8, true)),
      );
    }],
    [RmMsg.VM_IRQ_ACCEPT, (caller, p) => {
      const v = exact(p, 8, "VM_IRQ_ACCEPT");
      return u32(irqs.accept(caller, v.getUint32(0, true), v.getUint32(4, true)));
    }],
    [RmMsg.VM_IRQ_RELEASE, (caller, p) => {
      irqs.release(caller, exact(p, 4, "VM_IRQ_RELEASE").getUint32(0, true));
    }],
    [RmMsg.VM_IRQ_RECLAIM, (caller, p) => {
      irqs.reclaim(caller, exact(p, 4, "VM_IRQ_RECLAIM").getUint32(0, true));
    }],
    [RmMsg.VM_IRQ_NOTIFY, (caller, p) => {
      if (p.length < 8) fail(RmError.MSG_INVALID, `VM_IRQ_NOTIFY: payload of ${p.length} bytes`);
      const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
      const flags = v.getUint32(4, true);
      const vmids: number[] = [];
      if (flags !== IrqNotifyFlag.LENT && p.length !== 8) {
        fail(RmError.MSG_INVALID, "VM_IRQ_NOTIFY: only LENT carries a VM list");
      }
      if (p.length > 8) {
        if (p.length < 12) fail(RmError.MSG_INVALID, "VM_IRQ_NOTIFY: truncated VM list");
        const n = v.getUint16(8, true);
        if (p.length !== 12 + 4 * n) {
          fail(RmError.MSG_INVALID, `VM_IRQ_NOTIFY: VM list of ${n} in ${p.length} bytes`);
        }
        for (let i = 0; i < n; i++) vmids.push(v.getUint16(12 + 4 * i, true));
      }
      irqs.notify(caller, v.getUint32(0, true), flags, vmids);
    }],
  ]);
}
