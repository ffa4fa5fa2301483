/**
 * Attaches a guest console (a byte stream in each direction) to this
 * terminal the way QEMU users expect: raw mode, and the escape prefix
 * Ctrl-A: `Ctrl-A x` quits, `Ctrl-A Ctrl-A` sends a literal Ctrl-A,
 * `Ctrl-A h` prints help.
 *
 * @module
 */

/** Ctrl-A. */
export const ESCAPE = 0x01;

/** What the escape decoder asks its owner to do. */
export type ConsoleAction = "quit" | "help";

/**
 * Splits terminal input into bytes for the guest and escape commands.
 * Pure and incremental (an escape may straddle two reads).
 */
export class EscapeDecoder {
  #pending = false;

  /** Feed `input`; returns guest bytes and any actions, in order. */
  feed(input: Uint8Array): { bytes: Uint8Array; actions: ConsoleAction[] } {
    const out: number[] = [];
    const actions: ConsoleAction[] = [];
    for (const b of input) {
      if (this.#pending) {
        this.#pending = false;
        if (b === 0x78 || b === 0x58) actions.push("quit"); // x / X
        else if (b === ESCAPE) out.push(ESCAPE);
        else if (b === 0x68 || b === 0x48 || b === 0x3f) actions.push("help"); // h / H / ?
        // any other key after Ctrl-A is swallowed, as in QEMU
      } else if (b === ESCAPE) {
        this.#pending = true;
      } else {
        out.push(b);
      }
    }
    return { bytes: Uint8Array.from(out), actions };
  }
}

/** Text shown for `Ctrl-A h`. */
export const ESCAPE_HELP = "\r\nC-a x    quit\r\nC-a h    this help\r\nC-a C-a  send C-a\r\n";

/** A guest console seen from the host. */
export interface GuestConsole {
  /** Deliver terminal input to the guest. */
  input(bytes: Uint8Array): void;
  /** Register the sink for guest output. */
  onOutput(sink: (bytes: Uint8Array) => void): void;
}

/**
 * Connect `guest` to stdin/stdout until `Ctrl-A x` or until `done` resolves.
 * Puts a TTY in raw mode and restores it. Returns "quit" when the user quit.
 */
export async function attachTerminal(
  guest: GuestConsole,
  done: Promise<unknown>,
): Promise<"quit" | "done"> {
  const stdout = Deno.stdout;
  const enc = new TextEncoder();
  guest.onOutput((b) => {
    stdout.writeSync(b);
  });
  const tty = Deno.stdin.isTerminal();
  if (tty) Deno.stdin.setRaw(true, { cbreak: false });
  const decoder = new EscapeDecoder();
  let quit = false;
  const reader = Deno.stdin.readable.getReader();
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !value) return;
        const { bytes, actions } = decoder.feed(value);
        if (bytes.length > 0) guest.input(bytes);
        for (const a of actions) {
          if (a === "help") stdout.writeSync(enc.encode(ESCAPE_HELP));
          if (a === "quit") {
            quit = true;
            return;
          }
        }
      }
    } catch {
      // stdin closed
    }
  })();
  try {
    await Promise.race([pump, done]);
  } finally {
    reader.releaseLock();
    if (tty) Deno.stdin.setRaw(false);
  }
  return quit ? "quit" : "done";
}
