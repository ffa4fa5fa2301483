/**
 * The virtio network device backend (virtio 1.2 §5.1) with one queue pair:
 * queue 0 is receiveq1 (frames to the guest), queue 1 transmitq1 (frames
 * from the guest). Its link is an {@link EthernetEndpoint} pair: the device
 * takes frames from its segment through its own `receive`, and sends the
 * guest's frames to the segment's endpoint.
 *
 * Features offered: VIRTIO_NET_F_MAC (configuration `mac`),
 * VIRTIO_NET_F_STATUS (link up, always), VIRTIO_NET_F_MRG_RXBUF (a frame may
 * span several receive buffers; `num_buffers` says how many), and the
 * transport's VIRTIO_F_VERSION_1. No checksum or segmentation offload: the
 * guest completes checksums itself, so every frame that leaves is complete
 * for any port.
 *
 * Every frame carries a 12-byte `struct virtio_net_hdr` first (flags u8,
 * gso_type u8, hdr_len u16, gso_size u16, csum_start u16, csum_offset u16,
 * num_buffers u16; §5.1.6: with VERSION_1 the header always includes
 * num_buffers).
 *
 * Bounds and malformed input (issue 12 style, as virtio-console):
 * - frames for the guest wait in a host-side queue of at most
 *   {@link NET_RX_BACKLOG_FRAMES} while the guest offers no receive buffers;
 *   beyond it they are refused and counted (`rxDropsBacklog`), as are frames
 *   that arrive while the driver is not running (`rxDropsNotReady`);
 * - a transmit chain shorter than the header, or with a frame longer than
 *   {@link ETHERNET_MAX_FRAME_BYTES}, is returned unread and counted
 *   (`txDropsMalformed`, `txDropsOversize`): nothing larger than one frame
 *   is ever copied, however the descriptors alias;
 * - a header asking for offloads that were not negotiated is a counted drop;
 * - a device-writable descriptor in a transmit chain, a device-readable one in
 *   a receive chain, or a mergeable receive buffer shorter than the header is
 *   malformed: DEVICE_NEEDS_RESET (the transport's VirtioError path).
 *
 * @module
 */
import { ETHERNET_MAX_FRAME_BYTES, type EthernetEndpoint } from "@gunyah-ts/core/plugin";
import {
  VIRTIO_ID_NET,
  type VirtioActivation,
  type VirtioBackend,
  VirtioError,
} from "@gunyah-ts/virtio-mmio";

/** receiveq1 (§5.1.2). */
export const NET_RECEIVEQ = 0;
/** transmitq1 (§5.1.2). */
export const NET_TRANSMITQ = 1;
/** QueueNumMax of both queues (Linux allocates what the device offers, up to its own limits). */
export const NET_QUEUE_SIZE = 256;

/** VIRTIO_NET_F_CSUM (§5.1.3): the device handles partial checksums (not offered). */
export const VIRTIO_NET_F_CSUM = 0;
/** VIRTIO_NET_F_GUEST_CSUM (§5.1.3): the driver handles partial checksums (not offered). */
export const VIRTIO_NET_F_GUEST_CSUM = 1;
/** VIRTIO_NET_F_MAC (§5.1.3): the device has a MAC address in its configuration. */
export const VIRTIO_NET_F_MAC = 5;
/** VIRTIO_NET_F_MRG_RXBUF (§5.1.3): the driver can merge receive buffers. */
export const VIRTIO_NET_F_MRG_RXBUF = 15;
/** VIRTIO_NET_F_STATUS (§5.1.3): the configuration's status field is valid. */
export const VIRTIO_NET_F_STATUS = 16;
/** VIRTIO_NET_S_LINK_UP (§5.1.4): bit 0 of the configuration's status. */
export const VIRTIO_NET_S_LINK_UP = 1;
/** VIRTIO_NET_HDR_F_NEEDS_CSUM (§5.1.6): bit 0 of the header's flags. */
export const VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
/** VIRTIO_NET_HDR_GSO_NONE (§5.1.6): the header's gso_type for an unsegmented frame. */
export const VIRTIO_NET_HDR_GSO_NONE = 0;
/** Bytes of `struct virtio_net_hdr` with VIRTIO_F_VERSION_1 (§5.1.6). */
export const VIRTIO_NET_HDR_BYTES = 12;
/** Offset of num_buffers in the header (§5.1.6). */
export const VIRTIO_NET_HDR_NUM_BUFFERS = 10;
/**
 * Bytes of configuration: mac[6] and status u16 (§5.1.4); the fields after
 * them exist only with VIRTIO_NET_F_MQ / _MTU, which are not offered.
 */
