/**
 * A tee on a VM's console output. A {@link GuestConsole} has exactly one
 * output sink (the PL011's `setOutput`), so the terminal and the dashboard
 * cannot both register one. {@link teeConsole} installs a single tap per VM
 * that records the most recent output in a bounded ring buffer and forwards
 * every byte to whichever sink the caller registers on the returned console.
 *
 * The CLI attaches the terminal to `teeConsole(vm)` instead of `vm.console`;
 * the dashboard reads the same tap, in whichever order the two start.
 *
 * @example
 * ```ts ignore
 * const dash = await serveDashboard(system, "127.0.0.1:8418");
 * await attachTerminal(teeConsole(vm), vm.ended);
 * ```
 *
 * @module
 */
import type { GuestConsole, VmInstance } from "@gunyah-ts/system";

/**
 * Bytes of recent output each VM's tap keeps (the oldest are overwritten):
 * a Debian boot log (~30 KiB) and a few screens of scrollback.
 */
export const CONSOLE_RING_BYTES = 256 * 1024;

/** A bounded byte ring holding a console's most recent output. */
export class ConsoleRing {
  readonly #buf: Uint8Array;
  /** Bytes written since creation (the write position is `total % capacity`). */
  #total = 0;

  /** A ring of `capacity` bytes. */
  constructor(capacity: number = CONSOLE_RING_BYTES) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`console ring capacity must be a positive integer, got ${capacity}`);
    }
    this.#buf = new Uint8Array(capacity);
  }

  /** Bytes the ring holds at most. */
  get capacity(): number {
    return this.#buf.length;
  }

  /** Bytes ever written (including those since overwritten). */
  get total(): number {
    return this.#total;
  }

  /** Append `bytes`, overwriting the oldest when full. */
  write(bytes: Uint8Array): void {
    const buf = this.#buf;
    const cap = buf.length;
    let src = bytes.length > cap ? bytes.subarray(bytes.length - cap) : bytes;
    this.#total += bytes.length - src.length;
    while (src.length > 0) {
      const at = this.#total % cap;
      const n = Math.min(cap - at, src.length);
      buf.set(src.subarray(0, n), at);
      this.#total += n;
      src = src.subarray(n);
    }
  }

  /** Offset (in bytes ever written) of the oldest byte still held. */
  get start(): number {
    return Math.max(0, this.#total - this.#buf.length);
  }

  /**
   * The bytes from stream offset `from` (clamped to {@link start}) up to
   * `from + max`, oldest first, and the offset they begin at.
   */
  since(from: number, max: number = this.capacity): { offset: number; bytes: Uint8Array } {
    const offset = Math.min(this.#total, Math.max(this.start, Math.floor(from)));
    const n = Math.min(this.#total - offset, Math.max(0, max));
    const cap = this.#buf.length;
    const out = new Uint8Array(n);
    const at = offset % cap;
    const first = Math.min(n, cap - at);
    out.set(this.#buf.subarray(at, at + first), 0);
    out.set(this.#buf.subarray(0, n - first), first);
    return { offset, bytes: out };
  }

  /** The last `max` bytes held (at most the capacity), oldest first. */
  tail(max: number = this.capacity): Uint8Array {
    const cap = this.#buf.length;
    const held = Math.min(this.#total, cap, Math.max(0, max));
    const out = new Uint8Array(held);
    const start = (this.#total - held) % cap;
    const first = Math.min(held, cap - start);
    out.set(this.#buf.subarray(start, start + first), 0);
    out.set(this.#buf.subarray(0, held - first), first);
    return out;
  }
}

let nextTapId = 1;

/** The tap on one VM's console: its recent output and the forwarded sink. */
export class ConsoleTap {
  /**
   * Identifies this console stream among all taps of the process: a VM
   * rebuilt under the same VMID (restart) gets a new tap, hence a new id.
   */
  readonly id: number = nextTapId++;
  /** Recent output. */
  readonly ring: ConsoleRing;
  /** The console the caller uses in place of the VM's own (same input, teed output). */
  readonly console: GuestConsole;
  #sink: ((bytes: Uint8Array) => void) | null = null;
  readonly #watchers = new Set<() => void>();
  readonly #source: GuestConsole;

  /** Take `source`'s output sink, keeping `capacity` bytes of output. */
  constructor(source: GuestConsole, capacity: number = CONSOLE_RING_BYTES) {
    this.ring = new ConsoleRing(capacity);
    this.#source = source;
    source.onOutput((bytes) => {
      this.ring.write(bytes);
      const sink = this.#sink;
      if (sink !== null) sink(bytes);
      for (const w of this.#watchers) w();
    });
    this.console = {
      input: (bytes) => source.input(bytes),
      onOutput: (sink) => {
        this.#sink = sink;
      },
    };
  }

  /**
   * Call `watcher` (no arguments: read {@link ring}) after each write of
   * output; returns the function that stops it. Watchers must not block:
   * the guest's UART write is waiting.
   */
  watch(watcher: () => void): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Type `bytes` on the VM's console input. */
  input(bytes: Uint8Array): void {
    this.#source.input(bytes);
  }
}

const taps = new WeakMap<VmInstance, ConsoleTap>();

/**
 * The tap of `vm`'s console, installed on first use (this takes the VM's
 * one output sink; later calls return the same tap). Output written before
 * the first call is not recorded.
 */
export function consoleTap(vm: VmInstance): ConsoleTap {
  let tap = taps.get(vm);
  if (tap === undefined) {
    tap = new ConsoleTap(vm.console);
    taps.set(vm, tap);
  }
  return tap;
}

/**
 * A console for `vm` that the terminal (or anything else) can own while the
 * dashboard keeps recording the output: register the sink here, not on
 * `vm.console`.
 */
export function teeConsole(vm: VmInstance): GuestConsole {
  return consoleTap(vm).console;
}

/** The tap of `vm` if one is installed (does not install one). */
export function peekConsoleTap(vm: VmInstance): ConsoleTap | undefined {
  return taps.get(vm);
}
