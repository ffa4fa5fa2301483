/**
 * The doorbell object: 64 flag bits that a sender sets and a receiver
 * clears, with one bound VIRQ.
 *
 * HYP `hyp/ipc/doorbell/src/doorbell.c` (gunyah-abi.md §4.2):
 * - send(new): returns the old flags; `flags |= new`; if `flags &
 *   enable_mask` is non-zero the VIRQ is asserted as a level source and then
 *   `flags &= ~ack_mask` (auto-acknowledge); otherwise it is only
 *   edge-asserted (effective only for an edge-triggered VIRQ).
 * - receive(clear): returns the old flags; `flags &= ~clear` (clear must be
 *   non-zero, else ERROR_ARGUMENT_INVALID); the VIRQ deasserts once no
 *   enabled flag remains.
 * - reset: flags = 0, enable_mask = all ones, ack_mask = 0, VIRQ deasserted.
 * - mask(enable, ack): install the masks; deassert if the new enable mask
 *   disables every set flag; assert if it newly enables set flags; apply the
 *   new ack mask whenever enabled flags are set.
 * The level of the VIRQ ("check pending") is `(flags & enable_mask) != 0`.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import { GunyahObject } from "../object.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import { VirqSource } from "../vic/virq_source.ts";

const ALL_ONES = 0xffffffffffffffffn;

/** The doorbell's VIRQ source. */
class DoorbellSource extends VirqSource {
  readonly doorbell: Doorbell;
  constructor(doorbell: Doorbell) {
    super();
    this.doorbell = doorbell;
  }
  checkPending(): boolean {
    return (this.doorbell.flags & this.doorbell.enableMask) !== 0n;
  }
}

/** A doorbell. */
export class Doorbell extends GunyahObject {
  readonly type = ObjectType.DOORBELL;
  flags = 0n;
  enableMask = ALL_ONES;
  ackMask = 0n;
  /** The bound VIRQ. */
  readonly source: VirqSource = new DoorbellSource(this);

  constructor(partition: Partition) {
    super(partition);
  }

  protected override onDeactivate(): void {
    this.source.unbind();
  }

  /** doorbell_send: returns the old flags. */
  send(newFlags: bigint): bigint {
    const old = this.flags;
    this.flags |= newFlags;
    if ((this.flags & this.enableMask) !== 0n) {
      this.source.assert();
      this.flags &= ~this.ackMask & ALL_ONES;
      this.source.update();
    } else {
      this.source.assertEdge();
    }
    return old;
  }

  /** doorbell_receive: returns the old flags. */
  receive(clearFlags: bigint): bigint {
    if (clearFlags === 0n) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "clear_flags is 0");
    const old = this.flags;
    this.flags &= ~clearFlags & ALL_ONES;
    this.source.update();
    return old;
  }

  /** doorbell_reset. */
  reset(): void {
    this.flags = 0n;
    this.enableMask = ALL_ONES;
    this.ackMask = 0n;
    this.source.update();
  }

  /** doorbell_mask (HYP `doorbell_mask`). */
  mask(enableMask: bigint, ackMask: bigint): void {
    const wasAsserted = (this.flags & this.enableMask) !== 0n;
    const nowAsserted = (this.flags & enableMask) !== 0n;
    this.enableMask = enableMask;
    this.ackMask = ackMask;
    if (wasAsserted && !nowAsserted) {
      this.source.update(); // deassert: nothing enabled remains set
    } else if (!wasAsserted && nowAsserted) {
      this.source.assert(); // newly enabled flags are already set
      this.flags &= ~this.ackMask & ALL_ONES;
      this.source.update();
    } else if (wasAsserted && nowAsserted) {
      this.flags &= ~this.ackMask & ALL_ONES;
      this.source.update();
    }
  }
}
