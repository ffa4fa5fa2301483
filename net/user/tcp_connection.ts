/**
 * One TCP connection between a guest and the user-mode gateway, terminated
 * here (RFC 9293): the gateway plays the guest's peer and relays the byte
 * stream to a host socket (see tcp_nat.ts). A small state machine of our own
 * (the design note in docs/ARCHITECTURE.md "User-mode networking" says why):
 *
 * - handshake both ways (the guest connecting out: SYN → SYN-ACK once the
 *   host socket is connected; a port forward: the gateway sends the SYN);
 * - MSS option both ways (ours 1460, Ethernet MTU 1500 − 40), no window
 *   scaling, so the guest's window is at most 65535 bytes;
 * - flow control both ways: the guest's advertised window bounds what is in
 *   flight to it; our window is what the receive budget has free (bytes
 *   handed to the host socket and not yet written), so a slow host socket
 *   stops the guest, and the host socket is read only while the send budget
 *   has room, so a slow guest stops the host peer;
 * - retransmission on a timer with exponential backoff, fast retransmit
 *   after three duplicate ACKs, and a congestion window halved on loss (the
 *   guest's receive ring is the only place a frame is lost);
 * - in-order receive only: a segment beyond the next expected byte is dropped
 *   with a duplicate ACK (the guest retransmits);
 * - in-order data is acknowledged once per burst (the frames of one
 *   virtqueue notification: a microtask later), not per segment — each ACK
 *   costs the emulated guest an interrupt and a receive;
 * - FIN/RST both ways, and a short TIME-WAIT to re-ACK a repeated FIN.
 *
 * Timers run on the host's real clock (setTimeout): the other end of every
 * connection is a host socket, which lives in real time whatever the guest's
 * clock (`time: deterministic` governs the guest, not the host's sockets).
 *
 * @module
 */
import { ByteQueue } from "./byte_queue.ts";
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from "./wire.ts";

/** Our MSS: Ethernet MTU 1500 less the IPv4 and TCP headers (RFC 9293 §3.7.1). */
export const TCP_OUR_MSS = 1460;
/** The MSS assumed when the guest's SYN carries none (RFC 9293 §3.7.1). */
export const TCP_DEFAULT_MSS = 536;
/** Largest window without window scaling (RFC 7323 §2). */
export const TCP_MAX_WINDOW = 65535;
/** Bytes from the host not yet acknowledged by the guest, per connection. */
export const TCP_SEND_BUDGET = 256 * 1024;
/** Bytes from the guest not yet written to the host socket, per connection (our window). */
export const TCP_RECEIVE_BUDGET = TCP_MAX_WINDOW;
/** First retransmission timeout, ms (a virtual link: RFC 6298's 1 s floor is for the Internet). */
export const TCP_RTO_INITIAL_MS = 200;
/** Largest retransmission timeout, ms. */
export const TCP_RTO_MAX_MS = 4000;
/** Retransmissions of one segment before the connection is reset. */
export const TCP_MAX_RETRANSMITS = 10;
/** How long a closed connection re-ACKs a repeated FIN, ms. */
export const TCP_TIME_WAIT_MS = 2000;
/** Initial congestion window in segments (RFC 6928). */
export const TCP_INITIAL_CWND_SEGMENTS = 10;

/** Connection states (RFC 9293 §3.3.2). */
export type TcpState =
  | "SYN-SENT"
  | "SYN-RECEIVED"
  | "ESTABLISHED"
  | "FIN-WAIT-1"
  | "FIN-WAIT-2"
  | "CLOSE-WAIT"
  | "CLOSING"
  | "LAST-ACK"
  | "TIME-WAIT"
  | "CLOSED";

/** A TCP segment from the guest (checksum already verified). */
export interface TcpSegment {
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  /** The MSS option's value, or 0 when absent. */
  readonly mss: number;
  readonly payload: Uint8Array;
}

/** What the connection needs from the gateway and from its host side. */
export interface TcpConnectionHooks {
  /** Put one segment on the wire towards the guest; false when the guest could not take it. */
  transmit(
    flags: number,
    seq: number,
    ack: number,
    window: number,
    mss: number,
    payload: Uint8Array,
  ): boolean;
  /** The handshake completed. */
  established(): void;
  /** In-order bytes from the guest; call {@link TcpConnection.consumed} once written to the host. */
  data(bytes: Uint8Array): void;
  /** The guest will send no more (its FIN arrived, after all its data). */
  peerFinished(): void;
  /** Send-buffer room opened (the guest acknowledged data). */
  sendSpace(): void;
  /** The connection is gone (called once): "closed" (orderly, after TIME-WAIT), "reset" (an RST either way) or "timeout". */
  closed(reason: "closed" | "reset" | "timeout"): void;
}