export const NET_CONFIG_SIZE = 8;

/** Most frames waiting for the guest's receive buffers; more are refused and counted. */
export const NET_RX_BACKLOG_FRAMES = 256;
/** Most frames one transmit notification forwards; the rest of the ring waits for the next round. */
export const NET_TX_NOTIFY_FRAMES = 256;

/** Counters of a virtio-net device (the dashboard shows them). */
export interface NetCounters {
  /** Frames delivered to the guest. */
  rxFrames: number;
  /** Bytes of those frames (without the virtio-net header). */
  rxBytes: number;
  /** Frames from the guest the segment took. */
  txFrames: number;
  /** Bytes of those frames (without the virtio-net header). */
  txBytes: number;
  /** Frames for the guest that arrived while its driver was not running. */
  rxDropsNotReady: number;
  /** Frames for the guest refused because {@link NET_RX_BACKLOG_FRAMES} were waiting. */
  rxDropsBacklog: number;
  /** Frames for the guest dropped because a (non-mergeable) receive buffer could not hold them. */
  rxDropsBufferTooSmall: number;
  /** Frames for the guest that were not Ethernet frames (length out of 14..1518). */
  rxDropsInvalid: number;
  /** Transmit chains shorter than the header, or whose header asked for what was not negotiated. */
  txDropsMalformed: number;
  /** Transmit chains whose frame is longer than {@link ETHERNET_MAX_FRAME_BYTES}. */
  txDropsOversize: number;
  /** Frames the segment refused (its port counts why). */
  txDropsLink: number;
  /** Malformed rings met (each set DEVICE_NEEDS_RESET). */
  needsReset: number;
}

function zeroCounters(): NetCounters {
  return {
    rxFrames: 0,
    rxBytes: 0,
    txFrames: 0,
    txBytes: 0,
    rxDropsNotReady: 0,
    rxDropsBacklog: 0,
    rxDropsBufferTooSmall: 0,
    rxDropsInvalid: 0,
    txDropsMalformed: 0,
    txDropsOversize: 0,
    txDropsLink: 0,
    needsReset: 0,
  };
}

/** Feature bit `bit` (0..31) as a mask of feature word 0. */
function bit(b: number): number {
  return (1 << b) >>> 0;
}

/** The network backend; see the module documentation. */
export class VirtioNetBackend implements VirtioBackend, EthernetEndpoint {
  readonly deviceId: number = VIRTIO_ID_NET;
  readonly featuresLo: number = (bit(VIRTIO_NET_F_MAC) | bit(VIRTIO_NET_F_MRG_RXBUF) |
    bit(VIRTIO_NET_F_STATUS)) >>> 0;
  readonly featuresHi = 0;
  readonly queueMaxSizes = [NET_QUEUE_SIZE, NET_QUEUE_SIZE];
  readonly configSize: number = NET_CONFIG_SIZE;
  /** The counters. */
  readonly counters: NetCounters = zeroCounters();
  /** Where the guest's frames go (the segment's side of the link), once connected. */
  uplink: EthernetEndpoint | null = null;

  readonly #config = new Uint8Array(NET_CONFIG_SIZE);
  #active: VirtioActivation | null = null;
  /** The ring met was malformed (DEVICE_NEEDS_RESET): nothing more until a reset. */
  #broken = false;
  #mergeable = false;
  readonly #backlog: Uint8Array[] = [];
  #delivering = false;
  /** One frame with its header, as it goes to or comes from the guest. */
  readonly #txScratch = new Uint8Array(VIRTIO_NET_HDR_BYTES + ETHERNET_MAX_FRAME_BYTES);
  readonly #rxScratch = new Uint8Array(VIRTIO_NET_HDR_BYTES + ETHERNET_MAX_FRAME_BYTES);
  /** Heads and lengths of the receive chains one merged frame takes. */
  readonly #rxHeads = new Uint32Array(NET_QUEUE_SIZE);
  readonly #rxLens = new Uint32Array(NET_QUEUE_SIZE);
  readonly #one = new Uint8Array(1);

