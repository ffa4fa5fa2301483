/**
 * The msgqueue object: a unidirectional FIFO of messages buffered in the
 * hypervisor, with a send-side (not-full) and a receive-side (not-empty)
 * VIRQ.
 *
 * HYP `hyp/ipc/msgqueue/src/*.c` (gunyah-abi.md §4.1):
 * - configure: queue_depth 1..255, max_msg_size 1..1023, else
 *   ERROR_ARGUMENT_INVALID; activation of an unconfigured queue is
 *   ERROR_OBJECT_CONFIG. After activation not-full threshold = depth - 1 and
 *   not-empty threshold = 1.
 * - send: full → ERROR_MSGQUEUE_FULL; else enqueue and assert the receive
 *   VIRQ if PUSH is set or the count has just reached the not-empty
 *   threshold; returns not_full = (count != depth).
 * - receive: empty → ERROR_MSGQUEUE_EMPTY; else dequeue and assert the send
 *   VIRQ if the count has just dropped to the not-full threshold; returns the
 *   size and not_empty = (count != 0).
 * - flush empties the queue (asserting the send VIRQ if it was non-empty).
 * - configure_send/receive change the thresholds (-1 keeps, -2 = depth for
 *   receive); an explicit new threshold re-evaluates the VIRQ; a holdoff
 *   delay other than -1 is ERROR_UNIMPLEMENTED.
 * - Levels ("check pending"): receive VIRQ while count ≥ not-empty
 *   threshold, send VIRQ while count ≤ not-full threshold.
 *
 * Bad buffers: the 12/2023 code jumps out without an error when copying a
 * message fails (send returns OK without enqueuing, receive returns OK with
 * size 0). This implementation instead returns the errors the API document
 * specifies, and never enqueues or dequeues in that case:
 * ERROR_ARGUMENT_SIZE for a size of 0 or above max_msg_size, or a receive
 * buffer smaller than the message at the head; ERROR_ADDR_INVALID for an
 * unmapped buffer.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import type { UserMemory } from "../../hypercall/context.ts";
import { GunyahObject } from "../object.ts";
import { ObjectState, ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import { VirqSource } from "../vic/virq_source.ts";

/** queue_depth must be below this (`MSGQUEUE_MAX_QUEUE_DEPTH`). */
export const MSGQUEUE_MAX_QUEUE_DEPTH = 256;
/** max_msg_size must be below this (`MSGQUEUE_MAX_MAX_MSG_SIZE`). */
export const MSGQUEUE_MAX_MAX_MSG_SIZE = 1024;
/** Threshold argument meaning "leave unchanged" (-1 as a 32-bit count). */
export const MSGQUEUE_THRESHOLD_UNCHANGED = 0xffffffff;
/** Receive threshold argument meaning "the queue depth" (-2 as a 32-bit count). */
export const MSGQUEUE_THRESHOLD_MAXIMUM = 0xfffffffe;
/** Holdoff delay argument meaning "no delay" (-1), the only supported value. */
export const MSGQUEUE_DELAY_UNCHANGED = 0xffffffff;

class SendSource extends VirqSource {
  constructor(readonly mq: Msgqueue) {
    super();
  }
  checkPending(): boolean {
    return this.mq.state === ObjectState.ACTIVE && this.mq.count <= this.mq.notFullThreshold;
  }
}

class ReceiveSource extends VirqSource {
  constructor(readonly mq: Msgqueue) {
    super();
  }
  checkPending(): boolean {
    return this.mq.count >= this.mq.notEmptyThreshold && this.mq.count > 0;
  }
}

/** A message queue. */
export class Msgqueue extends GunyahObject {
  readonly type = ObjectType.MSGQUEUE;
  queueDepth = 0;
  maxMsgSize = 0;
  notFullThreshold = 0;
  notEmptyThreshold = 1;
  #messages: Uint8Array[] = [];
  /** The send-side (not-full) VIRQ. */
  readonly sendSource: VirqSource = new SendSource(this);
  /** The receive-side (not-empty) VIRQ. */
  readonly receiveSource: VirqSource = new ReceiveSource(this);

  constructor(partition: Partition) {
    super(partition);
  }

  /** Messages queued. */
  get count(): number {
    return this.#messages.length;
  }

