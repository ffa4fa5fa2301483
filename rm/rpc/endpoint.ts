/**
 * The RM's end of one client's RPC channel: a pair of message queues used
 * through hypercalls only (gunyah-abi.md §4.1, §5.1).
 *
 * - Receiving: when the VIRQ of the client→RM queue fires the endpoint loops
 *   `msgqueue_receive` until `not_empty` is false (or the queue reports
 *   EMPTY), feeds every message to a {@link Reassembler}, and hands each
 *   complete REQUEST to the dispatcher. Anything else a client sends (replies,
 *   notifications, broken fragments) is dropped with a reason.
 * - Sending: replies and notifications are split into ≤ 240-byte messages and
 *   queued; the endpoint sends while the RM→client queue reports `not_full`
 *   and, on ERROR_MSGQUEUE_FULL, keeps the rest until the queue's not-full
 *   VIRQ fires, as the RM does. The hypervisor's queue depth (8) therefore
 *   bounds the messages in flight. The RM sends without PUSH, relying on the
 *   not-empty threshold of 1 (RM `rm-rpc-msgqueue.c`).
 *
 * The outbox is bounded per client (issue 12): a VM that sends requests and
 * never reads the replies would otherwise grow the RM's memory without end.
 * Once {@link RPC_OUTBOX_LIMIT} messages wait, the endpoint stops reading
 * that VM's requests (its client→RM queue fills and its sends get
 * MSGQUEUE_FULL), says so once, and resumes when the VM has drained half;
 * other VMs' channels are not affected.
 *
 * @module
 */
import { errorFromRegister, errorName, Hypercall, HypError } from "@gunyah-ts/core/abi";
import type { HypercallPort } from "@gunyah-ts/core/plugin";
import { fragment, Reassembler, type RpcMessage } from "./fragment.ts";
import { RPC_MESSAGE_SIZE, RpcType } from "./header.ts";
import type { RmPrivateMemory } from "./private_memory.ts";

/**
 * Messages (≤ 240-byte fragments) an endpoint keeps for a client that does not
 * read them before it stops serving that client's requests: 64 × 240 bytes
 * = 15 KiB per VM at most, plus the fragments of the one reply in progress.
 */
export const RPC_OUTBOX_LIMIT = 64;

/** The RM's caps (in its own cspace) for one client's queue pair. */
export interface RpcEndpointCaps {
  /** Client → RM queue; the RM holds RECEIVE. */
  readonly rxQueue: bigint;
  /** RM → client queue; the RM holds SEND. */
  readonly txQueue: bigint;
}

/** Receives complete requests from an endpoint. */
export type RpcDispatch = (endpoint: RpcEndpoint, request: RpcMessage) => void;

/** One client's RPC channel, RM side. */
export class RpcEndpoint {
  /** VMID of the client VM at the other end. */
  readonly peerVmid: number;
  /** The RM's caps for the channel's two queues. */
  readonly caps: RpcEndpointCaps;
  readonly #port: HypercallPort;
  readonly #memory: RmPrivateMemory;
  readonly #dispatch: RpcDispatch;
  readonly #onDrop: (reason: string) => void;
  readonly #reassembler: Reassembler;
  /** Messages waiting for room in the RM→client queue, oldest first. */
  readonly #outbox: Uint8Array[] = [];
  /** Whether the last send left room (cleared by FULL, set by the not-full VIRQ). */
  #txReady = true;
  #dropped = 0;
  /** Whether requests are not read because the client does not drain its replies. */
  #paused = false;
  /** Times serving was paused for that reason. */
  pauses = 0;

  /**
   * The RM's end of the channel to VM `peerVmid`.
   *
   * @param port the RM's hypercall port
   * @param memory the RM's message buffers
   * @param peerVmid the client VM
   * @param caps the RM's caps for the two queues
   * @param dispatch receives every complete request
   * @param onDrop told why a message was dropped
   */
  constructor(
    port: HypercallPort,
    memory: RmPrivateMemory,
    peerVmid: number,
    caps: RpcEndpointCaps,
    dispatch: RpcDispatch,
    onDrop: (reason: string) => void = () => {},
  ) {
    this.#port = port;
    this.#memory = memory;
    this.peerVmid = peerVmid;
    this.caps = caps;
    this.#dispatch = dispatch;
    this.#onDrop = onDrop;
    this.#reassembler = new Reassembler((why) => this.#drop(why));
  }

