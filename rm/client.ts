/**
 * An RM RPC client in TypeScript, speaking the RM's wire format over its own
 * message-queue pair through hypercalls, the way Linux's `rsc_mgr.c` does
 * (gunyah-abi.md §4.1, §5.1): one request at a time, a 16-bit sequence
 * number per request (cyclic), PUSH only on the last fragment, replies
 * matched by seq and msg_id, notifications handed to a listener, anything
 * else dropped with a reason.
 *
 * The client is transport-neutral about waiting: when the TX queue is full
 * or the reply has not arrived it calls `wait()`, which must let the system
 * make progress (e.g. run a hypervisor round so the RM's VIRQ is delivered).
 *
 * @module
 */
import {
  errorFromRegister,
  errorName,
  Hypercall,
  HypError,
  MSGQUEUE_SEND_FLAG_PUSH,
} from "@gunyah-ts/core/abi";
import type { HypercallPort } from "@gunyah-ts/core/plugin";
import { fragment, Reassembler, type RpcMessage } from "./rpc/fragment.ts";
import { RPC_MESSAGE_SIZE, RpcType } from "./rpc/header.ts";

/** Where the client's message buffer lives: its address for hypercalls and its bytes. */
export interface RmClientBuffer {
  /** Address the hypercalls copy from/to (the caller's user_ptr_t). */
  readonly address: bigint;
  /** The same bytes, at least {@link RPC_MESSAGE_SIZE} long. */
  readonly bytes: Uint8Array;
}

/** Options of {@link RmClient}. */
export interface RmClientOptions {
  /** Hypercalls in the client's own cspace. */
  readonly port: HypercallPort;
  /** The client's TX queue (client → RM), SEND right. */
  readonly txCap: bigint;
  /** The client's RX queue (RM → client), RECEIVE right. */
  readonly rxCap: bigint;
  /** The message buffer the hypercalls copy through. */
  readonly buffer: RmClientBuffer;
  /** Let the system make progress; called while waiting for room or a reply. */
  readonly wait: () => void | Promise<void>;
  /** Notifications from the RM. */
  readonly onNotification?: (n: RpcMessage) => void;
  /** Messages the client dropped, with the reason. */
  readonly onDrop?: (reason: string) => void;
  /** Give up after this many waits for one request (default 10000). */
  readonly maxWaits?: number;
}

/** A reply: the RM error word and what followed it. */
export interface RmReply {
  /** RM error code (gunyah-abi.md §5.2). */
  readonly error: number;
  /** The reply payload after the error word. */
  readonly data: Uint8Array;
}

/** The transport failed (not an RM error reply). */
export class RmClientError extends Error {
  /** Error name. */
  override readonly name = "RmClientError";
}

/** An RM RPC client over one queue pair. */
export class RmClient {
  readonly #o: RmClientOptions;
  readonly #reassembler: Reassembler;
  #seq = 0;
  #busy = false;
  /** The reply being waited for, once it arrived. */
  #reply: RpcMessage | null = null;
  #want: { seq: number; msgId: number } | null = null;

  /** A client over the queue pair in `options`. */
  constructor(options: RmClientOptions) {
    if (options.buffer.bytes.length < RPC_MESSAGE_SIZE) {
      throw new RangeError(`RM client buffer must hold ${RPC_MESSAGE_SIZE} bytes`);
    }
    this.#o = options;
    this.#reassembler = new Reassembler((why) => this.#drop(why));
  }

  /**
   * Send request `msgId` with `payload` and wait for its reply. Throws
   * {@link RmClientError} if a request is already in flight, a hypercall fails
   * unexpectedly, or no reply arrives within `maxWaits` waits.
   */
  async call(msgId: number, payload: Uint8Array = new Uint8Array(0)): Promise<RmReply> {
    const steps = this.#begin(msgId, payload);
    try {
      for (;;) {
        const s = steps.next();
        if (s.done) return s.value;
        await this.#o.wait();
      }
    } finally {
      this.#end();
    }
  }

  /**
   * {@link call} for a client whose `wait` is synchronous (a native component
   * whose wait delivers the RM's VIRQs at once): the reply, without yielding
   * to the event loop. Throws {@link RmClientError} if `wait` returns a promise.
   */
  callSync(msgId: number, payload: Uint8Array = new Uint8Array(0)): RmReply {
    const steps = this.#begin(msgId, payload);
    try {
      for (;;) {
        const s = steps.next();
        if (s.done) return s.value;
        if (this.#o.wait() instanceof Promise) {
          throw new RmClientError("callSync needs a synchronous wait; use call");
        }
      }
    } finally {
      this.#end();
    }
  }