  /** A device with MAC address `mac` (six bytes). */
  constructor(readonly mac: Uint8Array) {
    if (mac.length !== 6) throw new RangeError("virtio-net: a MAC address is six bytes");
    this.#config.set(mac, 0);
    this.#config[6] = VIRTIO_NET_S_LINK_UP;
  }

  readConfig(offset: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const at = offset + i;
      v = v * 256 + (at < NET_CONFIG_SIZE ? this.#config[at] : 0);
    }
    return v >>> 0;
  }

  /** The MAC is read-only here (VIRTIO_NET_F_CTRL_MAC_ADDR is not offered): writes are ignored. */
  writeConfig(): void {}

  activate(activation: VirtioActivation): void {
    this.#active = activation;
    this.#broken = false;
    this.#mergeable = (activation.featuresLo & bit(VIRTIO_NET_F_MRG_RXBUF)) !== 0;
  }

  reset(): void {
    this.#active = null;
    this.#backlog.length = 0;
  }

  /** Frames waiting for receive buffers. */
  get backlog(): number {
    return this.#backlog.length;
  }

  notify(index: number): void {
    try {
      if (index === NET_TRANSMITQ) this.#transmit();
      else if (index === NET_RECEIVEQ) this.#deliver();
    } catch (e) {
      if (e instanceof VirtioError) this.#markBroken();
      throw e;
    }
  }