/** Counters a connection adds to (shared by the gateway's connections). */
export interface TcpCounters {
  retransmits: number;
  /** Guest segments dropped for starting beyond the next expected byte or lying outside our window. */
  outOfOrder: number;
  resetsSent: number;
  resetsReceived: number;
}

/** `a < b` in sequence space (RFC 9293 §3.4). */
function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** One connection; see the module documentation. */
export class TcpConnection {
  state: TcpState;
  readonly #hooks: TcpConnectionHooks;
  readonly #counters: TcpCounters;
  // Send side (towards the guest).
  readonly #sendBuf = new ByteQueue();
  #iss: number;
  /** Oldest unacknowledged sequence number (the first byte of #sendBuf once SYN is acked). */
  #sndUna: number;
  /** Next sequence number to send. */
  #sndNxt: number;
  #sndWnd = 0;
  #cwnd: number;
  #mss = TCP_DEFAULT_MSS;
  #finQueued = false;
  #finSent = false;
  #dupAcks = 0;
  // Receive side (from the guest).
  #rcvNxt = 0;
  #rcvQueued = 0;
  #advertised = 0;
  /** An ACK is due (see #deferAck). */
  #ackOwed = false;
  // Timers.
  #timer: ReturnType<typeof setTimeout> | undefined;
  #rto = TCP_RTO_INITIAL_MS;
  #retries = 0;

  private constructor(hooks: TcpConnectionHooks, counters: TcpCounters, state: TcpState) {
    this.#hooks = hooks;
    this.#counters = counters;
    this.state = state;
    this.#iss = (Math.random() * 0x100000000) >>> 0;
    this.#sndUna = this.#iss;
    this.#sndNxt = this.#iss;
    this.#cwnd = TCP_INITIAL_CWND_SEGMENTS * TCP_OUR_MSS;
  }

  /**
   * A connection for the guest's SYN `syn`; call {@link accept} once the host
   * side is connected (or {@link refuse}).
   */
  static fromGuestSyn(
    syn: TcpSegment,
    hooks: TcpConnectionHooks,
    counters: TcpCounters,
  ): TcpConnection {
    const c = new TcpConnection(hooks, counters, "SYN-RECEIVED");
    c.#rcvNxt = (syn.seq + 1) >>> 0;
    c.#sndWnd = syn.window;
    if (syn.mss > 0) c.#mss = Math.min(syn.mss, TCP_OUR_MSS);
    return c;
  }

  /** A connection the gateway opens to the guest (a port forward): sends the SYN. */
  static connect(hooks: TcpConnectionHooks, counters: TcpCounters): TcpConnection {
    const c = new TcpConnection(hooks, counters, "SYN-SENT");
    c.#sndNxt = (c.#iss + 1) >>> 0;
    c.#sendSyn();
    c.#arm();
    return c;
  }

