/**
 * The template's backend: a virtio entropy device (ID 4, virtio 1.2 §5.4)
 * whose "entropy" is a configured byte pattern repeated, so a guest's
 * reads are predictable. Replace this file with your device's backend: keep
 * to what {@link VirtioBackend} asks, touch guest memory only through the
 * activation's `memory`, and report what you served in `describe()`.
 *
 * @module
 */
import { VIRTIO_ID_RNG, type VirtioActivation, type VirtioBackend } from "@gunyah-ts/virtio-mmio";

/** QueueNumMax of the single queue. */
export const PATTERN_QUEUE_SIZE = 16;

/** Fills every device-writable buffer with `pattern`, repeated. */
export class PatternBackend implements VirtioBackend {
  readonly deviceId: number = VIRTIO_ID_RNG;
  readonly featuresLo = 0;
  readonly featuresHi = 0;
  readonly queueMaxSizes = [PATTERN_QUEUE_SIZE];
  readonly configSize = 0;
  #active: VirtioActivation | null = null;
  #phase = 0;
  /** Requests served. */
  served = 0;

  /** A source repeating `pattern` (not empty). */
  constructor(readonly pattern: Uint8Array) {
    if (pattern.length === 0) throw new Error("template: the pattern must not be empty");
  }

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
    let any = false;
    // Malformed chains throw VirtioError from pop(); the transport turns that into
    // DEVICE_NEEDS_RESET, so a backend need not catch it inside notify().
    for (let c = q.pop(a.memory); c !== null; c = q.pop(a.memory)) {
      const out = new Uint8Array(c.writableLength);
      for (let i = 0; i < out.length; i++) {
        out[i] = this.pattern[this.#phase];
        this.#phase = (this.#phase + 1) % this.pattern.length;
      }
      q.pushUsed(a.memory, c.head, c.writeFrom(a.memory, out));
      this.served++;
      any = true;
    }
    if (any) a.signalUsed();
  }

  reset(): void {
    this.#active = null;
    this.#phase = 0;
  }

  describe(): Record<string, string | number | boolean> {
    return { device: "template-pattern", served: this.served };
  }
}