  #markBroken(): void {
    this.#broken = true;
    this.counters.needsReset++;
    this.#backlog.length = 0;
  }

  #transmit(): void {
    const a = this.#active;
    if (a === null || this.#broken) return;
    const q = a.queues[NET_TRANSMITQ];
    const c = this.counters;
    let served = 0;
    for (let chain = q.pop(a.memory); chain !== null; chain = q.pop(a.memory)) {
      if (chain.count !== chain.readableCount) {
        throw new VirtioError(
          `transmit chain from descriptor ${chain.head} has device-writable buffers`,
        );
      }
      const len = chain.readableLength;
      if (len < VIRTIO_NET_HDR_BYTES) c.txDropsMalformed++;
      else if (len > this.#txScratch.length) c.txDropsOversize++;
      else {
        const data = this.#txScratch.subarray(0, len);
        chain.readInto(a.memory, data);
        // No offload was negotiated: a header asking for one is not a frame we can send as is.
        if (
          (data[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM) !== 0 || data[1] !== VIRTIO_NET_HDR_GSO_NONE
        ) c.txDropsMalformed++;
        else this.#send(data.subarray(VIRTIO_NET_HDR_BYTES));
      }
      q.pushUsed(a.memory, chain.head, 0);
      if (++served >= NET_TX_NOTIFY_FRAMES) {
        a.continueLater(NET_TRANSMITQ);
        break;
      }
    }
    if (served > 0) a.signalUsed();
  }

  #send(frame: Uint8Array): void {
    const c = this.counters;
    if (this.uplink !== null && this.uplink.receive(frame)) {
      c.txFrames++;
      c.txBytes += frame.length;
    } else c.txDropsLink++;
  }

  /** A frame from the segment for the guest (copied); false when it was dropped (counted). */
  receive(frame: Uint8Array): boolean {
    const c = this.counters;
    if (frame.length < 14 || frame.length > ETHERNET_MAX_FRAME_BYTES) {
      c.rxDropsInvalid++;
      return false;
    }
    if (this.#active === null || this.#broken) {
      c.rxDropsNotReady++;
      return false;
    }
    if (this.#backlog.length >= NET_RX_BACKLOG_FRAMES) {
      c.rxDropsBacklog++;
      return false;
    }
    this.#backlog.push(frame.slice());
    this.#deliver();
    return true;
  }

  #deliver(): void {
    const a = this.#active;
    if (a === null || this.#broken || this.#delivering || this.#backlog.length === 0) return;
    this.#delivering = true;
    let served = false;
    try {
      while (this.#backlog.length > 0) {
        const r = this.#deliverOne(a, this.#backlog[0]);
        if (r === "wait") break;
        this.#backlog.shift();
        served = true;
      }
    } catch (e) {
      // Frames arrive outside any MMIO access, so report a malformed ring here.
      if (!(e instanceof VirtioError)) throw e;
      this.#markBroken();
      a.needsReset(e.message);
    } finally {
      this.#delivering = false;
    }
    if (served) a.signalUsed();
  }

  /**
   * Put one frame into receive buffers: "done" (delivered, or dropped and
   * counted with its buffer returned), or "wait" when the guest has not
   * offered enough buffers yet (none is consumed then).
   */
  #deliverOne(a: VirtioActivation, frame: Uint8Array): "done" | "wait" {
    const q = a.queues[NET_RECEIVEQ];
    const mem = a.memory;
    const c = this.counters;
    const total = VIRTIO_NET_HDR_BYTES + frame.length;
    const start = q.lastAvailIdx;
    const data = this.#rxScratch.subarray(0, total);
    data.fill(0, 0, VIRTIO_NET_HDR_BYTES);
    data.set(frame, VIRTIO_NET_HDR_BYTES);
    // num_buffers (little-endian u16): 1 unless the frame spans several buffers (set below).
    data[VIRTIO_NET_HDR_NUM_BUFFERS] = 1;
    let chain = q.pop(mem);
    if (chain === null) return "wait";
    if (chain.readableCount !== 0) {
      throw new VirtioError(
        `receive chain from descriptor ${chain.head} has device-readable buffers`,
      );
    }
    if (!this.#mergeable) {
      if (chain.writableLength < total) {
        c.rxDropsBufferTooSmall++;
        q.pushUsed(mem, chain.head, 0);
        return "done";
      }
      chain.writeFrom(mem, data);
      q.pushUsed(mem, chain.head, total);
      this.#counted(frame);
      return "done";
    }
    if (chain.writableLength < VIRTIO_NET_HDR_BYTES) {
      throw new VirtioError(
        `receive buffer of ${chain.writableLength} bytes is shorter than the header (12)`,
      );
    }
    // Where num_buffers lies in the first buffer, to patch it once the count is known.
    const nbLo = this.#writableAddress(chain, VIRTIO_NET_HDR_NUM_BUFFERS);
    const nbHi = this.#writableAddress(chain, VIRTIO_NET_HDR_NUM_BUFFERS + 1);
    let written = 0;
    let n = 0;
    for (;;) {
      const take = Math.min(chain.writableLength, total - written);
      if (take === 0) {
        throw new VirtioError(`receive buffer from descriptor ${chain.head} holds 0 bytes`);
      }
      chain.writeFrom(mem, data.subarray(written, written + take));
      this.#rxHeads[n] = chain.head;
      this.#rxLens[n] = take;
      n++;
      written += take;
      if (written === total) break;
      chain = q.pop(mem);
      if (chain === null) {
        // Not enough buffers yet: give back the ones taken (nothing was published).
        q.lastAvailIdx = start;
        return "wait";
      }
      if (chain.readableCount !== 0) {
        throw new VirtioError(
          `receive chain from descriptor ${chain.head} has device-readable buffers`,
        );
      }
    }
    if (n > 1) {
      this.#one[0] = n & 0xff;
      mem.write(nbLo, this.#one);
      this.#one[0] = n >>> 8;
      mem.write(nbHi, this.#one);
    }
    for (let i = 0; i < n; i++) q.pushUsed(mem, this.#rxHeads[i], this.#rxLens[i]);
    this.#counted(frame);
    return "done";
  }

  #counted(frame: Uint8Array): void {
    this.counters.rxFrames++;
    this.counters.rxBytes += frame.length;
  }

  /** The guest address of writable byte `offset` of `chain`. */
  #writableAddress(
    chain: { readableCount: number; count: number; addr: Float64Array; len: Uint32Array },
    offset: number,
  ): number {
    let skip = offset;
    for (let i = chain.readableCount; i < chain.count; i++) {
      if (skip < chain.len[i]) return chain.addr[i] + skip;
      skip -= chain.len[i];
    }
    throw new VirtioError(`receive buffer has no byte ${offset}`);
  }

  describe(): Record<string, string | number | boolean> {
    const m = [...this.mac].map((b) => b.toString(16).padStart(2, "0")).join(":");
    return {
      device: "virtio-net",
      mac: m,
      link: this.uplink !== null,
      mergeable: this.#mergeable,
      rxBacklog: this.#backlog.length,
      ...this.counters,
    };
  }
}
