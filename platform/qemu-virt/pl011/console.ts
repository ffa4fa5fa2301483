/**
 * A PL011 as a host console: terminal input goes to {@link Pl011.pushInput},
 * and transmitted bytes are gathered into batches instead of being handed
 * out one at a time. A batch is delivered when a newline is sent, when the
 * buffer is full, or at the latest once the current run slice yields to the
 * event loop (a microtask scheduled with a function bound once), so the
 * per-byte path allocates nothing and the terminal sees whole lines.
 *
 * Shaped like the CLI's `GuestConsole` (`input`, `onOutput`).
 *
 * @example
 * ```ts
 * import { Pl011 } from "./pl011.ts";
 * import { Pl011Console } from "./console.ts";
 * import { FakeDeviceHost } from "../testing/fake_host.ts";
 * const console_ = new Pl011Console(new Pl011(new FakeDeviceHost()));
 * console_.onOutput((bytes) => Deno.stdout.writeSync(bytes));
 * ```
 *
 * @module
 */
import type { Pl011 } from "./pl011.ts";

/** Size of the output batch buffer. */
const BATCH_BYTES = 4096;
/** Line feed: ends a batch early so lines appear as they are completed. */
const LF = 0x0a;

/** Host-side console on a {@link Pl011}. */
export class Pl011Console {
  private readonly buffer = new Uint8Array(BATCH_BYTES);
  private length = 0;
  private scheduled = false;
  private sink: ((bytes: Uint8Array) => void) | null = null;
  private readonly flushLater = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /** Attach to `uart`, replacing its output sink. */
  constructor(private readonly uart: Pl011) {
    uart.setOutput((byte) => this.transmit(byte));
  }

  /** Terminal -> guest. */
  input(bytes: Uint8Array): void {
    this.uart.pushInput(bytes);
  }

  /** Register where guest output batches go (each call gets its own copy). */
  onOutput(sink: (bytes: Uint8Array) => void): void {
    this.sink = sink;
  }

  /** Deliver whatever is buffered now. */
  flush(): void {
    if (this.length === 0) return;
    const batch = this.buffer.slice(0, this.length);
    this.length = 0;
    this.sink?.(batch);
  }

  /** One byte from the guest. */
  private transmit(byte: number): void {
    this.buffer[this.length++] = byte;
    if (byte === LF || this.length === BATCH_BYTES) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushLater);
    }
  }
}