  /** Bytes the host side may still hand to {@link send}. */
  get sendSpace(): number {
    return Math.max(0, TCP_SEND_BUDGET - this.#sendBuf.length);
  }

  /** Bytes handed to the host side and not yet consumed. */
  get receiveQueued(): number {
    return this.#rcvQueued;
  }

  /** Answer the guest's SYN with our SYN-ACK (the host side connected). */
  accept(): void {
    if (this.state !== "SYN-RECEIVED") return;
    this.#sndNxt = (this.#iss + 1) >>> 0;
    this.#sendSyn();
    this.#arm();
  }

  /** Refuse the guest's SYN with an RST (the host side could not connect). */
  refuse(): void {
    this.#hooks.transmit(TCP_RST | TCP_ACK, 0, this.#rcvNxt, 0, 0, EMPTY);
    this.#counters.resetsSent++;
    this.#finish("reset");
  }

  /** Queue bytes from the host for the guest; returns how many were taken (the send budget). */
  send(bytes: Uint8Array): number {
    if (this.#finQueued || this.state === "CLOSED" || this.state === "TIME-WAIT") return 0;
    const n = Math.min(bytes.length, this.sendSpace);
    this.#sendBuf.push(n === bytes.length ? bytes : bytes.subarray(0, n));
    this.#output();
    return n;
  }

  /** The host side finished sending: a FIN follows the queued bytes. */
  finish(): void {
    if (this.#finQueued || this.state === "CLOSED") return;
    this.#finQueued = true;
    this.#output();
  }

  /** The host side failed: reset the connection towards the guest. */
  abort(): void {
    if (this.state === "CLOSED") return;
    if (this.state !== "TIME-WAIT") {
      this.#hooks.transmit(TCP_RST | TCP_ACK, this.#sndNxt, this.#rcvNxt, 0, 0, EMPTY);
      this.#counters.resetsSent++;
    }
    this.#finish("reset");
  }

  /** `n` bytes given to {@link TcpConnectionHooks.data} were written to the host: reopen the window. */
  consumed(n: number): void {
    this.#rcvQueued -= n;
    const win = this.#window();
    // Announce a reopened window once it has grown by two segments or half the budget.
    if (
      this.state !== "CLOSED" && win - this.#advertised >= Math.min(2 * this.#mss, win / 2)
    ) {
      this.#deferAck();
    }
  }

  /** Drop the connection without a word to the guest (the gateway is closing). */
  dispose(): void {
    this.#finish("closed", true);
  }

  /** Process one segment from the guest. */
  segment(seg: TcpSegment): void {
    const f = seg.flags;
    if (this.state === "CLOSED") return;
    if (this.state === "SYN-SENT") {
      if ((f & TCP_ACK) !== 0 && seg.ack !== this.#sndNxt) {
        if ((f & TCP_RST) === 0) this.#rst(seg.ack);
        return;
      }
      if ((f & TCP_RST) !== 0) {
        if ((f & TCP_ACK) !== 0) this.#reset();
        return;
      }
      if ((f & TCP_SYN) === 0) return;
      this.#rcvNxt = (seg.seq + 1) >>> 0;
      if (seg.mss > 0) this.#mss = Math.min(seg.mss, TCP_OUR_MSS);
      if ((f & TCP_ACK) === 0) return; // simultaneous open: not used by a port forward
      this.#sndUna = seg.ack;
      this.#sndWnd = seg.window;
      this.state = "ESTABLISHED";
      this.#disarm();
      this.#sendAck();
      this.#hooks.established();
      this.#output();
      return;
    }
    // RFC 9293 §3.10.7.4: check the sequence number (in-window, or a bare ACK at rcvNxt).
    const len = seg.payload.length + ((f & TCP_SYN) ? 1 : 0) + ((f & TCP_FIN) ? 1 : 0);
    const win = Math.max(this.#window(), 1);
    const inWindow = len === 0
      ? seqLe(this.#rcvNxt, seg.seq) && seqLt(seg.seq, (this.#rcvNxt + win) >>> 0) ||
        seg.seq === this.#rcvNxt
      : seqLt(seg.seq, (this.#rcvNxt + win) >>> 0) &&
        seqLt(this.#rcvNxt, (seg.seq + len) >>> 0);
    if ((f & TCP_RST) !== 0) {
      if (inWindow) {
        this.#counters.resetsReceived++;
        this.#reset();
      }
      return;
    }
    if (!inWindow) {
      // An old duplicate (e.g. a retransmitted FIN in TIME-WAIT) or beyond the window: re-ACK.
      if (len > 0 && seqLt(seg.seq, this.#rcvNxt)) this.#sendAck();
      else if (len > 0) this.#counters.outOfOrder++, this.#sendAck();
      return;
    }
    if ((f & TCP_SYN) !== 0) {
      // A SYN in the window: the guest lost state (RFC 9293 §3.10.7.4 "fourth"): reset.
      if (this.state === "SYN-RECEIVED" && seg.seq === (this.#rcvNxt - 1) >>> 0) {
        this.#sendSyn(); // the guest retransmitted its SYN: our SYN-ACK was lost
        return;
      }
      this.abort();
      return;
    }
    if ((f & TCP_ACK) === 0) return;
    if (this.state === "SYN-RECEIVED") {
      if (!(seqLt(this.#sndUna, seg.ack) && seqLe(seg.ack, this.#sndNxt))) {
        this.#rst(seg.ack);
        return;
      }
      this.#sndUna = seg.ack;
      this.#sndWnd = seg.window;
      this.state = "ESTABLISHED";
      this.#disarm();
      this.#hooks.established();
    }
    this.#processAck(seg);
    const after = this.state as TcpState; // #processAck may have closed the connection
    if (after === "CLOSED" || after === "TIME-WAIT") {
      if (after === "TIME-WAIT" && (f & TCP_FIN) !== 0) this.#sendAck();
      return;
    }
    // Data, trimmed of what we already have; in order only.
    let data = seg.payload;
    let fin = (f & TCP_FIN) !== 0;
    if (seg.seq !== this.#rcvNxt) {
      const skip = (this.#rcvNxt - seg.seq) | 0;
      if (skip < 0) {
        this.#counters.outOfOrder++;
        this.#sendAck(); // a duplicate ACK: the guest retransmits the gap
        return;
      }
      data = data.subarray(Math.min(skip, data.length));
    }
    const room = this.#window();
    if (data.length > room) {
      data = data.subarray(0, room);
      fin = false;
    }
    const receiving = this.state === "ESTABLISHED" || this.state === "FIN-WAIT-1" ||
      this.state === "FIN-WAIT-2";
    if (!receiving) data = EMPTY;
    if (data.length > 0) {
      this.#rcvNxt = (this.#rcvNxt + data.length) >>> 0;
      this.#rcvQueued += data.length;
      this.#hooks.data(data);
    }
    if (fin && receiving) {
      this.#rcvNxt = (this.#rcvNxt + 1) >>> 0;
      if (this.state === "ESTABLISHED") this.state = "CLOSE-WAIT";
      else if (this.state === "FIN-WAIT-1") this.state = "CLOSING";
      else this.#timeWait();
      this.#sendAck();
      this.#hooks.peerFinished();
      return;
    }
    if (data.length > 0 || len > 0) this.#deferAck();
    this.#output();
  }

  #processAck(seg: TcpSegment): void {
    const ack = seg.ack;
    if (seqLt(this.#sndNxt, ack)) {
      this.#sendAck(); // acknowledges something never sent
      return;
    }
    const windowChanged = seg.window !== this.#sndWnd;
    this.#sndWnd = seg.window;
    if (seqLt(this.#sndUna, ack)) {
      let acked = (ack - this.#sndUna) >>> 0;
      const finAcked = this.#finSent && ack === this.#sndNxt;
      if (finAcked) acked--;
      this.#sendBuf.drop(Math.min(acked, this.#sendBuf.length));
      this.#sndUna = ack;
      this.#dupAcks = 0;
      this.#retries = 0;
      this.#rto = TCP_RTO_INITIAL_MS;
      this.#cwnd = Math.min(this.#cwnd + this.#mss, TCP_SEND_BUDGET);
      this.#disarm();
      if (this.#sndUna !== this.#sndNxt) this.#arm();
      if (finAcked) {
        if (this.state === "FIN-WAIT-1") this.state = "FIN-WAIT-2";
        else if (this.state === "CLOSING") this.#timeWait();
        else if (this.state === "LAST-ACK") {
          this.#finish("closed");
          return;
        }
      }
      if (acked > 0) this.#hooks.sendSpace();
    } else if (
      ack === this.#sndUna && seg.payload.length === 0 && !windowChanged &&
      this.#sndUna !== this.#sndNxt && (seg.flags & TCP_FIN) === 0
    ) {
      if (++this.#dupAcks === 3) {
        this.#counters.retransmits++;
        this.#cwnd = Math.max(this.#cwnd >>> 1, 2 * this.#mss);
        this.#sndNxt = this.#sndUna;
        this.#finSent = false;
      }
    }
    this.#output();
  }

  /** Send what the windows allow: data, then the FIN once all data is out. */
  #output(): void {
    if (
      this.state !== "ESTABLISHED" && this.state !== "CLOSE-WAIT" &&
      this.state !== "FIN-WAIT-1" && this.state !== "LAST-ACK" && this.state !== "CLOSING"
    ) return;
    for (;;) {
      const inFlight = (this.#sndNxt - this.#sndUna) >>> 0;
      const offset = inFlight - (this.#finSent ? 1 : 0);
      const unsent = this.#sendBuf.length - offset;
      const allowed = Math.min(this.#sndWnd, this.#cwnd) - inFlight;
      if (unsent > 0 && allowed > 0) {
        const n = Math.min(unsent, allowed, this.#mss);
        const payload = new Uint8Array(n);
        this.#sendBuf.copyOut(offset, n, payload, 0);
        const last = n === unsent;
        const fin = last && this.#finQueued;
        const flags = TCP_ACK | (last ? TCP_PSH : 0) | (fin ? TCP_FIN : 0);
        const ok = this.#transmit(flags, this.#sndNxt, payload);
        this.#sndNxt = (this.#sndNxt + n + (fin ? 1 : 0)) >>> 0;
        if (fin) this.#sentFin();
        this.#arm();
        if (!ok) {
          this.#cwnd = Math.max(this.#cwnd >>> 1, 2 * this.#mss);
          return; // the guest's ring is full: the timer (or its next ACK) resends
        }
        continue;
      }
      if (unsent === 0 && this.#finQueued && !this.#finSent) {
        this.#transmit(TCP_ACK | TCP_FIN, this.#sndNxt, EMPTY);
        this.#sndNxt = (this.#sndNxt + 1) >>> 0;
        this.#sentFin();
        this.#arm();
      }
      return;
    }
  }

  #sentFin(): void {
    this.#finSent = true;
    if (this.state === "ESTABLISHED") this.state = "FIN-WAIT-1";
    else if (this.state === "CLOSE-WAIT") this.state = "LAST-ACK";
  }

  #window(): number {
    return Math.max(0, Math.min(TCP_RECEIVE_BUDGET - this.#rcvQueued, TCP_MAX_WINDOW));
  }

  #transmit(flags: number, seq: number, payload: Uint8Array): boolean {
    const win = this.#window();
    this.#advertised = win;
    this.#ackOwed = false; // every segment we send acknowledges all received
    return this.#hooks.transmit(flags, seq, this.#rcvNxt, win, 0, payload);
  }

  /**
   * Acknowledge once the current burst of frames is processed (a microtask):
   * the segments of one virtqueue kick share one ACK, and data or a window
   * update sent meanwhile carries it.
   */
  #deferAck(): void {
    if (this.#ackOwed) return;
    this.#ackOwed = true;
    queueMicrotask(() => {
      if (this.#ackOwed && this.state !== "CLOSED") this.#sendAck();
    });
  }

  #sendAck(): void {
    this.#transmit(TCP_ACK, this.#sndNxt, EMPTY);
  }

  #sendSyn(): void {
    const win = this.#window();
    this.#advertised = win;
    const synAck = this.state === "SYN-RECEIVED";
    this.#hooks.transmit(
      synAck ? TCP_SYN | TCP_ACK : TCP_SYN,
      this.#iss,
      synAck ? this.#rcvNxt : 0,
      win,
      TCP_OUR_MSS,
      EMPTY,
    );
  }

  #rst(seq: number): void {
    this.#hooks.transmit(TCP_RST, seq, 0, 0, 0, EMPTY);
    this.#counters.resetsSent++;
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.#timeout(), this.#rto);
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #timeout(): void {
    this.#timer = undefined;
    if (this.state === "TIME-WAIT") {
      this.#finish("closed");
      return;
    }
    if (++this.#retries > TCP_MAX_RETRANSMITS) {
      this.#hooks.transmit(TCP_RST | TCP_ACK, this.#sndNxt, this.#rcvNxt, 0, 0, EMPTY);
      this.#counters.resetsSent++;
      this.#finish("timeout");
      return;
    }
    this.#counters.retransmits++;
    this.#rto = Math.min(this.#rto * 2, TCP_RTO_MAX_MS);
    if (this.state === "SYN-SENT" || this.state === "SYN-RECEIVED") {
      this.#sendSyn();
      this.#arm();
      return;
    }
    this.#cwnd = 2 * this.#mss;
    // Go back to the oldest unacknowledged byte; with a zero window, probe with one byte.
    this.#sndNxt = this.#sndUna;
    this.#finSent = false;
    if (this.#sndWnd === 0 && this.#sendBuf.length > 0) {
      const probe = new Uint8Array(1);
      this.#sendBuf.copyOut(0, 1, probe, 0);
      this.#transmit(TCP_ACK, this.#sndUna, probe);
      this.#sndNxt = (this.#sndUna + 1) >>> 0;
      this.#arm();
      return;
    }
    if (this.state === "FIN-WAIT-2") return;
    this.#restoreStateForResend();
    this.#output();
    if (this.#sndUna !== this.#sndNxt) this.#arm();
  }

  /** After going back to sndUna, a sent FIN is unsent again: step the state back so #output resends it. */
  #restoreStateForResend(): void {
    if (this.state === "FIN-WAIT-1") this.state = "ESTABLISHED";
    else if (this.state === "LAST-ACK") this.state = "CLOSE-WAIT";
    else if (this.state === "CLOSING") this.state = "CLOSE-WAIT"; // our FIN pending again
  }

  #timeWait(): void {
    this.state = "TIME-WAIT";
    this.#disarm();
    this.#timer = setTimeout(() => this.#timeout(), TCP_TIME_WAIT_MS);
  }

  #reset(): void {
    this.#finish("reset");
  }

  #finish(reason: "closed" | "reset" | "timeout", silent = false): void {
    if (this.state === "CLOSED") return;
    this.state = "CLOSED";
    this.#disarm();
    this.#sendBuf.clear();
    if (!silent) this.#hooks.closed(reason);
  }
}

const EMPTY = new Uint8Array(0);
