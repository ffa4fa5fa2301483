/**
 * The virtio entropy device backend (virtio 1.2 §5.4): one queue, requestq,
 * no features, no configuration. Every writable buffer the driver offers is
 * filled with random bytes: from `crypto.getRandomValues`, or, with a seed,
 * from a SplitMix64-style generator so a deterministic run gets the same bytes
 * every time.
 *
 * @module
 */
import { VIRTIO_ID_RNG, type VirtioActivation, type VirtioBackend } from "@gunyah-ts/virtio-mmio";

/** QueueNumMax of requestq. */
export const RNG_QUEUE_SIZE = 64;

/**
 * Most bytes one request is given (a device may return fewer than the buffer
 * holds, §5.4.6.1). Descriptors may alias one guest range, so the chain's
 * writable length says nothing about the guest's RAM: without this a 16 MiB
 * guest made the host allocate 1-2 GiB (issue 12 §4). Linux asks for at most
 * a page (`virtio-rng` fills `rng_buffer` of SMP_CACHE_BYTES..PAGE_SIZE).
 */
export const RNG_REQUEST_BUDGET = 64 * 1024;
/** Most bytes one notification serves; the rest of the ring waits for the next round. */
export const RNG_NOTIFY_BUDGET = 1024 * 1024;

/** A source of random bytes. */
export interface ByteSource {
  /** Fill `dst` with random bytes. */
  fill(dst: Uint8Array): void;
}

/** The host's cryptographic generator. */
export const cryptoSource: ByteSource = {
  fill(dst: Uint8Array): void {
    // getRandomValues fills at most 65536 bytes per call.
    for (let i = 0; i < dst.length; i += 65536) {
      crypto.getRandomValues(dst.subarray(i, Math.min(dst.length, i + 65536)));
    }
  },
};

/**
 * A deterministic generator (SplitMix32 steps over a 32-bit state; not for
 * cryptography): the same seed gives the same byte stream.
 */
export class SeededSource implements ByteSource {
  #state: number;
  /** A generator starting from `seed` (its low 32 bits). */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** Fill `dst` with the next bytes of the stream. */
  fill(dst: Uint8Array): void {
    for (let i = 0; i < dst.length; i += 4) {
      this.#state = (this.#state + 0x9e3779b9) >>> 0;
      let z = this.#state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      z = (z ^ (z >>> 16)) >>> 0;
      for (let b = 0; b < 4 && i + b < dst.length; b++) dst[i + b] = (z >>> (8 * b)) & 0xff;
    }
  }
}

/** The entropy backend. */
export class VirtioRngBackend implements VirtioBackend {
  readonly deviceId: number = VIRTIO_ID_RNG;
  readonly featuresLo = 0;
  readonly featuresHi = 0;
  readonly queueMaxSizes = [RNG_QUEUE_SIZE];
  readonly configSize = 0;
  #active: VirtioActivation | null = null;
  /** Reused for every request: the allocation is bounded by the budget, not by the guest. */
  readonly #scratch = new Uint8Array(RNG_REQUEST_BUDGET);
  /** Bytes handed to the guest so far. */
  bytesServed = 0;

  /** An entropy device drawing from `source`. */
  constructor(readonly source: ByteSource) {}

  readConfig(): number {
    return 0;
  }
  writeConfig(): void {}

  activate(activation: VirtioActivation): void {
    this.#active = activation;
  }

  notify(index: number): void {
    const a = this.#active;
    if (a === null || index !== 0) return;
    const q = a.queues[0];
    let served = false;
    let budget = RNG_NOTIFY_BUDGET;
    for (let chain = q.pop(a.memory); chain !== null; chain = q.pop(a.memory)) {
      const bytes = this.#scratch.subarray(0, Math.min(chain.writableLength, RNG_REQUEST_BUDGET));
      this.source.fill(bytes);
      const n = chain.writeFrom(a.memory, bytes);
      this.bytesServed += n;
      q.pushUsed(a.memory, chain.head, n);
      served = true;
      budget -= n;
      if (budget <= 0) {
        a.continueLater(0);
        break;
      }
    }
    if (served) a.signalUsed();
  }

  reset(): void {
    this.#active = null;
  }

  describe(): Record<string, string | number | boolean> {
    return { device: "virtio-rng", bytesServed: this.bytesServed };
  }
}