  /** Claim the client for one request; its steps yield where the caller must wait. */
  #begin(msgId: number, payload: Uint8Array): Generator<void, RmReply, void> {
    if (this.#busy) throw new RmClientError("one RM request at a time");
    if (msgId === 0) throw new RangeError("msg_id 0 is reserved");
    this.#busy = true;
    return this.#exchange(msgId, payload);
  }

  #end(): void {
    this.#want = null;
    this.#busy = false;
  }

  /** Send the request's fragments and collect the reply, yielding for each wait. */
  *#exchange(msgId: number, payload: Uint8Array): Generator<void, RmReply, void> {
    this.#seq = (this.#seq + 1) & 0xffff;
    const seq = this.#seq;
    this.#want = { seq, msgId };
    this.#reply = null;
    const msgs = fragment({ type: RpcType.REQUEST, seq, msgId, payload });
    let waits = 0;
    const counted = (why: string) => {
      if (++waits > (this.#o.maxWaits ?? 10000)) {
        throw new RmClientError(`no progress ${why} (msg 0x${msgId.toString(16)} seq ${seq})`);
      }
    };
    for (let i = 0; i < msgs.length;) {
      const r = this.sendRaw(msgs[i], i === msgs.length - 1);
      if (r === HypError.ERROR_MSGQUEUE_FULL) {
        this.poll();
        counted("sending: TX queue stays full");
        yield;
        continue;
      }
      if (r !== HypError.OK) {
        throw new RmClientError(`msgqueue_send failed with ${errorName(r)} (${r})`);
      }
      i++;
    }
    for (;;) {
      this.poll();
      const reply = this.#reply as RpcMessage | null;
      if (reply !== null) {
        if (reply.payload.length < 4) {
          throw new RmClientError(`reply of ${reply.payload.length} bytes has no error word`);
        }
        const v = new DataView(reply.payload.buffer, reply.payload.byteOffset, 4);
        return { error: v.getUint32(0, true), data: reply.payload.slice(4) };
      }
      counted("waiting for the reply");
      yield;
    }
  }

  /**
   * Send one raw message-queue message (for tests of malformed input);
   * returns the Gunyah error of msgqueue_send.
   */
  sendRaw(message: Uint8Array, push = true): number {
    const buf = this.#o.buffer;
    buf.bytes.set(message);
    const r = this.#o.port.call(
      Hypercall.MSGQUEUE_SEND,
      this.#o.txCap,
      BigInt(message.length),
      buf.address,
      push ? BigInt(MSGQUEUE_SEND_FLAG_PUSH) : 0n,
      0n,
    );
    return errorFromRegister(r[0]);
  }

  /** Drain the RX queue (what the RX VIRQ handler does): notifications out, the reply kept. */
  poll(): void {
    const buf = this.#o.buffer;
    for (;;) {
      const r = this.#o.port.call(
        Hypercall.MSGQUEUE_RECEIVE,
        this.#o.rxCap,
        buf.address,
        BigInt(RPC_MESSAGE_SIZE),
        0n,
      );
      const err = errorFromRegister(r[0]);
      if (err === HypError.ERROR_MSGQUEUE_EMPTY) return;
      if (err !== HypError.OK) {
        throw new RmClientError(`msgqueue_receive failed with ${errorName(err)} (${err})`);
      }
      const m = this.#reassembler.push(buf.bytes.slice(0, Number(r[1])));
      if (m) this.#accept(m);
      if (r[2] === 0n) return;
    }
  }

  #accept(m: RpcMessage): void {
    if (m.type === RpcType.NOTIFICATION) {
      this.#o.onNotification?.(m);
      return;
    }
    const w = this.#want;
    if (m.type !== RpcType.REPLY) {
      this.#drop(`message type ${m.type} from the RM is neither reply nor notification`);
    } else if (!w || m.seq !== w.seq || m.msgId !== w.msgId) {
      this.#drop(`reply seq ${m.seq} msg 0x${m.msgId.toString(16)} matches no request`);
    } else {
      this.#reply = m;
    }
  }

  #drop(reason: string): void {
    this.#o.onDrop?.(`RM client: ${reason}`);
  }
}
