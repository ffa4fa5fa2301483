/**
 * The virtio console backend (virtio 1.2 §5.3) with one port and no
 * features: queue 0 is receiveq (host to guest), queue 1 transmitq (guest to
 * host). Guest output goes to a sink; host input waits in a buffer until the
 * driver offers receive buffers, then fills them in order.
 *
 * Configuration (cols, rows, max_nr_ports, emerg_wr; 12 bytes) reads zero:
 * its fields are valid only with VIRTIO_CONSOLE_F_SIZE / _MULTIPORT /
 * _EMERG_WRITE, none of which is offered.
 *
 * @module
 */
import {
  VIRTIO_ID_CONSOLE,
  type VirtioActivation,
  type VirtioBackend,
  VirtioError,
} from "@gunyah-ts/virtio-mmio";

/** receiveq0 (§5.3.2). */
export const CONSOLE_RECEIVEQ = 0;
/** transmitq0 (§5.3.2). */
export const CONSOLE_TRANSMITQ = 1;
/** QueueNumMax of both queues. */
export const CONSOLE_QUEUE_SIZE = 128;
/** `struct virtio_console_config`: cols u16, rows u16, max_nr_ports u32, emerg_wr u32 (§5.3.4). */
export const CONSOLE_CONFIG_SIZE = 12;

/**
 * Most bytes one transmit request may carry. Descriptors may alias one guest
 * range, so a chain's length says nothing about the guest's RAM (issue 12
 * §4: one request made the host allocate 1-2 GiB). Linux's driver sends at
 * most 32 KiB per buffer (`port_fops_write`) and a page from hvc; a longer
 * chain is refused (DEVICE_NEEDS_RESET) before anything is allocated.
 */
export const CONSOLE_TX_REQUEST_BUDGET = 64 * 1024;
/** Most bytes one transmit notification forwards; the rest waits for the next round. */
export const CONSOLE_TX_NOTIFY_BUDGET = 1024 * 1024;
/** Most host input bytes kept while the guest offers no receive buffers; older input is dropped. */
export const CONSOLE_INPUT_LIMIT = 1024 * 1024;

/** Where guest output goes. */
export type ConsoleSink = (bytes: Uint8Array) => void;

/** The console backend. */
export class VirtioConsoleBackend implements VirtioBackend {
  readonly deviceId: number = VIRTIO_ID_CONSOLE;
  readonly featuresLo = 0;
  readonly featuresHi = 0;
  readonly queueMaxSizes = [CONSOLE_QUEUE_SIZE, CONSOLE_QUEUE_SIZE];
  readonly configSize: number = CONSOLE_CONFIG_SIZE;
  #active: VirtioActivation | null = null;
  #pending: Uint8Array[] = [];
  /** Bytes the guest wrote. */
  bytesOut = 0;
  /** Bytes delivered to the guest. */
  bytesIn = 0;
  /** Host input dropped because the guest did not take it ({@link CONSOLE_INPUT_LIMIT}). */
  inputDropped = 0;
  #pendingBytes = 0;
  readonly #txScratch = new Uint8Array(CONSOLE_TX_REQUEST_BUDGET);

  /** A console whose guest output goes to `sink`. */
  constructor(readonly sink: ConsoleSink) {}

  readConfig(): number {
    return 0;
  }
  writeConfig(): void {}

  activate(activation: VirtioActivation): void {
    this.#active = activation;
  }

  /** Queue `bytes` for the guest; delivered as soon as it offers receive buffers. */
  input(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#pending.push(bytes.slice());
    this.#pendingBytes += bytes.length;
    while (this.#pendingBytes > CONSOLE_INPUT_LIMIT && this.#pending.length > 0) {
      const old = this.#pending.shift()!;
      this.#pendingBytes -= old.length;
      this.inputDropped += old.length;
    }
    this.#deliver();
  }

  /** Bytes waiting for receive buffers. */
  get pendingInput(): number {
    return this.#pendingBytes;
  }

  notify(index: number): void {
    if (index === CONSOLE_TRANSMITQ) this.#transmit();
    else if (index === CONSOLE_RECEIVEQ) this.#deliver();
  }

  #transmit(): void {
    const a = this.#active;
    if (a === null) return;
    const q = a.queues[CONSOLE_TRANSMITQ];
    let served = false;
    let budget = CONSOLE_TX_NOTIFY_BUDGET;
    for (let c = q.pop(a.memory); c !== null; c = q.pop(a.memory)) {
      if (c.readableLength > CONSOLE_TX_REQUEST_BUDGET) {
        throw new VirtioError(
          `transmit request of ${c.readableLength} bytes exceeds the per-request budget of ` +
            `${CONSOLE_TX_REQUEST_BUDGET} bytes`,
        );
      }
      // The sink gets its own copy (it may keep it); the scratch bounds what a chain can cost.
      const data = this.#txScratch.subarray(0, c.readableLength);
      c.readInto(a.memory, data);
      this.bytesOut += data.length;
      this.sink(data.slice());
      q.pushUsed(a.memory, c.head, 0);
      served = true;
      budget -= data.length;
      if (budget <= 0) {
        a.continueLater(CONSOLE_TRANSMITQ);
        break;
      }
    }
    if (served) a.signalUsed();
  }

  #deliver(): void {
    const a = this.#active;
    if (a === null || this.#pending.length === 0) return;
    const q = a.queues[CONSOLE_RECEIVEQ];
    let served = false;
    try {
      while (this.#pending.length > 0) {
        const c = q.pop(a.memory);
        if (c === null) break;
        let written = 0;
        while (this.#pending.length > 0 && written < c.writableLength) {
          const head = this.#pending[0];
          const n = c.writeFrom(a.memory, head, written);
          written += n;
          this.#pendingBytes -= n;
          if (n === head.length) this.#pending.shift();
          else this.#pending[0] = head.subarray(n);
        }
        this.bytesIn += written;
        q.pushUsed(a.memory, c.head, written);
        served = true;
      }
    } catch (e) {
      // Input arrives outside any MMIO access, so report a malformed ring here.
      if (e instanceof VirtioError) a.needsReset(e.message);
      else throw e;
    }
    if (served) a.signalUsed();
  }

  reset(): void {
    this.#active = null;
  }

  describe(): Record<string, string | number | boolean> {
    return {
      device: "virtio-console",
      inputDropped: this.inputDropped,
      bytesOut: this.bytesOut,
      bytesIn: this.bytesIn,
      pendingInput: this.pendingInput,
    };
  }
}