  /** Messages dropped so far (malformed, mismatched, or not a request). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Messages waiting for room in the RM→client queue. */
  get pending(): number {
    return this.#outbox.length;
  }

  /** Whether the endpoint stopped reading requests because its replies are not read. */
  get paused(): boolean {
    return this.#paused;
  }

  /** The client→RM queue's not-empty VIRQ fired: drain the queue. */
  onRxVirq(): void {
    const buf = this.#memory.rx;
    for (;;) {
      if (this.#outbox.length >= RPC_OUTBOX_LIMIT) {
        if (!this.#paused) {
          this.#paused = true;
          this.pauses++;
          this.#onDrop(
            `RM RPC to VM 0x${this.peerVmid.toString(16)}: ${this.#outbox.length} reply ` +
              "messages wait unread; the RM stops serving this VM's requests until it drains them",
          );
        }
        return;
      }
      const r = this.#port.call(
        Hypercall.MSGQUEUE_RECEIVE,
        this.caps.rxQueue,
        this.#memory.rxAddress,
        BigInt(RPC_MESSAGE_SIZE),
        0n,
      );
      const err = errorFromRegister(r[0]);
      if (err === HypError.ERROR_MSGQUEUE_EMPTY) return;
      if (err !== HypError.OK) {
        this.#drop(`msgqueue_receive failed with ${errorName(err)} (${err})`);
        return;
      }
      const size = Number(r[1]);
      const msg = this.#reassembler.push(buf.slice(0, size));
      if (msg !== null) {
        if (msg.type === RpcType.REQUEST) this.#dispatch(this, msg);
        else {this.#drop(
            `message type ${msg.type} (msg 0x${msg.msgId.toString(16)}) is not a request`,
          );}
      }
      if (r[2] === 0n) return;
    }
  }

  /** The RM→client queue's not-full VIRQ fired: send what waits. */
  onTxVirq(): void {
    this.#txReady = true;
    this.#flush();
    if (this.#paused && this.#outbox.length <= RPC_OUTBOX_LIMIT / 2) {
      this.#paused = false;
      // Requests that arrived while paused raised no new VIRQ: read them now.
      this.onRxVirq();
    }
  }

  /** Send a REPLY: `error` word first, then `data` (gunyah-abi.md §5.1 "Replies"). */
  reply(seq: number, msgId: number, error: number, data: Uint8Array = EMPTY): void {
    const payload = new Uint8Array(4 + data.length);
    new DataView(payload.buffer).setUint32(0, error >>> 0, true);
    payload.set(data, 4);
    this.send({ type: RpcType.REPLY, seq, msgId, payload });
  }

  /** Send any complete RPC message (fragmented as needed). */
  send(message: RpcMessage): void {
    for (const m of fragment(message)) this.#outbox.push(m);
    this.#flush();
  }

  #flush(): void {
    const buf = this.#memory.tx;
    while (this.#txReady && this.#outbox.length > 0) {
      const m = this.#outbox[0];
      buf.set(m);
      const r = this.#port.call(
        Hypercall.MSGQUEUE_SEND,
        this.caps.txQueue,
        BigInt(m.length),
        this.#memory.txAddress,
        0n,
        0n,
      );
      const err = errorFromRegister(r[0]);
      if (err === HypError.ERROR_MSGQUEUE_FULL) {
        this.#txReady = false;
        return;
      }
      this.#outbox.shift();
      if (err !== HypError.OK) {
        this.#drop(`msgqueue_send failed with ${errorName(err)} (${err}); message discarded`);
        continue;
      }
      this.#txReady = r[1] !== 0n;
    }
  }

  #drop(reason: string): void {
    this.#dropped++;
    this.#onDrop(`RM RPC from VM 0x${this.peerVmid.toString(16)}: ${reason}`);
  }
}

const EMPTY = new Uint8Array(0);