  /** msgqueue_configure (INIT only). */
  configure(queueDepth: number, maxMsgSize: number): void {
    this.requireInit();
    if (queueDepth === 0 || queueDepth >= MSGQUEUE_MAX_QUEUE_DEPTH) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `queue_depth ${queueDepth} not in 1..255`);
    }
    if (maxMsgSize === 0 || maxMsgSize >= MSGQUEUE_MAX_MAX_MSG_SIZE) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `max_msg_size ${maxMsgSize} not in 1..1023`);
    }
    this.queueDepth = queueDepth;
    this.maxMsgSize = maxMsgSize;
  }

  protected override onActivate(): HypError {
    if (this.queueDepth === 0 || this.maxMsgSize === 0) return HypError.ERROR_OBJECT_CONFIG;
    this.notFullThreshold = this.queueDepth - 1;
    this.notEmptyThreshold = 1;
    return HypError.OK;
  }

  protected override onDeactivate(): void {
    this.sendSource.unbind();
    this.receiveSource.unbind();
    this.#messages = [];
  }

  /** msgqueue_send of `size` bytes at the caller's `va`; returns not_full. */
  send(memory: UserMemory, size: number, va: bigint, push: boolean): boolean {
    if (this.count === this.queueDepth) throwHypError(HypError.ERROR_MSGQUEUE_FULL, "queue full");
    if (size === 0 || size > this.maxMsgSize) {
      throwHypError(HypError.ERROR_ARGUMENT_SIZE, `size ${size} not in 1..${this.maxMsgSize}`);
    }
    const data = memory.readUser(va, size);
    if (typeof data === "number") throwHypError(data, "send buffer");
    return this.enqueue(data, push);
  }

  /** Enqueue a message already copied in (native components); returns not_full. */
  enqueue(data: Uint8Array, push: boolean): boolean {
    if (this.count === this.queueDepth) throwHypError(HypError.ERROR_MSGQUEUE_FULL, "queue full");
    if (data.length === 0 || data.length > this.maxMsgSize) {
      throwHypError(
        HypError.ERROR_ARGUMENT_SIZE,
        `size ${data.length} not in 1..${this.maxMsgSize}`,
      );
    }
    this.#messages.push(data.slice());
    if (push || this.count === this.notEmptyThreshold) this.receiveSource.assert();
    this.sendSource.update();
    return this.count !== this.queueDepth;
  }

  /**
   * msgqueue_receive into the caller's buffer of `bufSize` bytes at `va`;
   * returns the message size and not_empty.
   */
  receive(memory: UserMemory, va: bigint, bufSize: number): { size: number; notEmpty: boolean } {
    if (this.count === 0) throwHypError(HypError.ERROR_MSGQUEUE_EMPTY, "queue empty");
    const head = this.#messages[0];
    if (bufSize < head.length) {
      throwHypError(HypError.ERROR_ARGUMENT_SIZE, `buffer ${bufSize} < message ${head.length}`);
    }
    const err = memory.writeUser(va, head);
    if (err !== HypError.OK) throwHypError(err, "receive buffer");
    this.dequeue();
    return { size: head.length, notEmpty: this.count !== 0 };
  }

  /** Remove and return the head message (native components). */
  dequeue(): Uint8Array {
    const head = this.#messages.shift();
    if (!head) throwHypError(HypError.ERROR_MSGQUEUE_EMPTY, "queue empty");
    if (this.count === this.notFullThreshold) this.sendSource.assert();
    this.receiveSource.update();
    return head;
  }

  /** msgqueue_flush. */
  flush(): void {
    if (this.count === 0) return;
    this.#messages = [];
    this.sendSource.assert();
    this.receiveSource.update();
  }

  /**
   * msgqueue_configure_send (HYP `msgqueue_configure_send`): a new
   * threshold re-evaluates the send VIRQ (assert if count ≤ threshold, else
   * clear); -1 keeps the threshold and touches nothing.
   */
  configureSend(threshold: number, delay: number): void {
    if (delay !== MSGQUEUE_DELAY_UNCHANGED) {
      throwHypError(HypError.ERROR_UNIMPLEMENTED, "holdoff delay");
    }
    if (threshold >= this.queueDepth && threshold !== MSGQUEUE_THRESHOLD_UNCHANGED) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `not-full threshold ${threshold} ≥ depth`);
    }
    if (threshold === MSGQUEUE_THRESHOLD_UNCHANGED) return;
    this.notFullThreshold = threshold;
    if (this.count <= this.notFullThreshold) this.sendSource.assert();
    else this.sendSource.update();
  }

  /**
   * msgqueue_configure_receive (HYP `msgqueue_configure_receive`): an
   * explicit threshold (1..depth) re-evaluates the receive VIRQ (assert if
   * count ≥ threshold, else clear); -2 sets the threshold to the depth and
   * -1 keeps it, both without re-evaluating (the new threshold applies at
   * the next send, receive or delivery).
   */
  configureReceive(threshold: number, delay: number): void {
    if (delay !== MSGQUEUE_DELAY_UNCHANGED) {
      throwHypError(HypError.ERROR_UNIMPLEMENTED, "holdoff delay");
    }
    if (
      threshold === 0 ||
      (threshold > this.queueDepth && threshold !== MSGQUEUE_THRESHOLD_MAXIMUM &&
        threshold !== MSGQUEUE_THRESHOLD_UNCHANGED)
    ) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `not-empty threshold ${threshold}`);
    }
    if (threshold === MSGQUEUE_THRESHOLD_MAXIMUM) {
      this.notEmptyThreshold = this.queueDepth;
    } else if (threshold !== MSGQUEUE_THRESHOLD_UNCHANGED) {
      this.notEmptyThreshold = threshold;
      if (this.count >= this.notEmptyThreshold) this.receiveSource.assert();
      else this.receiveSource.update();
    }
  }
}
